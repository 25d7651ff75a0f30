/**
 * The annotations that tell the mesh emulator how an emulated workload behaves. Pod-template
 * annotations live on the Deployment's `spec.template.metadata.annotations`, so promoting a
 * template to `<name>-primary` carries its behaviour along; Service annotations shape the load.
 *
 * Bad values never stop the emulator (one typo must not take the whole world down): the value is
 * ignored, the default applies, and the problem is reported with a reason (emulator.problems()
 * and a warning log line).
 */
export const EMULATOR_ANNOTATIONS = {
  /** Fraction of responses that fail (5xx), 0..1. Default 0. */
  errorRate: 'emulator.weightlifter.io/error-rate',
  /**
   * errorRate applies only while the backend these pods serve has at least this share of its
   * route, in percent of the route's total weight (TrafficSplit, HTTPRoute rule), 0..100 (a plain
   * Service is 100). So a canary can be bad only from a given weight on. Default 0 (always).
   */
  errorRateFromWeight: 'emulator.weightlifter.io/error-rate-from-weight',
  /** HTTP status of failed responses, 500..599. Default 500. */
  errorStatus: 'emulator.weightlifter.io/error-status',
  /** Mean response latency in milliseconds, >= 0. Default 5. */
  latencyMs: 'emulator.weightlifter.io/latency-ms',
  /** Latency spread: uniform in mean*(1±jitter), 0..1. Default 0.1. */
  latencyJitter: 'emulator.weightlifter.io/latency-jitter',
  /** "false": pods never become Ready (no traffic; ProgressDeadlineExceeded). Default "true". */
  ready: 'emulator.weightlifter.io/ready',
  /** Seconds from pod creation to Ready (kubelet role only), >= 0. Default 0. */
  readyDelaySeconds: 'emulator.weightlifter.io/ready-delay-seconds',
  /**
   * CPU a pod uses per request per second it handles, in millicores, >= 0 (the resource metrics
   * API, resource-usage.ts: a small base plus this times the pod's requests per second).
   * Default 0 (the base alone).
   */
  cpuMillicoresPerRps: 'emulator.weightlifter.io/cpu-millicores-per-rps',
  /** On a Service: requests per second of synthetic load against it, >= 0. Default: world's. */
  rps: 'emulator.weightlifter.io/rps',
  /**
   * On an HTTPRoute: the emulated GAMMA mesh does not accept it. Every Service parent gets
   * Accepted=False, reason Rejected, with the value as its message (empty: a default one), and
   * the route routes nothing.
   */
  reject: 'emulator.weightlifter.io/reject',
} as const;

export interface PodBehaviour {
  readonly errorRate: number;
  readonly errorRateFromWeight: number;
  readonly errorStatus: number;
  readonly latencyMs: number;
  readonly latencyJitter: number;
  readonly ready: boolean;
  readonly readyDelaySeconds: number;
  readonly cpuMillicoresPerRps: number;
}

export const DEFAULT_BEHAVIOUR: PodBehaviour = {
  errorRate: 0,
  errorRateFromWeight: 0,
  errorStatus: 500,
  latencyMs: 5,
  latencyJitter: 0.1,
  ready: true,
  readyDelaySeconds: 0,
  cpuMillicoresPerRps: 0,
};

export interface AnnotationProblem {
  readonly key: string;
  readonly value: string;
  readonly reason: string;
}

export interface Parsed<T> {
  readonly value: T;
  readonly problems: readonly AnnotationProblem[];
}

type Annotations = Readonly<Record<string, string>> | undefined;

interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

function numberAt(
  annotations: Annotations,
  key: string,
  rule: NumberRule,
  fallback: number,
  problems: AnnotationProblem[],
): number {
  const raw = annotations?.[key];
  if (raw === undefined) return fallback;
  const trimmed = raw.trim();
  // Number('') is 0 and Number('0x10') is 16: neither is what someone writing "" or hex meant.
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
  let reason: string | undefined;
  if (!Number.isFinite(value)) reason = 'not a number';
  else if (rule.integer === true && !Number.isInteger(value)) reason = 'not an integer';
  else if (value < rule.min || value > rule.max) reason = `out of range [${rule.min}, ${rule.max}]`;
  if (reason === undefined) return value;
  problems.push({ key, value: raw, reason: `${reason}; using ${fallback}` });
  return fallback;
}

function booleanAt(
  annotations: Annotations,
  key: string,
  fallback: boolean,
  problems: AnnotationProblem[],
): boolean {
  const raw = annotations?.[key];
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  problems.push({ key, value: raw, reason: `not "true" or "false"; using ${String(fallback)}` });
  return fallback;
}

/** How pods of a template behave, from the template's annotations. */
export function parsePodBehaviour(annotations: Annotations): Parsed<PodBehaviour> {
  const problems: AnnotationProblem[] = [];
  const k = EMULATOR_ANNOTATIONS;
  const d = DEFAULT_BEHAVIOUR;
  const value: PodBehaviour = {
    errorRate: numberAt(annotations, k.errorRate, { min: 0, max: 1 }, d.errorRate, problems),
    errorRateFromWeight: numberAt(
      annotations,
      k.errorRateFromWeight,
      { min: 0, max: 100 },
      d.errorRateFromWeight,
      problems,
    ),
    errorStatus: numberAt(
      annotations,
      k.errorStatus,
      { min: 500, max: 599, integer: true },
      d.errorStatus,
      problems,
    ),
    latencyMs: numberAt(
      annotations,
      k.latencyMs,
      { min: 0, max: 3_600_000 },
      d.latencyMs,
      problems,
    ),
    latencyJitter: numberAt(
      annotations,
      k.latencyJitter,
      { min: 0, max: 1 },
      d.latencyJitter,
      problems,
    ),
    ready: booleanAt(annotations, k.ready, d.ready, problems),
    readyDelaySeconds: numberAt(
      annotations,
      k.readyDelaySeconds,
      { min: 0, max: 86_400 },
      d.readyDelaySeconds,
      problems,
    ),
    cpuMillicoresPerRps: numberAt(
      annotations,
      k.cpuMillicoresPerRps,
      { min: 0, max: 1_000_000 },
      d.cpuMillicoresPerRps,
      problems,
    ),
  };
  return { value, problems };
}

/** Requests per second against a Service, from its annotation, else `defaultRps`. */
export function parseServiceRps(annotations: Annotations, defaultRps: number): Parsed<number> {
  const problems: AnnotationProblem[] = [];
  const value = numberAt(
    annotations,
    EMULATOR_ANNOTATIONS.rps,
    { min: 0, max: 1_000_000 },
    defaultRps,
    problems,
  );
  return { value, problems };
}

/** True when the Service names its own rate (an explicit opt-in or opt-out of load). */
export function hasRpsAnnotation(annotations: Annotations): boolean {
  return annotations?.[EMULATOR_ANNOTATIONS.rps] !== undefined;
}
