// The Hodges–Lehmann estimate of the shift between two samples and its distribution-free
// confidence interval (Hollander & Wolfe, Nonparametric Statistical Methods, 3rd ed., §4.3).
//
// The estimate is the median of all n1·n2 differences canary_i − control_j: positive when the
// canary is higher. The interval at confidence c is [D(k), D(n1·n2 + 1 − k)] of the sorted
// differences D (1-based), with k = floor(n1·n2/2 − z·sqrt(n1·n2·(n1 + n2 + 1)/12)) and z the
// normal quantile at 1 − (1 − c)/2. k is the large-sample critical value of U without the tie
// correction: ties shrink U's variance, so leaving them out widens the interval (conservative).
// When k < 1 the samples are too small for that confidence and the interval is unbounded
// (−∞, +∞) — e.g. one sample on each side, or two constant samples of four and five at 0.98.
import { normalQuantile } from './normal.js';
import { medianOfSorted } from './summary.js';

export interface ShiftEstimate {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
}

/** The sorted differences canary_i − control_j. */
function pairwiseDifferences(canary: readonly number[], control: readonly number[]): Float64Array {
  const d = new Float64Array(canary.length * control.length);
  let i = 0;
  for (const x of canary) for (const y of control) d[i++] = x - y;
  return d.sort();
}

/** The order statistic k of the interval (1-based); < 1 when the interval is unbounded. */
export function intervalRank(n1: number, n2: number, confidence: number): number {
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return Math.floor((n1 * n2) / 2 - z * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12));
}

export function hodgesLehmann(
  canary: readonly number[],
  control: readonly number[],
  confidence: number,
): ShiftEstimate {
  const d = pairwiseDifferences(canary, control);
  const estimate = medianOfSorted(d);
  const k = intervalRank(canary.length, control.length, confidence);
  if (k < 1) {
    return {
      estimate,
      lower: Number.NEGATIVE_INFINITY,
      upper: Number.POSITIVE_INFINITY,
      confidence,
    };
  }
  const lower = d[k - 1] ?? Number.NEGATIVE_INFINITY;
  const upper = d[d.length - k] ?? Number.POSITIVE_INFINITY;
  return { estimate, lower, upper, confidence };
}
