// A step that cannot run (Observed.blocked): an invalid spec, no router for the routing API, an
// object of ours the Canary does not control, a tracked ConfigMap missing. The verdict says why in
// Ready=False / Stalled=True (Reconciling=False) with a Warning Event once per transition into the
// reason, and looks again after a minute (a watch event on the object to fix usually comes
// first). The phase stays: the run resumes from it once the block clears.
//
// It touches nothing, with one exception: a run blocked while its canary takes traffic is not
// measuring that canary, so the canary's traffic goes back to the primary (the last promoted
// revision) at once, when there is a router to do it with and the block is not about an object
// that is not ours (it may be the route object itself). The reconciler builds the router for any
// block whose routing fields allow it: a missing ConfigMap, Secret or HorizontalPodAutoscaler, an
// invalid spec elsewhere, a status the API server refuses. Once the block clears, the run routes
// its weight again and measures it for a whole interval (traffic-shift.ts); a block longer than
// the progress deadline then rolls the run back. A block where no router can be built (the
// routing API not served, a strategy it cannot express) leaves the traffic where it is.
//
// A blocked Canary being deleted cannot run the Terminating flow (there may be no router, or no
// usable spec), and keeping the finalizer would block deletion forever. So it lets go directly:
// scale the target up, wait until it can serve (its Deployment and its `-canary` Service's
// endpoints, Observed.target.readiness), then `finalize` hands the apex Service back and deletes
// the route object whatever version wrote it. Handing the apex back earlier would point clients
// at pods that cannot serve; the wait has no deadline and says so, like Terminating's.
import { CONDITION_REASONS } from '../../api/constants.js';
import { measuresCanary } from '../../api/phases.js';
import { verdict, type Ctx, type Step } from '../draft.js';
import type { Blocked, Effect } from '../types.js';

/** A blocked Canary is looked at again this often even without a watch event. */
export const BLOCKED_REQUEUE_MS = 60_000;
/**
 * A blocked Canary's deletion waiting for its target: Deployment and EndpointSlice events wake it
 * as the target comes up; this is only the fallback.
 */
export const RELEASE_WAIT_REQUEUE_MS = 10_000;

export function blockedPhase(ctx: Ctx, blocked: Blocked): Step {
  const state = ctx.prev;
  const stalled = { health: 'stalled', announce: 'Warning', handsOff: true } as const;
  if (!ctx.observed.deleting) {
    const back = backToPrimary(ctx, blocked);
    const message =
      back === null
        ? blocked.message
        : `${blocked.message}; the canary's traffic is back on the primary until this clears`;
    // Routing the canary away is a lag of the route behind the status weight: recorded now
    // (trafficShiftSince), as noteTrafficLag would on the next pass, so the run measures that
    // weight anew once the block clears and the next blocked pass writes nothing.
    const held =
      back !== null && back.length > 0 && state.trafficShift === null
        ? { ...state, trafficShift: { since: ctx.now } }
        : state;
    return verdict(held, blocked.reason, message, {
      ...stalled,
      effects: back ?? [],
      requeueAfterMs: BLOCKED_REQUEUE_MS,
    });
  }
  const target = ctx.observed.target;
  if (ctx.spec.revertOnDeletion && target !== null) {
    const scaleUp = target.replicas === 0 ? [{ type: 'scaleCanary', to: 'up' } as const] : [];
    const why =
      target.replicas === 0
        ? 'scaled to zero'
        : target.readiness.state === 'ready'
          ? undefined
          : target.readiness.message;
    if (why !== undefined) {
      return verdict(
        state,
        CONDITION_REASONS.targetNotReady,
        `deletion waits for the target to be ready before the apex Service is handed back ` +
          `(${blocked.reason}: ${blocked.message}): ${why}`,
        { ...stalled, effects: scaleUp, requeueAfterMs: RELEASE_WAIT_REQUEUE_MS },
      );
    }
  }
  return verdict(
    state,
    blocked.reason,
    `deleting without the Terminating flow: ${blocked.message}`,
    { ...stalled, announce: null, effects: [{ type: 'finalize' }] },
  );
}

/**
 * How a blocked run's canary is kept out of traffic: null when the block does not hold it back (no
 * run is measuring a canary, there is no router so the route is unread, or the block is about an
 * object that is not ours), else the route change still to make, none once the route sends the
 * canary nothing. The condition's message says so on every pass, not only on the one that routes.
 */
function backToPrimary(ctx: Ctx, blocked: Blocked): Effect[] | null {
  const { phase } = ctx.prev;
  const routes = ctx.observed.routes;
  if (!measuresCanary(phase) || routes === null || blocked.reason === CONDITION_REASONS.notOwned)
    return null;
  return routes.canaryWeight === 0
    ? []
    : [{ type: 'routeTraffic', primaryWeight: 100, canaryWeight: 0 }];
}
