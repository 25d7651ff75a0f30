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
   * only with data from after it: from a window that begins at or after it.
   */
  readonly since: number;
  /**
   * Epoch ms where the window ends (ChecksCall.until, a point of the step grid): Prometheus
   * sources evaluate their query at this time, so every Canary judged at the same point shares
   * one batched query. Asked before it, or with a window that would begin before `since`, a
   * source answers `inconclusive` without querying.
   */
  readonly until: number;
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
 * an error for a window that is not a duration, `inconclusive` when it would reach back before
 * the step began or end after `now` (its window would still hold traffic from before the step,
 * or from the future).
 */
export function stepWindow(
  ctx: MeasureContext,
  now: number,
):
  | { readonly ok: true; readonly windowMs: number }
  | { readonly ok: false; readonly result: MetricResult } {
  const window = parseGoDuration(ctx.window);
  if (!window.ok) return { ok: false, result: errorResult(window.error) };
  const begins = ctx.until - window.ms;
  if (begins >= ctx.since && ctx.until <= now) return { ok: true, windowMs: window.ms };
  const reason =
    begins < ctx.since
      ? `too early: the step began ${Math.max(0, ctx.until - ctx.since)} ms before the end of its ${ctx.window} window`
      : `too early: the window ends ${ctx.until - now} ms from now`;
  return { ok: false, result: inconclusiveResult(reason) };
}

/** A source that can only fail, for metrics that are misconfigured (no source, no template). */
export function failingSource(kind: string, error: WeightlifterError): MetricSource {
  return { kind, measure: () => Promise.resolve(errorResult(error)) };
}
