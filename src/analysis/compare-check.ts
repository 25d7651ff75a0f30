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
import { compareSamples, type SampleComparison } from './compare/samples.js';
import type { SeriesResult } from './compare-series.js';
import { noDataVerdict, type MetricCheckResult } from './evaluate.js';

export interface CompareCheck {
  readonly metric: string;
  readonly compare: Compare;
  readonly noData: NoDataPolicy;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

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
    ...Object.fromEntries(Object.entries(numbers).filter(([, v]) => finite(v))),
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
    const which = [canary.length === 0 ? 'canary' : [], primary.length === 0 ? 'primary' : []];
    return noDataVerdict(metric, check.noData, `no data from the ${which.flat().join(' or the ')}`);
  }
  const d = STORED_DEFAULTS.compare;
  const { compare } = check;
  const judged = compareSamples(canary, primary, {
    metric,
    direction: compare.direction,
    confidence: compare.confidence ?? d.confidence,
    tolerance: compare.tolerance ?? d.tolerance,
    minSamples: compare.minSamples ?? d.minSamples,
    control: 'primary',
    ...(compare.maxRatio === undefined ? {} : { maxRatio: compare.maxRatio }),
    ...(compare.minRatio === undefined ? {} : { minRatio: compare.minRatio }),
  });
  const value = judged.result === 'Inconclusive' ? undefined : judged.canary.median;
  return {
    metric,
    result: judged.result,
    ...(finite(value) ? { value } : {}),
    message: judged.message,
    compare: compareRecord(judged),
  };
}
