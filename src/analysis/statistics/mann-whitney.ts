// The two-sided Mann–Whitney U test (Wilcoxon rank-sum) by the normal approximation with the tie
// correction and the continuity correction: what scipy.stats.mannwhitneyu computes with
// use_continuity=True, alternative='two-sided', method='asymptotic'.
//
// Edge cases, as SciPy has them: when every value of both samples is the same there is no rank
// information (the variance is 0) and p = 1; with one value on each side p = 1 as well (the
// continuity correction eats the only possible difference). A side without values gives p = 1
// (no evidence); the judge never asks, it needs minSamples >= 1 on each side first.
import { normalSf } from './normal.js';

export interface MannWhitneyResult {
  /** U of the canary: the number of (canary, control) pairs the canary wins, ties counting 1/2. */
  readonly u: number;
  /** The standardized statistic after the continuity correction; 0 when the variance is 0. */
  readonly z: number;
  readonly pValue: number;
}

interface Ranked {
  /** The rank sum of the first sample. */
  readonly rankSum: number;
  /** Σ (t³ − t) over the groups of t tied values. */
  readonly tieTerm: number;
}

/** Ranks both samples together, giving tied values the mean of their ranks. */
function rankTogether(first: readonly number[], second: readonly number[]): Ranked {
  const all = [
    ...first.map((value) => ({ value, first: true })),
    ...second.map((value) => ({ value, first: false })),
  ].sort((a, b) => a.value - b.value);
  let rankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]?.value === all[i]?.value) j++;
    const t = j - i + 1;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]?.first === true) rankSum += rank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { rankSum, tieTerm };
}

export function mannWhitney(
  canary: readonly number[],
  control: readonly number[],
): MannWhitneyResult {
  const n1 = canary.length;
  const n2 = control.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pValue: 1 };
  const n = n1 + n2;
  const { rankSum, tieTerm } = rankTogether(canary, control);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const z = (Math.max(u, n1 * n2 - u) - mu - 0.5) / Math.sqrt(variance);
  return { u, z, pValue: Math.min(1, 2 * normalSf(z)) };
}
