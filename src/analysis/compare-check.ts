// A compare check's result: the canary's series judged against the primary's
// (compare/samples.ts), as a MetricCheckResult with the evidence status.lastAnalysis carries.
//
// Order of the rules (as evaluate.ts for threshold checks):
// 1. the series could not be read                       -> Error
//    asked before the window was complete                -> Inconclusive
// 2. a side has no point at all (kayenta#799)           -> the check's `noData` policy
// 3. a side has fewer than minSamples points            -> Inconclusive
// 4. the judge's verdict (compare/verdict.ts)           -> Failed or Successful
import type { Compare, CompareRecord } from '../api/canary.js';
import type { NoDataPolicy } from '../api/constants.js';
import { STORED_DEFAULTS } from '../api/defaults.js';
import type { CompareDirection } from '../api/constants.js';
import type { MetricResult } from '../metrics/source.js';
import { compareCounts, type Counts } from './compare/counts.js';
import { compareSamples, type SampleComparison } from './compare/samples.js';
import type { CompareCriteria } from './compare/verdict.js';
import type { SeriesResult } from './compare-series.js';
import { noDataVerdict, type MetricCheckResult } from './evaluate.js';

export interface CompareCheck {
  readonly metric: string;
  readonly compare: Compare;
  readonly noData: NoDataPolicy;
  /** What the canary is judged against (spec.analysis.baseline), as messages name it. */
  readonly control?: 'primary' | 'baseline';
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/** The finite numbers of `numbers` (status is JSON: no NaN, no ±Infinity, no undefined). */
function finiteOnly(numbers: Readonly<Record<string, number | undefined>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(numbers).filter((e): e is [string, number] => finite(e[1])),
  );
}

function side(samples: number, median: number): CompareRecord['canary'] {
  return finite(median) ? { samples, median } : { samples };
}

/** The comparison's numbers, finite ones only (status is JSON: no NaN, no ±Infinity). */
export function compareRecord(c: SampleComparison): CompareRecord {
  const numbers = {
    shift: c.shift?.estimate,
    shiftLower: c.shift?.lower,
    shiftUpper: c.shift?.upper,
    pValue: c.pValue,
    meanRatio: c.meanRatio,
  };
  return {
    canary: side(c.canary.n, c.canary.median),
    primary: side(c.control.n, c.control.median),
    ...finiteOnly(numbers),
  };
}

/** What compare criteria a check's spec gives (defaults filled), with the primary as control. */
function criteria(check: CompareCheck, direction: CompareDirection): CompareCriteria {
  const d = STORED_DEFAULTS.compare;
  const { compare } = check;
  return {
    metric: check.metric,
    direction,
    confidence: compare.confidence ?? d.confidence,
    tolerance: compare.tolerance ?? d.tolerance,
    minSamples: compare.minSamples ?? d.minSamples,
    control: check.control ?? 'primary',
    ...(compare.maxRatio === undefined ? {} : { maxRatio: compare.maxRatio }),
    ...(compare.minRatio === undefined ? {} : { minRatio: compare.minRatio }),
  };
}

/** A success rate falls when the failure rate rises: the counts are judged on failures. */
const FAILURE_DIRECTION = {
  increase: 'decrease',
  decrease: 'increase',
  either: 'either',
} as const satisfies Record<CompareDirection, CompareDirection>;

/**
 * A success-rate compare: each side's failures out of requests (a failure_count measurement: the
 * failures, with the request count), by Fisher's exact test. The check's direction is the success
 * rate's; the counts are judged on the failure rate, so it is turned around.
 */
export function judgeCounts(
  canary: MetricResult,
  primary: MetricResult,
  check: CompareCheck,
): MetricCheckResult {
  const { metric } = check;
  const sides = [
    ['canary', canary],
    [check.control ?? 'primary', primary],
  ] as const;
  for (const [name, r] of sides) {
    if (r.kind === 'error') {
      return { metric, result: 'Error', message: `${name}: ${r.error.message}`, error: r.error };
    }
  }
  for (const [name, r] of sides) {
    if (r.kind === 'inconclusive') {
      return { metric, result: 'Inconclusive', message: `${name}: ${r.reason}` };
    }
  }
  // Whole requests: Prometheus's increase() extrapolates to fractions, and Fisher's exact test
  // (and status, which stores integers) needs counts.
  const counts = (r: MetricResult): Counts | undefined => {
    if (r.kind !== 'value' || r.requests === undefined) return undefined;
    const total = Math.round(r.requests);
    return total > 0 ? { failures: Math.min(total, Math.round(r.value)), total } : undefined;
  };
  const c = counts(canary);
  const p = counts(primary);
  if (c === undefined || p === undefined) {
    const which = [
      c === undefined ? 'canary' : [],
      p === undefined ? (check.control ?? 'primary') : [],
    ];
    return noDataVerdict(
      metric,
      check.noData,
      `no requests to the ${which.flat().join(' or the ')}`,
    );
  }
  const judged = compareCounts(c, p, criteria(check, FAILURE_DIRECTION[check.compare.direction]));
  const successRate = 100 * (1 - c.failures / c.total);
  const shift =
    judged.pValue === undefined ? undefined : c.failures / c.total - p.failures / p.total;
  const numbers = { shift, pValue: judged.pValue, meanRatio: judged.rateRatio };
  return {
    metric,
    result: judged.result,
    ...(judged.result === 'Inconclusive' ? {} : { value: successRate }),
    message: judged.message,
    compare: {
      canary: { samples: c.total, failures: c.failures },
      primary: { samples: p.total, failures: p.failures },
      ...finiteOnly(numbers),
    },
  };
}

export function judgeSeries(series: SeriesResult, check: CompareCheck): MetricCheckResult {
  const { metric } = check;
  if (series.kind === 'error') {
    return { metric, result: 'Error', message: series.error.message, error: series.error };
  }
  if (series.kind === 'inconclusive') {
    return { metric, result: 'Inconclusive', message: series.reason };
  }
  const canary = series.canary.filter((v) => !Number.isNaN(v));
  const primary = series.primary.filter((v) => !Number.isNaN(v));
  if (canary.length === 0 || primary.length === 0) {
    const control = check.control ?? 'primary';
    const which = [canary.length === 0 ? 'canary' : [], primary.length === 0 ? control : []];
    return noDataVerdict(metric, check.noData, `no data from the ${which.flat().join(' or the ')}`);
  }
  const judged = compareSamples(canary, primary, criteria(check, check.compare.direction));
  const value = judged.result === 'Inconclusive' ? undefined : judged.canary.median;
  return {
    metric,
    result: judged.result,
    ...(finite(value) ? { value } : {}),
    message: judged.message,
    compare: compareRecord(judged),
  };
}
