// Fail fast (spec.analysis.failFast, on by default): between a step's start and its tick, the
// metric checks are also run at every scrape. An evaluation is made at a point of the scrape grid
// (multiples of the scrape interval counted from the epoch) over the trailing EARLY_WINDOW_SCRAPES
// scrape intervals (each check's window shortened to that; analysis/checks.ts), and only once that
// window begins at or after the step's start: it never measures traffic from before the step.
// Every Canary with the same cadence evaluated in one scrape interval asks about the same window,
// so one batched query (metrics/batcher.ts) answers all the checks of a namespace that share a
// query shape, whenever their steps began. A check that fails on a measured value with at least
// minRequests requests is recorded in status.failFast (at the evaluated point); failing again at
// the next evaluation, a scrape interval or more later, rolls the run back at once (the rule
// failFast in rules.ts). Any other result clears the record.
// Fail-fast only ever fails a run: it never passes, advances or holds a step, and counts no
// failed check; the step's tick (tick.ts) still judges it at the end of its interval.
//
// The cadence is the scrape interval the run's pre-flight read (status.failFast.every); when it
// could read none, FAIL_FAST_FALLBACK_MS.
import type { MetricCheckResult } from '../../analysis/evaluate.js';
import { CONDITION_REASONS as R } from '../../api/constants.js';
import { describeProblems } from '../../analysis/outcome.js';
import { measuresTraffic, type Strategy } from '../../progression/index.js';
import { formatDuration } from '../../time/duration.js';
import { keep, need, type Ctx, type Step } from '../draft.js';
import type { FailFastState, RunState } from '../resume.js';
import { records } from './tick.js';
import { rollback } from './transitions.js';

/** The cadence when the run's pre-flight could read no scrape interval. */
export const FAIL_FAST_FALLBACK_MS = 10_000;

export const failFastEvery = (f: FailFastState): number => f.everyMs ?? FAIL_FAST_FALLBACK_MS;

/**
 * How many scrape intervals a fail-fast evaluation's window spans: two, so a rate() over it has
 * at least two samples of the counters it reads.
 */
export const EARLY_WINDOW_SCRAPES = 2;

/** The latest point of the scrape grid at or before `now`: where an evaluation then measures. */
export const evaluatedAt = (f: FailFastState, now: number): number =>
  Math.floor(now / failFastEvery(f)) * failFastEvery(f);

/** The first point of the scrape grid at or after `t`. */
const gridCeil = (t: number, every: number): number => Math.ceil(t / every) * every;

/** The checks that failed on a measured value with at least `minRequests` requests. */
export function failingFast(results: readonly MetricCheckResult[], minRequests: number): string[] {
  return results
    .filter(
      (r) =>
        r.result === 'Failed' &&
        r.value !== undefined &&
        (minRequests === 0 || (r.requests ?? 0) >= minRequests),
    )
    .map((r) => r.metric);
}

/**
 * The checks that failed at the recorded evaluation of this step (begun at `since`) and fail
 * again at the one measured at `at`, at least one scrape interval later: the condition of the
 * rule failFast.
 */
export function failedTwice(
  f: FailFastState,
  since: number,
  at: number,
  failing: readonly string[],
): string[] {
  if (f.failedAt === null || f.failedAt < since || at < f.failedAt + failFastEvery(f)) return [];
  return failing.filter((m) => f.failed.includes(m));
}

const cleared = (state: RunState): RunState =>
  state.failFast.failedAt === null
    ? state
    : { ...state, failFast: { ...state.failFast, failedAt: null, failed: [] } };

/**
 * A fail-fast evaluation when one is due in the step measured since `since` whose tick is due at
 * `tickAt`; otherwise the wait until the next one (or the tick). Null when fail-fast does not
 * apply: turned off, no metric checks, or a tick that measures nothing (a run's first).
 */
export function failFast(
  ctx: Ctx,
  state: RunState,
  strategy: Strategy,
  since: number,
  tickAt: number,
): Step | null {
  const { spec, now } = ctx;
  const first = state.stepIndex === 0 && state.canaryWeight === 0 && state.iterations === 0;
  if (!spec.failFast || spec.checks.metrics === 0 || first || !measuresTraffic(strategy, state)) {
    return null;
  }
  const every = failFastEvery(state.failFast);
  const { failedAt } = state.failFast;
  // The next evaluation: at the first grid point whose trailing window fits in the step, and a
  // scrape after a failure.
  const dueAt = gridCeil(
    Math.max(
      since + EARLY_WINDOW_SCRAPES * every,
      failedAt !== null && failedAt >= since ? failedAt + every : 0,
    ),
    every,
  );
  const wait = (s: RunState, from: number): Step =>
    keep(s, { requeueAfterMs: Math.max(1, Math.min(tickAt, from) - now) });
  if (now < dueAt) return wait(state, dueAt);
  // At or after dueAt, so the window [until - earlyWindowMs, until] begins at or after `since`.
  const until = evaluatedAt(state.failFast, now);
  const checks = ctx.gathered.checks;
  if (checks === null) {
    const call = {
      phase: state.phase,
      revision: state.revision ?? '',
      canaryWeight: state.canaryWeight,
      since,
      until,
      earlyWindowMs: EARLY_WINDOW_SCRAPES * every,
    };
    return need({ kind: 'checks', call });
  }
  const next = until + every;
  const failing = failingFast(checks.results, spec.minRequests);
  if (failing.length === 0) return wait(cleared(state), next);
  const at = new Date(now).toISOString();
  const twice = failedTwice(state.failFast, since, until, failing);
  if (twice.length > 0) {
    const failed: RunState = { ...cleared(state), lastAnalysis: records(checks.results, at) };
    const message =
      `fail-fast: ${twice.join(', ')} failed at two successive evaluations ` +
      `${formatDuration(until - (failedAt ?? until))} apart, before the step's interval ended: ` +
      describeProblems(checks.results);
    return rollback(ctx, failed, 'failFast', R.failFast, message);
  }
  const suspect: RunState = {
    ...state,
    failFast: { ...state.failFast, failedAt: until, failed: failing },
    lastAnalysis: records(checks.results, at),
  };
  return wait(suspect, next);
}
