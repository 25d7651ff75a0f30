// Promoting and Finalising. Promotion copies the analysed template to the primary (convergence
// emits `promotePrimary` until the primary carries the revision), waits for the primary's rollout
// (bounded), and only then moves traffic back — all at once, or stepWeightPromotion per interval —
// so the canary keeps serving while the primary's pods roll (Argo Rollouts #1826/#2050).
// If the primary cannot become ready, traffic stays on (or moves to) the healthy canary: Failed,
// but serving (Flagger 1.44's fix for #1591/#1898).
import { promotionWeight } from '../../progression/strategy.js';
import {
  enter,
  event,
  keep,
  overdue,
  postRollout,
  routeKind,
  routesAt,
  untilDeadline,
  verdict,
  type Ctx,
  type Step,
  shortRevision,
} from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { startRun } from './run-start.js';
import { withRoutineScaleDown } from './idle-scale.js';
import { cancelRun } from './transitions.js';

function promotionFailed(
  ctx: Ctx,
  state: RunState,
  target: ObservedTarget,
  rule: 'primaryFailed' | 'promotionDeadline',
  why: string,
): Step {
  // The canary takes the traffic only while it still runs the revision that was analysed: a
  // target that moved on meanwhile runs a revision no check measured, and gets none.
  const analysed = target.revision === state.revision;
  const canaryServes = analysed && target.readiness.state === 'ready' && target.replicas > 0;
  const failed: RunState = {
    ...enter(state, 'Failed', ctx.now),
    canaryWeight: canaryServes ? 100 : analysed ? state.canaryWeight : 0,
    targetScaledDown: false,
  };
  const where = canaryServes
    ? 'all traffic kept on the canary'
    : analysed
      ? 'canary not ready either; traffic unchanged'
      : `the canary runs revision ${shortRevision(target.revision)}, never analysed; all traffic on the primary`;
  const message = `promotion of ${shortRevision(state.revision)} failed: ${why}; ${where}`;
  return verdict(failed, 'PromotionFailed', message, {
    rule,
    notes: [event('Warning', 'PromotionFailed', message), postRollout(failed)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

function finalising(ctx: Ctx, state: RunState): Step {
  const next: RunState = { ...enter(state, 'Finalising', ctx.now), canaryWeight: 0 };
  return verdict(next, 'Finalising', 'primary ready; routing all traffic to the primary', {
    rule: 'primaryRolledOut',
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

export function promotingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  const primary = ctx.observed.primary;
  const interval = ctx.spec.intervalMs;
  if (primary === null || primary.revision !== state.revision) {
    // The copy has not happened yet; if the target moved on, the analysed template is gone.
    if (target.revision !== state.revision) {
      if (target.revision === state.lastPromotedRevision) return cancelRun(ctx, state, target);
      return startRun(
        ctx,
        state,
        target,
        'newRevision',
        'New revision before the promotion was copied',
      );
    }
    if (overdue(ctx, state.phaseSince))
      return promotionFailed(
        ctx,
        state,
        target,
        'promotionDeadline',
        'primary not updated in time',
      );
    return keep(state, { requeueAfterMs: interval });
  }
  const readiness = primary.readiness;
  if (readiness.state === 'failed') {
    return promotionFailed(ctx, state, target, 'primaryFailed', readiness.message);
  }
  if (target.revision !== state.revision && state.canaryWeight > 0) {
    // Copied already, so the promotion goes on; but the canary now runs a revision no check
    // measured: no traffic stays on it while the primary rolls out (its deadline runs on).
    const off: RunState = { ...state, canaryWeight: 0 };
    const message =
      `the target moved on to revision ${shortRevision(target.revision)}, never analysed; ` +
      'all traffic to the primary while it rolls out';
    return verdict(off, 'Promoting', message, {
      notes: [event('Warning', 'CanaryRevisionChanged', message)],
      requeueAfterMs: interval,
    });
  }
  if (readiness.state === 'pending') {
    if (overdue(ctx, state.phaseSince))
      return promotionFailed(ctx, state, target, 'promotionDeadline', readiness.message);
    // Nothing new to say (Ready already says the promotion waits for the primary's rollout, and
    // the primary Deployment reports its own progress): no status write while it rolls.
    return keep(state, { requeueAfterMs: interval });
  }
  if (state.canaryWeight === 0 || ctx.spec.stepWeightPromotion <= 0) return finalising(ctx, state);
  // Stepped promotion: like every other weight change, the next step waits until the split shows
  // this one (bounded by the progress deadline from the step), and each step restarts the clock.
  if (!routesAt(ctx.observed.routes, state.canaryWeight)) {
    if (overdue(ctx, state.phaseSince)) {
      return verdict(
        state,
        'TrafficShiftStalled',
        `${routeKind(ctx)} has not reached canary weight ${state.canaryWeight} within the progress deadline`,
        { health: 'stalled', announce: 'Warning', requeueAfterMs: interval },
      );
    }
    return verdict(
      state,
      'Promoting',
      `moving traffic to the primary: waiting for the ${routeKind(ctx)} to show canary weight ${state.canaryWeight}`,
      { requeueAfterMs: untilDeadline(ctx, state.phaseSince) },
    );
  }
  if (state.lastAnalysisAt !== null && ctx.now < state.lastAnalysisAt + interval) {
    return keep(state, { requeueAfterMs: state.lastAnalysisAt + interval - ctx.now });
  }
  const weight = promotionWeight(state.canaryWeight, ctx.spec.stepWeightPromotion);
  if (weight === 0) return finalising(ctx, state);
  const next: RunState = {
    ...enter(state, 'Promoting', ctx.now),
    canaryWeight: weight,
    lastAnalysisAt: ctx.now,
  };
  const message = `moving traffic to the primary: canary weight ${weight}`;
  return verdict(next, 'Promoting', message, {
    notes: [event('Normal', 'PromotionStep', message)],
    requeueAfterMs: interval,
  });
}

export function finalisingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  if (routesAt(ctx.observed.routes, 0)) {
    const done: RunState = {
      ...enter(state, 'Succeeded', ctx.now),
      canaryWeight: 0,
      lastPromotedRevision: state.revision,
      targetScaledDown: false,
    };
    const message = `revision ${shortRevision(state.revision)} promoted`;
    const succeeded = verdict(done, 'Succeeded', message, {
      rule: 'allTrafficOnPrimary',
      notes: [event('Normal', 'Succeeded', message), postRollout(done)],
      requeueAfterMs: ctx.spec.intervalMs,
    });
    return withRoutineScaleDown(ctx, succeeded, target);
  }
  // The split back to 100/0 can only be held by the router's endpoint gate (the primary's
  // endpoints not ready) or by something else rewriting it: it keeps being routed, and once past
  // the deadline the Canary says so (Stalled) and alerts once; it ends by itself when the split
  // shows 100/0.
  if (overdue(ctx, state.phaseSince)) {
    return verdict(
      state,
      'TrafficShiftStalled',
      `${routeKind(ctx)} has not reached 100/0 within the progress deadline; still routing it`,
      {
        health: 'stalled',
        announce: 'Warning',
        requeueAfterMs: ctx.spec.intervalMs,
      },
    );
  }
  return keep(state, { requeueAfterMs: ctx.spec.intervalMs });
}
