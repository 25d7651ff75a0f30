// Progressing and WaitingPromotion: the guarded part of a run, evaluated on every reconcile.
// Order: a newer revision restarts the run at weight 0; skipAnalysis promotes; an unready canary
// holds (bounded by the progress deadline from the start of the current step); a reached threshold
// rolls back; a TrafficSplit behind the status weight is routed first (traffic-shift.ts);
// otherwise, when an interval has passed since the last tick, run the tick.
import { thresholdReached, strategyFrom } from '../../progression/index.js';
import { keep, overdue, routesAt, untilDeadline, verdict, type Ctx, type Step } from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { tick } from './tick.js';
import { awaitTraffic, trafficShifted } from './traffic-shift.js';
import { beginPromotion, cancelRun, rollback } from './transitions.js';
import { startRun } from './run-start.js';

export function progressingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  if (target.revision !== state.revision) {
    if (target.revision === state.lastPromotedRevision) return cancelRun(ctx, state, target);
    return startRun(
      ctx,
      state,
      target,
      `New revision during the run of ${state.revision ?? '?'}; restarting at weight 0`,
    );
  }
  const strategy = strategyFrom(ctx.spec.progression);
  if (!strategy.ok) {
    return verdict(state, 'InvalidSpec', strategy.error.message, {
      health: 'stalled',
      announce: 'Warning',
      requeueAfterMs: ctx.spec.intervalMs,
    });
  }
  if (ctx.spec.skipAnalysis) return beginPromotion(ctx, state, 'skipAnalysis is set');
  const readiness = target.readiness;
  if (readiness.state === 'failed')
    return rollback(ctx, state, 'CanaryNotReady', readiness.message);
  if (readiness.state === 'pending' || target.replicas === 0) {
    const why = readiness.state === 'pending' ? readiness.message : 'scaled to 0';
    if (overdue(ctx, state.phaseSince)) {
      return rollback(ctx, state, 'ProgressDeadlineExceeded', `canary not ready: ${why}`);
    }
    return verdict(state, 'WaitingForCanary', `waiting for the canary to become ready: ${why}`, {
      requeueAfterMs: untilDeadline(ctx, state.phaseSince),
    });
  }
  if (thresholdReached(state.failedChecks, ctx.spec.threshold)) {
    return rollback(
      ctx,
      state,
      'FailedChecksThresholdReached',
      `${state.failedChecks} failed checks`,
    );
  }
  // Never analyse a weight the TrafficSplit does not show (see traffic-shift.ts).
  if (!routesAt(ctx.observed.routes, state.canaryWeight)) return awaitTraffic(ctx, state);
  const shifted = trafficShifted(ctx, state);
  if (shifted !== null) return shifted;
  if (state.lastAnalysisAt !== null && ctx.now < state.lastAnalysisAt + ctx.spec.intervalMs) {
    return keep(state, { requeueAfterMs: state.lastAnalysisAt + ctx.spec.intervalMs - ctx.now });
  }
  return tick(ctx, state, strategy.strategy);
}
