import { binomial, type Rng } from './rng.js';
import { quantityValue } from './quantity.js';

export interface SplitBackend {
  readonly service: string;
  /** Relative weight (SMI weights are relative, not percentages), >= 0. */
  readonly weight: number;
}

export interface ParsedBackends {
  readonly backends: readonly SplitBackend[];
  /** Backends that were skipped, with why (shown in emulator.problems()). */
  readonly problems: readonly string[];
}

/**
 * A TrafficSplit's backends, whatever version served it: with conversion None the stored JSON is
 * returned unchanged under every served version, so a v1alpha1 Quantity ("900m") can arrive
 * through a v1alpha4 watch and an integer through a v1alpha1 one. Both are accepted everywhere.
 */
export function parseBackends(spec: unknown): ParsedBackends {
  const raw = (spec as { backends?: unknown } | undefined)?.backends;
  if (!Array.isArray(raw)) return { backends: [], problems: ['spec.backends is not a list'] };
  const backends: SplitBackend[] = [];
  const problems: string[] = [];
  raw.forEach((b: unknown, i) => {
    const { service, weight } = (b ?? {}) as { service?: unknown; weight?: unknown };
    if (typeof service !== 'string' || service === '') {
      problems.push(`backends[${i}]: no service`);
      return;
    }
    let w: number;
    try {
      w = quantityValue(weight);
    } catch (err) {
      problems.push(`backends[${i}] (${service}): ${(err as Error).message}`);
      return;
    }
    if (w < 0) {
      problems.push(`backends[${i}] (${service}): negative weight ${w}`);
      return;
    }
    backends.push({ service, weight: w });
  });
  return { backends, problems };
}

/**
 * Picks indexes with probability proportional to their weight: a cumulative table and a binary
 * search, so one pick is O(log backends) whatever the weights.
 */
export class WeightedPicker {
  readonly #cumulative: Float64Array;
  readonly total: number;

  constructor(weights: readonly number[]) {
    this.#cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += w > 0 ? w : 0;
      this.#cumulative[i] = sum;
    });
    this.total = sum;
  }

  /** An index, or -1 when every weight is 0. */
  pick(rng: Rng): number {
    if (this.total <= 0) return -1;
    const x = rng.next() * this.total;
    const c = this.#cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < (c[mid] ?? 0)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * How `n` requests fall over the indexes. Each request is an independent weighted draw; past a
   * few dozen requests the same multinomial is drawn as a chain of binomials, so a tick's cost does
   * not grow with the request rate.
   */
  distribute(n: number, rng: Rng): number[] {
    const len = this.#cumulative.length;
    const counts = new Array<number>(len).fill(0);
    if (n <= 0 || this.total <= 0) return counts;
    if (n <= 32) {
      for (let i = 0; i < n; i++) {
        const idx = this.pick(rng);
        counts[idx] = (counts[idx] ?? 0) + 1;
      }
      return counts;
    }
    let left = n;
    let prev = 0;
    for (let i = 0; i < len && left > 0; i++) {
      const ci = this.#cumulative[i] ?? prev;
      const w = ci - prev;
      const restWeight = this.total - prev;
      prev = ci;
      const k = restWeight <= 0 ? 0 : binomial(left, w / restWeight, rng);
      counts[i] = k;
      left -= k;
    }
    return counts;
  }
}
