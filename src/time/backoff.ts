/** Capped exponential backoff, shared by the work queue, informers and leader election. */
export interface BackoffOptions {
  /** Delay after the first failure. @default 500 */
  readonly baseMs: number;
  /** Upper bound for any delay. @default 300_000 */
  readonly maxMs: number;
  /** Growth per consecutive failure. @default 2 */
  readonly factor?: number;
}

/** Delay before retry number `failures` (1 = first retry): base * factor^(failures-1), capped. */
export function backoffDelay(opts: BackoffOptions, failures: number): number {
  if (failures <= 0) return 0;
  const factor = opts.factor ?? 2;
  // Exponent capped so huge failure counts cannot overflow to Infinity/NaN.
  const exp = Math.min(failures - 1, 1000);
  const raw = opts.baseMs * Math.pow(factor, exp);
  return Number.isFinite(raw) ? Math.min(raw, opts.maxMs) : opts.maxMs;
}

/**
 * Spreads `ms` by up to `+fraction` (e.g. 0.2 = 0..20 % longer) so many informers or replicas
 * do not relist or retry in lockstep. `random` is injectable for deterministic tests.
 */
export function withJitter(
  ms: number,
  fraction: number,
  random: () => number = Math.random,
): number {
  return ms + ms * fraction * random();
}
