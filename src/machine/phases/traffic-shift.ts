// The TrafficSplit must show status.canaryWeight before that weight is analysed. It may lag: a
// crash between the status write and routeTraffic, the endpoint gate holding a route change, or a
// hand edit of the split. Measuring then would judge the old weight and advance past a step that
// never ran. So: route first (convergence emits routeTraffic), hold the analysis clock, and when
// the split shows the weight, restart the clock so one full interval is measured there.
// Nothing else changes: no step is repeated, failedChecks stays. The wait is bounded by the
// progress deadline from the moment the lag was first seen (status.trafficShiftSince).
//
// Whichever verdict owns a step that sees the lag (waiting for the canary, a pause, a rebuilt
// primary, a block) records it too (noteTrafficLag, from decide()): otherwise the clock would not
// restart when the split catches up, and the weight would be judged on a window that still holds
// traffic at the previous one.
import { measuresCanary } from '../../api/phases.js';
import {
  keep,
  overdue,
  routeKind,
  routesAt,
  untilDeadline,
  verdict,
  type Ctx,
  type Step,
} from '../draft.js';
import type { RunState } from '../resume.js';
import { rollback } from './transitions.js';

/** Ready reason while the split lags (for people; the engine reads trafficShiftSince). */
export const SHIFTING_TRAFFIC = 'ShiftingTraffic';

/** Ready reason while the mesh refuses the route object (Gateway API route status). */
export const ROUTE_REJECTED = 'RouteRejected';

const shifting = (state: RunState): boolean => state.trafficShift !== null;

/**
 * The route object already carries the status weight and only the mesh's report on it is still
 * outstanding (Gateway API: no Accepted condition about its generation yet), within one interval
 * of the analysis clock's start. That report normally follows within a moment, so the engine
 * waits for it without recording a lag, and writes nothing. The measurement then starts after the
 * route's newest write, which is the mesh's report (measuredSince). Past one interval, it is a lag
 * like any other (awaitTraffic).
 */
function awaitingAcceptance(ctx: Ctx, state: RunState): boolean {
  const clock = state.lastAnalysisAt;
  return (
    !shifting(state) &&
    clock !== null &&
    ctx.now < clock + ctx.spec.intervalMs &&
    (ctx.observed.routeRejection ?? null) === null &&
    routesAt(ctx.observed.routesAwaitingAcceptance ?? null, state.canaryWeight)
  );
}

/** The split does not show status.canaryWeight: no analysis until it does. */
export function awaitTraffic(ctx: Ctx, state: RunState): Step {
  const weight = state.canaryWeight;
  if (awaitingAcceptance(ctx, state)) {
    return keep(state, {
      requeueAfterMs: (state.lastAnalysisAt ?? ctx.now) + ctx.spec.intervalMs - ctx.now,
    });
  }
  // Written once when the lag is first seen; later steps while it lasts write nothing.
  const s: RunState = shifting(state)
    ? state
    : { ...state, lastAnalysisAt: ctx.now, trafficShift: { since: ctx.now } };
  const since = s.trafficShift?.since ?? ctx.now;
  const kind = routeKind(ctx);
  const rejected = ctx.observed.routeRejection ?? null;
  const refusal =
    rejected === null ? '' : `: the mesh refused it (${rejected.reason}): ${rejected.message}`;
  if (overdue(ctx, since)) {
    return rollback(
      ctx,
      s,
      'progressDeadline',
      'ProgressDeadlineExceeded',
      `the ${kind} did not reach canary weight ${weight} within the progress deadline${refusal}`,
    );
  }
  if (rejected !== null) {
    // Said at once, with the mesh's own words: it needs a person, and the deadline still holds.
    return verdict(s, ROUTE_REJECTED, `routing ${weight}% to the canary${refusal}`, {
      announce: 'Warning',
      requeueAfterMs: untilDeadline(ctx, since),
    });
  }
  return verdict(
    s,
    SHIFTING_TRAFFIC,
    `routing ${weight}% to the canary; analysis resumes one interval after the ${kind} shows it`,
    { requeueAfterMs: untilDeadline(ctx, since) },
  );
}

/**
 * The split shows the weight now; if it lagged until this step, restart the analysis clock here.
 * Returns null when there is nothing to restart.
 */
export function trafficShifted(ctx: Ctx, state: RunState): Step | null {
  if (!shifting(state)) return null;
  const s: RunState = { ...state, lastAnalysisAt: ctx.now, trafficShift: null };
  const reason = state.phase === 'WaitingPromotion' ? 'WaitingPromotion' : 'Progressing';
  return verdict(s, reason, `canary weight ${state.canaryWeight}; analysing it for one interval`, {
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

/** Phases in which a weight is being measured (a run before promotion). */
const measuring = (state: RunState): boolean => measuresCanary(state.phase);

/**
 * `next` (any verdict's state) with the lag recorded when this step sees the split behind a weight
 * it did not just set. A step that changes the weight routes it itself; the next step sees
 * whether the split followed.
 */
export function noteTrafficLag(ctx: Ctx, next: RunState): RunState {
  const { prev, observed } = ctx;
  if (
    !measuring(next) ||
    next.phase !== prev.phase ||
    next.canaryWeight !== prev.canaryWeight ||
    next.trafficShift !== null ||
    routesAt(observed.routes, next.canaryWeight) ||
    awaitingAcceptance(ctx, next)
  )
    return next;
  return { ...next, trafficShift: { since: ctx.now } };
}

/** Write times have 1 s resolution: a write stamped second S happened before S + 1 s. */
const WRITE_TIME_RESOLUTION_MS = 1_000;

/** How long a step is measured: one interval, or the longest metric window if that is longer. */
export const stepLength = (ctx: Ctx): number => Math.max(ctx.spec.intervalMs, ctx.spec.windowMs);

/**
 * When traffic at the status weight began to be measured: the analysis clock, or later if the
 * route object was written after it, e.g. a split set to the weight by hand while the controller
 * was down, which no step saw lagging. A write stamped in the same second as the clock's start
 * counts as before it (so our own route change right after a weight change does not delay the
 * step); a later one restarts the measurement at the end of its second. A write time later than
 * the controller's own clock means the two clocks disagree; it is not used (else every step
 * would wait out the difference). null before the first tick.
 */
export function measuredSince(ctx: Ctx, state: RunState): number | null {
  const clock = state.lastAnalysisAt;
  const written = ctx.observed.routesWrittenAt;
  if (clock === null || written === null || written <= clock || written > ctx.now) return clock;
  return written + WRITE_TIME_RESOLUTION_MS;
}
