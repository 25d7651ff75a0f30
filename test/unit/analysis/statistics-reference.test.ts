// The compare judge's statistics against reference values computed once with SciPy — no Python
// at test time. hack/stats-reference/generate.py wrote fixtures/statistics-reference.json (its
// SciPy and NumPy versions are in the file): scipy.stats.mannwhitneyu(canary, control,
// use_continuity=True, alternative='two-sided', method='asymptotic') for U and p;
// scipy.stats.fisher_exact(table, alternative='two-sided') for p; scipy.stats.norm.sf / .ppf;
// and, since SciPy has no Hodges–Lehmann interval, the estimate and interval computed with NumPy
// from the textbook definition (the script's docstring states it). Rerun the script and
// `npx prettier --write` the JSON to regenerate.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { fisherExact } from '../../../src/analysis/statistics/fisher-exact.js';
import { hodgesLehmann, intervalRank } from '../../../src/analysis/statistics/hodges-lehmann.js';
import { mannWhitney } from '../../../src/analysis/statistics/mann-whitney.js';
import { normalQuantile, normalSf } from '../../../src/analysis/statistics/normal.js';

interface SampleCase {
  readonly name: string;
  readonly canary: number[];
  readonly control: number[];
}
interface Reference {
  readonly scipy: string;
  readonly mannWhitney: (SampleCase & { u: number; p: number | null })[];
  readonly hodgesLehmann: (SampleCase & {
    estimate: number;
    intervals: { confidence: number; k: number; lower: number | null; upper: number | null }[];
  })[];
  readonly fisher: { table: [[number, number], [number, number]]; p: number }[];
  readonly normal: { sf: { z: number; sf: number }[]; ppf: { p: number; ppf: number }[] };
}

const ref = JSON.parse(
  readFileSync(new URL('./fixtures/statistics-reference.json', import.meta.url), 'utf8'),
) as Reference;

/** |actual − expected| within `rel` of |expected| (or `rel` absolute near 0). */
function expectClose(actual: number, expected: number, rel: number): void {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  if (Math.abs(actual - expected) > rel * scale) {
    throw new Error(`${actual} is not within ${rel} (relative) of ${expected}`);
  }
}

describe(`statistics against SciPy ${ref.scipy}`, () => {
  it('has at least 15 cases of each test', () => {
    expect(ref.mannWhitney.length).toBeGreaterThanOrEqual(15);
    expect(ref.fisher.length).toBeGreaterThanOrEqual(15);
  });

  it.each(ref.normal.sf)('normal sf($z)', ({ z, sf }) => {
    expectClose(normalSf(z), sf, 1e-12);
  });

  it.each(ref.normal.ppf)('normal ppf($p)', ({ p, ppf }) => {
    expectClose(normalQuantile(p), ppf, 1e-12);
  });

  it.each(ref.mannWhitney)('Mann–Whitney U: $name', ({ canary, control, u, p }) => {
    const r = mannWhitney(canary, control);
    expect(r.u).toBe(u);
    // SciPy writes no NaN p-value in these cases; null would mean it did.
    expect(p).not.toBeNull();
    expectClose(r.pValue, p ?? Number.NaN, 1e-10);
  });

  it.each(ref.hodgesLehmann)(
    'Hodges–Lehmann: $name',
    ({ canary, control, estimate, intervals }) => {
      for (const { confidence, k, lower, upper } of intervals) {
        expect(intervalRank(canary.length, control.length, confidence)).toBe(k);
        const hl = hodgesLehmann(canary, control, confidence);
        expect(hl.estimate).toBe(estimate);
        expect(hl.lower).toBe(lower ?? Number.NEGATIVE_INFINITY);
        expect(hl.upper).toBe(upper ?? Number.POSITIVE_INFINITY);
      }
    },
  );

  it.each(ref.fisher.map((f) => ({ ...f, name: JSON.stringify(f.table) })))(
    'Fisher exact $name',
    ({ table, p }) => {
      expectClose(fisherExact(table), p, 1e-9);
    },
  );
});
