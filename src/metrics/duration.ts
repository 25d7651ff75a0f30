// Go duration strings ("30s", "1m30s", "1.5h", "500ms"; parsed by src/time/duration.ts) as
// used by Canary intervals, metric windows, webhook timeouts and the SMI metrics API's `?t=` /
// `window`, with the metrics layer's error. PromQL range selectors do
// not accept fractions ("1.5m"), so windows are re-rendered from milliseconds before they go into
// a query.
import { parseGoDurationMs } from '../time/duration.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';

export type DurationResult =
  { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly error: MetricsError };

export function parseGoDuration(text: string): DurationResult {
  const ms = parseGoDurationMs(text);
  if (ms !== null) return { ok: true, ms };
  const message = `invalid duration "${text}" (expected e.g. 30s, 1m30s, 500ms)`;
  return {
    ok: false,
    error: new MetricsError(METRICS_ERROR_REASONS.invalidDuration, message, {
      details: { duration: text },
    }),
  };
}

/** A PromQL range duration for `ms` (whole milliseconds; seconds when they divide evenly). */
export function promDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}
