// The one narrow interface every metric source implements. A measurement is a value, never an
// exception: expected situations (no traffic, NaN, an unreachable Prometheus, a broken template)
// come back as `noData` or `error` results, and a check asked before its step's window is complete
// as `inconclusive`. The result type is structurally a
// src/analysis/evaluate.ts `Measurement`, so it goes straight into evaluateMeasurement().
import type { WeightlifterError } from '../errors/catalogue.js';
import { parseGoDuration } from './duration.js';

export interface MeasureContext {
  /** The Canary's namespace (`{{ namespace }}`). */
  readonly namespace: string;
  /** The canary Deployment's name (`{{ target }}`). */
  readonly target: string;
  /** The query window, a Go duration (`{{ interval }}`): the metric's interval or the analysis one. */
  readonly window: string;
  /**
   * Epoch ms when the step being judged began to be measured (ChecksCall.since). A source answers
   * only with data from after it: from a query made at or after `since + window`, its own or a
   * shared (batched) one. Asked earlier, it answers `inconclusive` without querying.
   */
  readonly since: number;
}

export type MetricResult =
  | { readonly kind: 'value'; readonly value: number; readonly requests?: number }
  | { readonly kind: 'noData'; readonly reason: string; readonly requests?: number }
  | { readonly kind: 'inconclusive'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: WeightlifterError };

export interface MetricSource {
  /** Which implementation answers, for logs and status ("prometheus", "traffic-metrics-api", ...). */
  readonly kind: string;
  measure(ctx: MeasureContext): Promise<MetricResult>;
}

export function valueResult(value: number, requests?: number): MetricResult {
  return requests === undefined ? { kind: 'value', value } : { kind: 'value', value, requests };
}

export function noDataResult(reason: string, requests?: number): MetricResult {
  return requests === undefined ? { kind: 'noData', reason } : { kind: 'noData', reason, requests };
}

export function errorResult(error: WeightlifterError): MetricResult {
  return { kind: 'error', error };
}

export function inconclusiveResult(reason: string): MetricResult {
  return { kind: 'inconclusive', reason };
}

/**
 * The window of `ctx` in ms when it can be measured at `now`; else the result to give instead:
 * an error for a window that is not a duration, `inconclusive` when the step began less than one
 * window ago (its window would still hold traffic from before the step).
 */
export function stepWindow(
  ctx: MeasureContext,
  now: number,
):
  | { readonly ok: true; readonly windowMs: number }
  | { readonly ok: false; readonly result: MetricResult } {
  const window = parseGoDuration(ctx.window);
  if (!window.ok) return { ok: false, result: errorResult(window.error) };
  const from = ctx.since + window.ms;
  if (now >= from) return { ok: true, windowMs: window.ms };
  const reason = `too early: the step began ${Math.max(0, now - ctx.since)} ms ago, less than its ${ctx.window} window`;
  return { ok: false, result: inconclusiveResult(reason) };
}

/** A source that can only fail, for metrics that are misconfigured (no source, no template). */
export function failingSource(kind: string, error: WeightlifterError): MetricSource {
  return { kind, measure: () => Promise.resolve(errorResult(error)) };
}
