// Go duration strings ("30s", "1m30s", "1.5h", "500ms") as used by Canary intervals, metric
// windows, webhook timeouts and the SMI metrics API's `?t=` / `window`. PromQL range selectors do
// not accept fractions ("1.5m"), so windows are re-rendered from milliseconds before they go into
// a query.
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';

export type DurationResult =
  { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly error: MetricsError };

const UNIT_MS = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
} as const;
type Unit = keyof typeof UNIT_MS;

const WHOLE = /^([+-])?((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+|0)$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;

export function parseGoDuration(text: string): DurationResult {
  const whole = WHOLE.exec(text.trim());
  if (whole === null) {
    const message = `invalid duration "${text}" (expected e.g. 30s, 1m30s, 500ms)`;
    return {
      ok: false,
      error: new MetricsError(METRICS_ERROR_REASONS.invalidDuration, message, {
        details: { duration: text },
      }),
    };
  }
  let ms = 0;
  for (const [, amount, unit] of (whole[2] ?? '').matchAll(PART)) {
    ms += Number(amount) * UNIT_MS[unit as Unit];
  }
  return { ok: true, ms: whole[1] === '-' ? -ms : ms };
}

/** A PromQL range duration for `ms` (whole milliseconds; seconds when they divide evenly). */
export function promDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}
