// Starting a run: a new revision must pass the gates (gates.ts) — a valid strategy, the deployment
// window, the concurrency limit, the pre-flight (every check and webhook can be evaluated),
// confirm-rollout webhooks — before the canary is scaled up. A closed gate parks the run in Waiting; Waiting
// re-evaluates the gates on every reconcile. A pre-flight problem is Ready=False (stalled) with the
// check's name and the server's message, and no traffic moves until it is fixed.
import {
  NO_CHECKS_NOTE,
  enter,
  event,
  need,
  verdict,
  type Ctx,
  type Step,
  shortRevision,
} from '../draft.js';
import type { RunState } from '../resume.js';
import { runGate } from '../gates.js';
import type { RunStartRule } from '../rules.js';
import type { ObservedTarget } from '../types.js';
import { cancelRun, freshRun } from './transitions.js';

/** Re-check a closed window at least this often (a schedule edit also triggers a reconcile). */
const MAX_WINDOW_REQUEUE_MS = 60 * 60_000;

function waiting(
  ctx: Ctx,
  state: RunState,
  rule: RunStartRule,
  reason: string,
  message: string,
  opts: { nextStart?: number | null; stalled?: boolean } = {},
): Step {
  const base = state.phase === 'Waiting' ? state : enter(state, 'Waiting', ctx.now);
  const next: RunState = { ...base, nextWindowStart: opts.nextStart ?? null };
  const until = opts.nextStart ?? null;
  const requeueAfterMs =
    until === null
      ? ctx.spec.intervalMs
      : Math.max(1, Math.min(until - ctx.now, MAX_WINDOW_REQUEUE_MS));
  return verdict(next, reason, message, {
    rule,
    announce: opts.stalled === true ? 'Warning' : 'Normal',
    health: opts.stalled === true ? 'stalled' : null,
    requeueAfterMs,
  });
}

export function startRun(
  ctx: Ctx,
  state: RunState,
  target: ObservedTarget,
  rule: RunStartRule,
  why: string,
): Step {
  const s: RunState = {
    ...state,
    revision: target.revision,
    trackedConfigs: target.trackedConfigs,
  };
  const gate = runGate(ctx, state.phase, target.revision);
  if (gate.kind === 'need') return need(gate.request);
  if (gate.kind === 'closed') {
    return waiting(ctx, s, rule, gate.reason, gate.message, {
      nextStart: gate.nextStart,
      stalled: gate.stalled,
    });
  }
  const run = freshRun(ctx, s, target);
  const { metrics, gateHooks } = ctx.spec.checks;
  const message = ctx.spec.skipAnalysis
    ? `${why}: skipAnalysis is set, promoting revision ${shortRevision(target.revision)} once the canary is ready`
    : metrics + gateHooks === 0
      ? `${why}: revision ${shortRevision(target.revision)} (${NO_CHECKS_NOTE})`
      : `${why}: analysing revision ${shortRevision(target.revision)}`;
  const blind =
    !ctx.spec.skipAnalysis && metrics + gateHooks === 0
      ? [
          event(
            'Warning',
            'NoChecks',
            `revision ${shortRevision(target.revision)}: ${NO_CHECKS_NOTE}`,
          ),
        ]
      : [];
  return verdict(run, 'Progressing', message, {
    rule,
    notes: [event('Normal', 'NewRevision', message), ...blind],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

export function waitingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  if (target.revision === state.lastPromotedRevision) return cancelRun(ctx, state, target);
  // The run waiting here starts once its gates open; a newer revision replaces it.
  const rule = target.revision === state.revision ? 'gatesOpened' : 'newRevision';
  return startRun(ctx, state, target, rule, 'New revision detected');
}
