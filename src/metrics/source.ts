// The one narrow interface every metric source implements. A measurement is a value, never an
// exception: expected situations (no traffic, NaN, an unreachable Prometheus, a broken template)
// come back as `noData` or `error` results. The result type is structurally a
// src/analysis/evaluate.ts `Measurement`, so it goes straight into evaluateMeasurement().
import type { WeightlifterError } from '../telemetry/errors.js';

export interface MeasureContext {
  /** The Canary's namespace (`{{ namespace }}`). */
  readonly namespace: string;
  /** The canary Deployment's name (`{{ target }}`). */
  readonly target: string;
  /** The query window, a Go duration (`{{ interval }}`): the metric's interval or the analysis one. */
  readonly window: string;
  /**
   * How old a shared (batched) answer may be and still be handed out: the analysis interval in
   * ms. Each check gets a given answer at most once, so a tick that comes early never counts the
   * same measurement twice. @default 30_000
   */
  readonly maxAgeMs?: number;
}

export type MetricResult =
  | { readonly kind: 'value'; readonly value: number; readonly requests?: number }
  | { readonly kind: 'noData'; readonly reason: string; readonly requests?: number }
  | { readonly kind: 'error'; readonly error: WeightlifterError };

export interface MetricSource {
  /** Which implementation answers, for logs and status ("prometheus", "traffic-metrics-api", ...). */
  readonly kind: string;
  measure(ctx: MeasureContext): Promise<MetricResult>;
}

export const DEFAULT_MAX_AGE_MS = 30_000;

export function valueResult(value: number, requests?: number): MetricResult {
  return requests === undefined ? { kind: 'value', value } : { kind: 'value', value, requests };
}

export function noDataResult(reason: string, requests?: number): MetricResult {
  return requests === undefined ? { kind: 'noData', reason } : { kind: 'noData', reason, requests };
}

export function errorResult(error: WeightlifterError): MetricResult {
  return { kind: 'error', error };
}

/** A source that can only fail, for metrics that are misconfigured (no source, no template). */
export function failingSource(kind: string, error: WeightlifterError): MetricSource {
  return { kind, measure: () => Promise.resolve(errorResult(error)) };
}
