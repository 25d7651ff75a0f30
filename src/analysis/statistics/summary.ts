// Descriptive statistics of one side's samples.

/** A sorted copy (numeric order). */
export function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** The median of sorted values; NaN when there are none. */
export function medianOfSorted(s: ArrayLike<number>): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  const upper = s[mid] ?? Number.NaN;
  return n % 2 === 1 ? upper : ((s[mid - 1] ?? Number.NaN) + upper) / 2;
}

export function median(values: readonly number[]): number {
  return medianOfSorted(sorted(values));
}

/** The arithmetic mean; NaN when there are no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
