// Manual operations from the `weightlifter.io/operation` annotation. Each annotation value is
// handled once: its acknowledgement (status.operation.request) is written in the same status patch
// as the decision it causes, so a restart can neither lose nor repeat it, and GitOps tools that
// re-apply the Canary do not undo it (the annotation may stay; only a new value acts again).
import type { OperationResult } from '../../api/constants.js';
import { PHASE_TABLE } from '../../api/phases.js';
import type { Ctx, Step } from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { startRun } from './run-start.js';
import { beginPromotion, rollback } from './transitions.js';

export type OperationOutcome =
  | { readonly kind: 'continue'; readonly state: RunState }
  | { readonly kind: 'step'; readonly step: Step };

export function handleOperation(
  ctx: Ctx,
  state: RunState,
  target: ObservedTarget,
): OperationOutcome {
  const op = ctx.input.operation;
  if (op === null || state.operation?.request === op.request) return { kind: 'continue', state };
  const ack = (result: OperationResult, message: string): RunState => ({
    ...state,
    operation: {
      request: op.request,
      ...(op.action === null ? {} : { action: op.action }),
      result,
      message,
      handledAt: new Date(ctx.now).toISOString(),
    },
  });
  const reject = (message: string): OperationOutcome => ({
    kind: 'continue',
    state: ack('Rejected', message),
  });
  const step = (s: Step): OperationOutcome => ({ kind: 'step', step: s });
  if (op.action === null)
    return reject('unknown operation; use promote, abort, retry, pause or resume');
  if (ctx.spec.suspend) return reject('the Canary is suspended (spec.suspend)');
  const phase = state.phase;
  switch (op.action) {
    case 'pause':
      return { kind: 'continue', state: { ...ack('Accepted', 'paused'), paused: true } };
    case 'resume':
      return {
        kind: 'continue',
        state: { ...ack('Accepted', state.paused ? 'resumed' : 'was not paused'), paused: false },
      };
    case 'abort':
      if (!PHASE_TABLE[phase].abortable) return reject(`nothing to abort in phase ${phase}`);
      return step(
        rollback(
          ctx,
          { ...ack('Accepted', 'aborted'), paused: false },
          'operatorAbort',
          'Aborted',
          'aborted by an operator',
        ),
      );
    case 'promote':
      if (!PHASE_TABLE[phase].abortable && phase !== 'Failed')
        return reject(`nothing to promote in phase ${phase}`);
      if (target.revision !== state.revision)
        return reject('the target changed; promote applies to the revision under analysis');
      return step(
        beginPromotion(
          ctx,
          ack('Accepted', 'promoting'),
          'operatorPromote',
          'promoted by an operator',
        ),
      );
    case 'retry':
      if (phase !== 'Failed') return reject(`only a Failed canary can be retried (phase ${phase})`);
      return step(
        startRun(
          ctx,
          { ...ack('Accepted', 'retrying'), paused: false },
          target,
          'retry',
          'Retry requested',
        ),
      );
  }
}
