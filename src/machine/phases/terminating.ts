// Terminating (deletionTimestamp set, our finalizer present). With revertOnDeletion the target
// is scaled back up, must be ready, and gets all traffic BEFORE `finalize` reverts the apex
// Service and removes the finalizer (after which GC deletes the primary): deleting a Canary never
// leaves the app without serving pods. A target that never becomes ready keeps the finalizer and
// marks the Canary Stalled — blocking deletion visibly beats an outage.
import {
  enter,
  event,
  overdue,
  routeKind,
  routesAt,
  verdict,
  type Ctx,
  type Step,
} from '../draft.js';
import type { RunState } from '../resume.js';

export function terminatingPhase(ctx: Ctx, state: RunState): Step {
  const entering = state.phase !== 'Terminating';
  const s = entering ? enter(state, 'Terminating', ctx.now) : state;
  const notes = entering
    ? [event('Normal', 'Terminating', 'Canary deleted; restoring the target')]
    : [];
  const opts = {
    notes,
    handsOff: true,
    requeueAfterMs: ctx.spec.intervalMs,
    rule: entering ? ('deleted' as const) : null,
  };
  const target = ctx.observed.target;
  if (!ctx.spec.revertOnDeletion || target === null) {
    return verdict(s, 'Terminating', 'removing finalizer', {
      ...opts,
      effects: [{ type: 'finalize' }],
    });
  }
  if (target.replicas === 0) {
    return verdict(s, 'Terminating', 'scaling the target back up', {
      ...opts,
      effects: [{ type: 'scaleCanary', to: 'up' }],
    });
  }
  if (target.readiness.state !== 'ready') {
    const why = target.readiness.message;
    return overdue(ctx, s.phaseSince)
      ? verdict(s, 'TargetNotReady', `target not ready, deletion blocked: ${why}`, {
          ...opts,
          health: 'stalled',
          announce: 'Warning',
        })
      : verdict(s, 'Terminating', `waiting for the target to become ready: ${why}`, opts);
  }
  if (ctx.observed.routes !== null && !routesAt(ctx.observed.routes, 100)) {
    const route = { type: 'routeTraffic', primaryWeight: 0, canaryWeight: 100 } as const;
    // The router's endpoint gate may hold the change (the target's endpoints not ready yet). Past
    // the deadline the Canary says so and alerts once; it goes on routing, and the finalizer stays.
    return overdue(ctx, s.phaseSince)
      ? verdict(
          s,
          'TrafficShiftStalled',
          `${routeKind(ctx)} has not moved all traffic to the target within the progress deadline; deletion blocked`,
          { ...opts, effects: [route], health: 'stalled', announce: 'Warning' },
        )
      : verdict(s, 'Terminating', 'routing all traffic to the target', {
          ...opts,
          effects: [route],
        });
  }
  return verdict(
    s,
    'Terminating',
    'target serving; reverting the apex Service and removing the finalizer',
    {
      ...opts,
      effects: [{ type: 'finalize' }],
    },
  );
}
