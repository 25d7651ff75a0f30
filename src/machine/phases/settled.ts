// Initialized, Succeeded, Failed: nothing runs. Watch for a new revision (the target's canonical
// hash differs from the last one seen and from what the primary runs) and keep the scale-down
// bookkeeping, including a GitOps tool scaling the idle target back up (idle-scale.ts, bounded).
// A Failed revision is not retried until it changes or `retry` is requested.
import { keep, verdict, type Ctx, type Step } from '../draft.js';
import { routesAt } from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { idleScale } from './idle-scale.js';
import { startRun } from './run-start.js';

export function settledPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  let s = state;
  if (
    !s.targetScaledDown &&
    s.canaryWeight === 0 &&
    routesAt(ctx.observed.routes, 0) &&
    target.replicas === 0
  ) {
    s = { ...s, targetScaledDown: true };
  }
  if (target.revision === s.revision) return idleScale(ctx, s, target) ?? keep(s);
  if (target.revision === s.lastPromotedRevision) {
    // Reverted by hand to what the primary already runs (Flagger's "manual rollback"): no run.
    const next: RunState = {
      ...s,
      revision: target.revision,
      trackedConfigs: target.trackedConfigs,
    };
    return verdict(
      next,
      'RevisionReverted',
      `target matches the primary's revision ${target.revision}`,
    );
  }
  return startRun(ctx, s, target, 'New revision detected');
}
