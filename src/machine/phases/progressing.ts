// Progressing and WaitingPromotion: the guarded part of a run, evaluated on every reconcile.
// Order: a newer revision restarts the run at weight 0; an unready canary holds (bounded by the
// progress deadline from the moment it became unready; a canary that never becomes ready rolls
// back); skipAnalysis promotes a ready canary; a blue/green run with traffic on the canary too
// early (an A/B run's match removed) goes back to weight 0; a reached threshold rolls back; a
// TrafficSplit behind the status weight is routed first (traffic-shift.ts); otherwise, when an
// interval has passed since the last tick, run the tick, and before that, fail-fast's
// evaluations (fail-fast.ts).
import { stepDue, thresholdReached, strategyFrom, type Strategy } from '../../progression/index.js';
import {
  event,
  keep,
  overdue,
  routesAt,
  untilDeadline,
  verdict,
  type Ctx,
  type Step,
  shortRevision,
} from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { failFast } from './fail-fast.js';
import { tick } from './tick.js';
import { awaitTraffic, measuredSince, stepLength, trafficShifted } from './traffic-shift.js';
import { beginPromotion, cancelRun, rollback } from './transitions.js';
import { startRun } from './run-start.js';

/**
 * A blue/green run has traffic on the canary only after all its iterations passed and
 * confirm-promotion allowed the switch (phase Progressing); any other weight comes from an A/B
 * run (`match`) whose match was removed mid-run.
 */
function lostItsMatch(state: RunState, strategy: Strategy): boolean {
  if (strategy.kind !== 'blueGreen' || state.canaryWeight === 0) return false;
  return state.iterations < strategy.iterations || state.phase === 'WaitingPromotion';
}

export function progressingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  if (target.revision !== state.revision) {
    if (target.revision === state.lastPromotedRevision) return cancelRun(ctx, state, target);
    return startRun(
      ctx,
      state,
      target,
      'newRevision',
      `New revision during the run of ${shortRevision(state.revision)}; restarting at weight 0`,
    );
  }
  const readiness = target.readiness;
  if (readiness.state === 'failed')
    return rollback(ctx, state, 'canaryFailed', 'CanaryNotReady', readiness.message);
  if (readiness.state === 'pending' || target.replicas === 0) {
    const why = readiness.state === 'pending' ? readiness.message : 'scaled to 0';
    // The bound runs from when the canary became unready, not from the start of the step.
    const since = state.canaryUnreadySince ?? ctx.now;
    const s: RunState = { ...state, canaryUnreadySince: since };
    if (overdue(ctx, since)) {
      return rollback(
        ctx,
        s,
        'progressDeadline',
        'ProgressDeadlineExceeded',
        `canary not ready: ${why}`,
      );
    }
    return verdict(s, 'WaitingForCanary', `waiting for the canary to become ready: ${why}`, {
      requeueAfterMs: untilDeadline(ctx, since),
    });
  }
  const ready: RunState =
    state.canaryUnreadySince === null ? state : { ...state, canaryUnreadySince: null };
  // skipAnalysis skips the checks, never the canary's readiness: a revision that cannot become
  // ready is rolled back (above) and never copied to the primary.
  if (ctx.spec.skipAnalysis) {
    return beginPromotion(ctx, ready, 'skipAnalysis', 'skipAnalysis is set; canary ready');
  }
  const strategy = strategyFrom(ctx.spec.progression);
  if (!strategy.ok) {
    return verdict(ready, 'InvalidSpec', strategy.error.message, {
      health: 'stalled',
      announce: 'Warning',
      requeueAfterMs: ctx.spec.intervalMs,
    });
  }
  if (lostItsMatch(ready, strategy.strategy)) {
    // An A/B run whose spec.analysis.match was removed is blue/green now, where the canary weight
    // is every request's: back to the primary, rather than every request to the canary.
    const message =
      'blue/green run with traffic on the canary before its iterations passed ' +
      '(spec.analysis.match removed during an A/B run?): all traffic back to the primary';
    return verdict({ ...ready, canaryWeight: 0 }, 'Progressing', message, {
      notes: [event('Warning', 'StrategyChanged', message)],
      requeueAfterMs: ctx.spec.intervalMs,
    });
  }
  if (thresholdReached(ready.failedChecks, ctx.spec.threshold)) {
    return rollback(
      ctx,
      ready,
      'checksFailed',
      'FailedChecksThresholdReached',
      `${ready.failedChecks} failed checks`,
    );
  }
  // Never analyse a weight the TrafficSplit does not show (see traffic-shift.ts).
  if (!routesAt(ctx.observed.routes, ready.canaryWeight)) return awaitTraffic(ctx, ready);
  const shifted = trafficShifted(ctx, ready);
  if (shifted !== null) return shifted;
  // A tick is due one step after the last one (or after the weight began, or the route object
  // was last written), on the step grid (step-grid.ts), never before the longest metric window has
  // passed: every check's window then holds only this step's traffic.
  const since = measuredSince(ctx, ready);
  if (since !== null) {
    const due = stepDue(since, stepLength(ctx));
    if (ctx.now < due) {
      return (
        failFast(ctx, ready, strategy.strategy, since, due) ??
        keep(ready, { requeueAfterMs: due - ctx.now })
      );
    }
  }
  return tick(ctx, ready, strategy.strategy);
}
