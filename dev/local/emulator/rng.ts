/**
 * Seeded randomness for the emulator: tests get reproducible streams, the running world a
 * time-seeded one. mulberry32 is tiny, fast and statistically good enough for traffic shaping.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Standard normal deviate (Box-Muller; one of the pair is dropped, which is fine here). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) is -Infinity
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Below this many trials a binomial is drawn trial by trial (exact); above, approximated. */
const EXACT_BINOMIAL_MAX = 40;

/**
 * Number of successes in `n` trials of probability `p`. Exact for small n; for large n a rounded,
 * clamped normal approximation, which keeps a tick's cost independent of the request rate.
 */
export function binomial(n: number, p: number, rng: Rng): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n <= EXACT_BINOMIAL_MAX) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng.next() < p) k++;
    return k;
  }
  const mean = n * p;
  const sd = Math.sqrt(mean * (1 - p));
  return Math.min(n, Math.max(0, Math.round(mean + sd * normal(rng))));
}
