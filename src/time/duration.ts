// The one duration parser, with its two grammars:
// - the Canary's (CRD_DURATION): what the CRD's CEL rules admit for intervals, windows and webhook
//   timeouts ("30s", "1m30s", "1.5h", "500ms": units ms, s, m, h; no sign). The controller's own
//   flags and the CLI use it too.
// - Go's time.ParseDuration form, a superset, for what other servers send (the SMI metrics API's
//   `?t=` and `window`: "1m0s", "0", "1500us", a sign).
// test/unit/time/duration.test.ts runs one table through the parser and the CRD's own rule.

/** The CRD's rule, as it stands in crds/canary.yaml (`self.matches(...)`). */
export const CRD_DURATION = /^([0-9]+([.][0-9]+)?(ms|s|m|h))+$/;
const GO_DURATION = /^([+-])?((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+|0)$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;

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

function sum(parts: string): number {
  let ms = 0;
  for (const [, amount, unit] of parts.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit as Unit];
  return ms;
}

/** A duration in the Canary's grammar, in whole ms; null when the CRD would refuse its form. */
export function parseDuration(text: string): number | null {
  return CRD_DURATION.test(text) ? Math.round(sum(text)) : null;
}

/** A duration in Go's grammar, in ms (fractions kept); null when malformed. */
export function parseGoDurationMs(text: string): number | null {
  const whole = GO_DURATION.exec(text.trim());
  if (whole === null) return null;
  const ms = sum(whole[2] ?? '');
  return whole[1] === '-' ? -ms : ms;
}

/** "90s", "2m", "1h", "1500ms": the shortest exact duration in whole units of one kind. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${Math.round(ms)}ms`;
}
