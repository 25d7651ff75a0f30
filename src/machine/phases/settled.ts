// Initialized, Succeeded, Failed: nothing runs. Watch for a new revision (the target's canonical
// hash differs from the last one seen and from what the primary runs) and keep the scale-down
// bookkeeping, including a GitOps tool scaling the idle target back up (idle-scale.ts, bounded).
// A Failed revision is not retried until it changes or `retry` is requested.
import {
  keep,
  overdue,
  routeKind,
  routesAt,
  verdict,
  type Ctx,
  type Step,
  shortRevision,
} from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { idleScale } from './idle-scale.js';
import { startRun } from './run-start.js';

/**
 * After a rollback (or a promotion) the split must show 100/0; convergence keeps routing it. If the
 * router's endpoint gate or someone else holds it past the deadline, say so and alert once.
 */
function routeBackHeld(ctx: Ctx, state: RunState): Step | null {
  if (state.canaryWeight !== 0 || ctx.observed.routes === null) return null;
  if (routesAt(ctx.observed.routes, 0) || !overdue(ctx, state.phaseSince)) return null;
  return verdict(
    state,
    'TrafficShiftStalled',
    `${routeKind(ctx)} has not returned all traffic to the primary within the progress deadline ` +
      `(it shows canary weight ${ctx.observed.routes.canaryWeight}); still routing it`,
    { health: 'stalled', announce: 'Warning', requeueAfterMs: ctx.spec.intervalMs },
  );
}

export function settledPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  let s = state;
  // Written only where status.idleScale holds no record of the scale-down (a target already at 0,
  // or a status from before the record existed): with a record, seeing it done adds nothing.
  if (
    !s.targetScaledDown &&
    s.idleScale === null &&
    s.canaryWeight === 0 &&
    routesAt(ctx.observed.routes, 0) &&
    target.replicas === 0
  ) {
    s = { ...s, targetScaledDown: true };
  }
  if (target.revision === s.revision) {
    const held = routeBackHeld(ctx, s);
    if (held !== null) return held;
    const primary = ctx.observed.primary;
    if (s.phase !== 'Failed' && primary !== null && primary.readiness.state !== 'ready') {
      // Settled means serving: not Ready while the primary's pods are not (a rebuilt primary,
      // a node drain). The wait ends by itself; a Deployment that cannot roll out says so in
      // its own Progressing condition.
      return verdict(s, 'WaitingForPrimary', `primary not ready: ${primary.readiness.message}`, {
        health: 'progressing',
        requeueAfterMs: ctx.spec.intervalMs,
      });
    }
    return idleScale(ctx, s, target) ?? keep(s);
  }
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
      `target matches the primary's revision ${shortRevision(target.revision)}`,
    );
  }
  return startRun(ctx, s, target, 'newRevision', 'New revision detected');
}
