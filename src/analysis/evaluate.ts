// Turning one measurement into a check result — a value, never an exception (Argo Rollouts'
// Successful / Failed / Inconclusive / Error).
//
// Order of the rules:
// 1. the query failed                                   -> Error
//    asked before the step's window was complete          -> Inconclusive (nothing was measured)
// 2. no data: empty result, NaN, or a request count of 0 -> the metric's `noData` policy
//    (fail -> Failed, inconclusive -> Inconclusive, pass -> Successful); "no traffic" is the most
//    common Flagger complaint when it is always a failure
// 3. fewer requests than `minRequests` (only when the source reports a request count)
//                                                       -> Inconclusive
// 4. value outside thresholdRange (bounds inclusive)    -> Failed, else Successful
import type { CompareRecord } from '../api/canary.js';
import type { MeasurementResult, NoDataPolicy } from '../api/constants.js';

export type Measurement =
  | { readonly kind: 'value'; readonly value: number; readonly requests?: number }
  | { readonly kind: 'noData'; readonly requests?: number }
  | { readonly kind: 'inconclusive'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: Error };

export interface Criteria {
  readonly metric: string;
  readonly thresholdRange: { readonly min?: number; readonly max?: number };
  readonly noData: NoDataPolicy;
  /** 0 disables the rule. */
  readonly minRequests: number;
}

export interface MetricCheckResult {
  readonly metric: string;
  readonly result: MeasurementResult;
  readonly value?: number;
  /** The requests the value was measured on, when the source reports a count (fail-fast). */
  readonly requests?: number;
  readonly message: string;
  /** The failure behind an Error result, for logs. */
  readonly error?: Error;
  /** A compare check's evidence (compare-check.ts). */
  readonly compare?: CompareRecord;
}

const NO_DATA_RESULT = {
  fail: 'Failed',
  inconclusive: 'Inconclusive',
  pass: 'Successful',
} as const satisfies Record<NoDataPolicy, MeasurementResult>;

/** A check without data, as its `noData` policy says. */
export function noDataVerdict(
  metric: string,
  policy: NoDataPolicy,
  why: string,
): MetricCheckResult {
  return { metric, result: NO_DATA_RESULT[policy], message: `${why} (noData: ${policy})` };
}

const noData = (c: Criteria, why: string): MetricCheckResult =>
  noDataVerdict(c.metric, c.noData, why);

export function evaluateMeasurement(m: Measurement, c: Criteria): MetricCheckResult {
  if (m.kind === 'error') {
    return { metric: c.metric, result: 'Error', message: m.error.message, error: m.error };
  }
  if (m.kind === 'inconclusive') {
    return { metric: c.metric, result: 'Inconclusive', message: m.reason };
  }
  if (m.kind === 'noData') return noData(c, 'no data');
  if (Number.isNaN(m.value)) return noData(c, 'no data (NaN)');
  if (m.requests === 0) return noData(c, 'no requests');
  const { value } = m;
  if (m.requests !== undefined && m.requests < c.minRequests) {
    const message = `${m.requests} requests < minRequests ${c.minRequests}`;
    return { metric: c.metric, result: 'Inconclusive', value, message };
  }
  const counted = m.requests === undefined ? {} : { requests: m.requests };
  const { min, max } = c.thresholdRange;
  if (min !== undefined && value < min) {
    const message = `${value} < min ${min}`;
    return { metric: c.metric, result: 'Failed', value, ...counted, message };
  }
  if (max !== undefined && value > max) {
    const message = `${value} > max ${max}`;
    return { metric: c.metric, result: 'Failed', value, ...counted, message };
  }
  return {
    metric: c.metric,
    result: 'Successful',
    value,
    ...counted,
    message: `${value} within range`,
  };
}
