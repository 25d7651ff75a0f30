// The `trafficMetrics` metrics from the raw TrafficMetrics figures, whichever source produced them
// (the SMI metrics API or Prometheus): success rate = success / (success + failure) * 100,
// request rate = requests / window seconds, latencies in milliseconds. The request count rides
// along with every result so `minRequests` applies to all of them.
import type { TrafficMetricName } from '../api/constants.js';
import { noDataResult, valueResult, type MetricResult } from './source.js';

/** SMI TrafficMetrics metric names (metrics.smi-spec.io/v1alpha1 `AvailableMetrics`). */
export const SMI_METRIC_NAMES = [
  'p99_response_latency',
  'p90_response_latency',
  'p50_response_latency',
  'success_count',
  'failure_count',
] as const;
export type SmiMetricName = (typeof SMI_METRIC_NAMES)[number];
export type TrafficValues = Partial<Record<SmiMetricName, number>>;

export const LATENCY_QUANTILES = {
  p50_response_latency: 0.5,
  p90_response_latency: 0.9,
  p99_response_latency: 0.99,
} as const;
export type LatencyMetric = keyof typeof LATENCY_QUANTILES;

export function isLatencyMetric(metric: TrafficMetricName): metric is LatencyMetric {
  return metric in LATENCY_QUANTILES;
}

export function trafficMetricResult(
  metric: TrafficMetricName,
  values: TrafficValues,
  windowSeconds: number,
): MetricResult {
  const success = values.success_count;
  const failure = values.failure_count;
  const total =
    success === undefined || failure === undefined || Number.isNaN(success + failure)
      ? undefined
      : success + failure;
  switch (metric) {
    case 'success-rate':
      if (total === undefined) return noDataResult('no request counts for the target');
      if (total === 0 || success === undefined) return noDataResult('no requests in the window', 0);
      return valueResult((success / total) * 100, total);
    case 'request-rate':
      if (total === undefined) return noDataResult('no request counts for the target');
      return valueResult(total / windowSeconds, total);
    case 'success_count':
    case 'failure_count': {
      const count = values[metric];
      if (count === undefined || total === undefined) {
        return noDataResult('no request counts for the target');
      }
      return valueResult(count, total);
    }
    default: {
      const latency = values[metric];
      if (latency === undefined) return noDataResult(`no ${metric} for the target`, total);
      if (Number.isNaN(latency)) return noDataResult(`${metric} is NaN (no requests)`, total);
      return valueResult(latency, total);
    }
  }
}
