// Fisher's exact test, two-sided, on a 2×2 table of counts: what scipy.stats.fisher_exact
// computes with alternative='two-sided'. The p-value is the probability, with the margins fixed,
// of every table at most as probable as the observed one (within a relative 1e-7, so that tables
// equally probable by symmetry are counted despite rounding).
//
// The hypergeometric probabilities are built by their ratio recurrence from the mode (weight 1)
// and normalized by their sum: no log-gamma, no overflow; a weight too small for a double is 0,
// so p-values below about 1e-300 come out as 0.

/** [[a, b], [c, d]]: a, b the canary's failures and successes; c, d the control's. */
export type Table = readonly [readonly [number, number], readonly [number, number]];

const RELATIVE_TOLERANCE = 1e-7;

export function fisherExact([[a, b], [c, d]]: Table): number {
  const row = a + b; // the canary's total
  const col = a + c; // all failures
  const total = a + b + c + d;
  const lo = Math.max(0, row + col - total);
  const hi = Math.min(row, col);
  if (lo === hi) return 1;
  const mode = Math.min(hi, Math.max(lo, Math.floor(((row + 1) * (col + 1)) / (total + 2))));
  const weights = new Float64Array(hi - lo + 1);
  weights[mode - lo] = 1;
  // w(k + 1) / w(k) = (row − k)(col − k) / ((k + 1)(total − row − col + k + 1))
  for (let k = mode; k < hi; k++) {
    const w = weights[k - lo] ?? 0;
    weights[k + 1 - lo] = (w * (row - k) * (col - k)) / ((k + 1) * (total - row - col + k + 1));
  }
  for (let k = mode; k > lo; k--) {
    const w = weights[k - lo] ?? 0;
    weights[k - 1 - lo] = (w * k * (total - row - col + k)) / ((row - k + 1) * (col - k + 1));
  }
  const observed = (weights[a - lo] ?? 0) * (1 + RELATIVE_TOLERANCE);
  let sum = 0;
  let extreme = 0;
  for (const w of weights) {
    sum += w;
    if (w <= observed) extreme += w;
  }
  return Math.min(1, extreme / sum);
}
