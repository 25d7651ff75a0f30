// Fail fast (spec.analysis.failFast, on by default): between a step's start and its tick, the
// metric checks are also run at every scrape, each over the traffic since the step began (its
// window shortened to the whole scrape intervals elapsed; analysis/checks.ts). A check that
// fails on a measured value with at least minRequests requests is recorded in
// status.failFast; failing again at the next evaluation, a scrape interval or more later, rolls
// the run back at once (the rule failFast in rules.ts). Any other result clears the record.
// Fail-fast only ever fails a run: it never passes, advances or holds a step, and counts no
// failed check; the step's tick (tick.ts) still judges it at the end of its interval.
//
// The cadence is the scrape interval the run's pre-flight read (status.failFast.every); when it
// could read none, FAIL_FAST_FALLBACK_MS.
import type { MetricCheckResult } from '../../analysis/evaluate.js';
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
 * again now, at least one scrape interval later: the condition of the rule failFast.
 */
export function failedTwice(
  f: FailFastState,
  since: number,
  now: number,
  failing: readonly string[],
): string[] {
  if (f.failedAt === null || f.failedAt < since || now < f.failedAt + failFastEvery(f)) return [];
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
  const scrapes = Math.floor((now - since) / every);
  const { failedAt } = state.failFast;
  // The next evaluation: at the next whole scrape of the step, and a scrape after a failure.
  const dueAt = Math.max(
    since + Math.max(1, scrapes) * every,
    failedAt !== null && failedAt >= since ? failedAt + every : 0,
  );
  const wait = (s: RunState, from: number): Step =>
    keep(s, { requeueAfterMs: Math.max(1, Math.min(tickAt, from) - now) });
  if (now < dueAt) return wait(state, dueAt);
  const checks = ctx.gathered.checks;
  if (checks === null) {
    const call = {
      phase: state.phase,
      revision: state.revision ?? '',
      canaryWeight: state.canaryWeight,
      since,
      // Windows that end at the step's last whole scrape: the traffic since the step began.
      until: since + scrapes * every,
      earlyWindowMs: scrapes * every,
    };
    return need({ kind: 'checks', call });
  }
  const next = since + (scrapes + 1) * every;
  const failing = failingFast(checks.results, spec.minRequests);
  if (failing.length === 0) return wait(cleared(state), next);
  const at = new Date(now).toISOString();
  const twice = failedTwice(state.failFast, since, now, failing);
  if (twice.length > 0) {
    const failed: RunState = { ...cleared(state), lastAnalysis: records(checks.results, at) };
    const message =
      `fail-fast: ${twice.join(', ')} failed at two successive evaluations ` +
      `${formatDuration(now - (state.failFast.failedAt ?? now))} apart, before the step's interval ended: ` +
      describeProblems(checks.results);
    return rollback(ctx, failed, 'failFast', 'FailFast', message);
  }
  const suspect: RunState = {
    ...state,
    failFast: { ...state.failFast, failedAt: now, failed: failing },
    lastAnalysis: records(checks.results, at),
  };
  return wait(suspect, now + every);
}
