// Pre-flight's window rule (issue 12 item 2): a window that holds fewer than MIN_SCRAPES scrapes
// of the series its query reads can never be measured (rate() and increase() need two samples),
// so the run is refused before traffic moves instead of holding on "no data" at every weight.
// The scrape interval is the server's own: the job that scrapes the query's series when the jobs
// differ and the series say which; else the slowest job, so a window is never let through on a
// guess in its favour.
import { parseGoDuration } from '../metrics/duration.js';
import { formatDuration } from '../time/duration.js';
import type { PrometheusEndpoint } from '../metrics/executor.js';
import { metricNames } from '../metrics/promql-names.js';
import {
  MIN_SCRAPES,
  minimumWindowMs,
  scrapesInWindow,
  type ScrapeIntervals,
} from '../metrics/scrape-interval.js';
import { PREFLIGHT_REASONS, type PreflightReason } from './preflight-problems.js';
import type { PreflightRun } from './preflight-run.js';

/** The interval a window is held against, and whose it is (for the message). */
export interface ScrapeChoice {
  readonly ms: number;
  readonly whose: string;
}

/** "90s", "2m", "1h", "1500ms" (src/time/duration.ts). */
export const formatMs = formatDuration;

/**
 * The interval that decides: all jobs alike -> theirs; else the slowest of the jobs the query's
 * series come from (`jobsRead`), or of all jobs when those are unknown.
 */
export function chooseScrapeInterval(
  intervals: ScrapeIntervals,
  jobsRead: readonly string[] | undefined,
): ScrapeChoice {
  const jobs = [...intervals.jobs];
  const slowest = (list: readonly [string, number][]): [string, number] | undefined =>
    list.reduce<[string, number] | undefined>(
      (a, j) => (a === undefined || j[1] > a[1] ? j : a),
      undefined,
    );
  const all = slowest(jobs);
  if (all === undefined) return { ms: intervals.globalMs, whose: 'its global scrape_interval' };
  if (new Set(jobs.map(([, ms]) => ms)).size === 1) {
    return { ms: all[1], whose: jobs.length === 1 ? `job "${all[0]}"` : 'every job' };
  }
  const read = slowest(jobs.filter(([name]) => jobsRead?.includes(name) === true));
  if (read !== undefined) return { ms: read[1], whose: `job "${read[0]}"` };
  return {
    ms: all[1],
    whose: `its slowest job "${all[0]}" (which job scrapes the query's series is unknown)`,
  };
}

export function windowTooShortMessage(
  window: string,
  address: string,
  choice: ScrapeChoice,
): string {
  return `window ${window} holds fewer than ${MIN_SCRAPES} scrapes: ${address} scrapes ${choice.whose} every ${formatMs(choice.ms)}; use a window of at least ${formatMs(minimumWindowMs(choice.ms))}`;
}

export interface WindowProblem {
  readonly reason: PreflightReason;
  readonly message: string;
}

/**
 * The problem with measuring `query` over `window` on `endpoint`, if any. A server that does not
 * serve its config (Prometheus-compatible queriers such as Thanos may not) leaves the window
 * unchecked: a note says so (the controller's log, `weightlifter validate`), and the run is not
 * held on a rule it cannot evaluate — the query itself did run.
 */
export async function windowProblem(
  run: PreflightRun,
  window: string,
  endpoint: PrometheusEndpoint,
  query: string,
): Promise<WindowProblem | { readonly note: string } | undefined> {
  const parsed = parseGoDuration(window);
  if (!parsed.ok) return { reason: PREFLIGHT_REASONS.queryInvalid, message: parsed.error.message };
  const config = await run.scrapeIntervals(endpoint);
  if (!config.ok) {
    return {
      note: `window ${window} not checked: cannot tell how often ${endpoint.address} scrapes: ${config.error.message}`,
    };
  }
  const intervals = config.value;
  let jobsRead: readonly string[] | undefined;
  if (new Set(intervals.jobs.values()).size > 1) {
    const jobs = await run.jobsOf(endpoint, metricNames(query));
    // Unknown jobs fall back to the slowest one, as the message says: never a guess that passes.
    jobsRead = jobs.ok ? jobs.value : undefined;
  }
  const choice = chooseScrapeInterval(intervals, jobsRead);
  if (scrapesInWindow(parsed.ms, choice.ms) >= MIN_SCRAPES) return undefined;
  return {
    reason: PREFLIGHT_REASONS.windowTooShort,
    message: windowTooShortMessage(window, endpoint.address, choice),
  };
}

/**
 * A compare check's window holds floor(window / step) points a side, a point every MIN_SCRAPES
 * scrape intervals (compare-series.ts); fewer than minSamples and every step would be
 * Inconclusive, so the run is refused before traffic moves. The query's own window rule does not
 * apply: compare renders {{ interval }} as the step, not the window.
 */
export async function compareWindowProblem(
  run: PreflightRun,
  window: string,
  endpoint: PrometheusEndpoint,
  minSamples: number,
): Promise<WindowProblem | { readonly note: string } | undefined> {
  const parsed = parseGoDuration(window);
  if (!parsed.ok) return { reason: PREFLIGHT_REASONS.queryInvalid, message: parsed.error.message };
  const config = await run.scrapeIntervals(endpoint);
  if (!config.ok) {
    return {
      note: `compare window ${window} not checked: cannot tell how often ${endpoint.address} scrapes: ${config.error.message}`,
    };
  }
  const choice = chooseScrapeInterval(config.value, undefined);
  const stepMs = MIN_SCRAPES * choice.ms;
  const points = Math.floor(parsed.ms / stepMs);
  if (points >= minSamples) return undefined;
  return {
    reason: PREFLIGHT_REASONS.windowTooShort,
    message: `compare window ${window} holds ${points} points a side, fewer than minSamples ${minSamples}: a point every ${formatMs(stepMs)} (${MIN_SCRAPES} scrape intervals: ${endpoint.address} scrapes ${choice.whose} every ${formatMs(choice.ms)}); use a window of at least ${formatMs(minSamples * stepMs)}`,
  };
}
