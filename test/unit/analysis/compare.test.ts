import { describe, expect, it } from '@jest/globals';
import { compareCounts, type Counts } from '../../../src/analysis/compare/counts.js';
import { compareSamples } from '../../../src/analysis/compare/samples.js';
import type { CompareCriteria } from '../../../src/analysis/compare/verdict.js';

const latency: CompareCriteria = {
  metric: 'latency',
  direction: 'increase',
  confidence: 0.98,
  tolerance: 0.1,
  minSamples: 10,
};
/** 20 values 100..109, twice each. */
const control = Array.from({ length: 20 }, (_, i) => 100 + (i % 10));
const scaled = (k: number): number[] => control.map((v) => v * k);

describe('comparing samples', () => {
  it.each<[string, number[], number[], Partial<CompareCriteria>, string, RegExp]>([
    ['equal samples', control, control, {}, 'Successful', /no significant shift \(p 1 ≥ 0.02\)/],
    ['25 % slower', scaled(1.25), control, {}, 'Failed', /increase beyond tolerance ±10.45/],
    [
      '25 % faster, increase is bad',
      scaled(0.75),
      control,
      {},
      'Successful',
      /a decrease is not bad/,
    ],
    [
      '25 % faster, decrease is bad',
      scaled(0.75),
      control,
      { direction: 'decrease' },
      'Failed',
      /decrease beyond/,
    ],
    [
      '25 % slower, either',
      scaled(1.25),
      control,
      { direction: 'either' },
      'Failed',
      /increase beyond/,
    ],
    [
      '25 % faster, either',
      scaled(0.75),
      control,
      { direction: 'either' },
      'Failed',
      /decrease beyond/,
    ],
    [
      '8 % slower, tolerance 0.1',
      scaled(1.08),
      control,
      {},
      'Successful',
      /within tolerance ±10.45/,
    ],
    [
      '8 % slower, tolerance 0.05',
      scaled(1.08),
      control,
      { tolerance: 0.05 },
      'Failed',
      /increase beyond/,
    ],
    [
      '25 % slower, maxRatio 1.3',
      scaled(1.25),
      control,
      { maxRatio: 1.3 },
      'Successful',
      /mean ratio 1.25 is not past maxRatio 1.3/,
    ],
    [
      '25 % slower, maxRatio 1.2',
      scaled(1.25),
      control,
      { maxRatio: 1.2 },
      'Failed',
      /mean ratio 1.25 past maxRatio 1.2/,
    ],
    [
      '25 % faster, minRatio 0.7',
      scaled(0.75),
      control,
      { direction: 'decrease', minRatio: 0.7 },
      'Successful',
      /not past minRatio 0.7/,
    ],
    [
      '25 % faster, minRatio 0.8',
      scaled(0.75),
      control,
      { direction: 'decrease', minRatio: 0.8 },
      'Failed',
      /past minRatio 0.8/,
    ],
    // kayenta#780: 30 % of the points at 100× and the rest equal passed Kayenta at 0.98.
    [
      'kayenta#780 spikes',
      [...Array<number>(7).fill(100), 1, 1, 1],
      Array<number>(10).fill(1),
      { tolerance: 0.25 },
      'Failed',
      /increase beyond tolerance ±0.25/,
    ],
    // kayenta#426 as a series: the median shift is 0 and p > 0.02; compare such counts as counts.
    [
      'kayenta#426 sparse series',
      [0, 1, 2, 0, 0, 1, 0, 0, 2, 0],
      Array<number>(10).fill(0),
      {},
      'Successful',
      /no significant shift/,
    ],
    [
      'constant, different',
      Array<number>(10).fill(5),
      Array<number>(10).fill(3),
      {},
      'Failed',
      /increase beyond tolerance ±0.3/,
    ],
    [
      'constant, same',
      Array<number>(10).fill(3),
      Array<number>(12).fill(3),
      {},
      'Successful',
      /no significant shift \(p 1/,
    ],
    [
      '+Inf in the canary',
      [...scaled(1.25).slice(1), Number.POSITIVE_INFINITY],
      control,
      {},
      'Failed',
      /mean ratio \+∞/,
    ],
  ])('%s', (_name, canary, ctrl, over, expected, why) => {
    const r = compareSamples(canary, ctrl, { ...latency, ...over });
    expect(r.result).toBe(expected);
    expect(r.message).toMatch(why);
  });

  it('explains the verdict in one line: n, medians, HL estimate and interval, p, mean ratio', () => {
    const r = compareSamples(scaled(1.25), control, latency);
    expect(r.message).toBe(
      'canary n=20 median 130.6, control n=20 median 104.5; shift +26.13 (98% CI +23.25 to +29), ' +
        'p 6.6e-8, mean ratio 1.25; Failed: p 6.6e-8 < 0.02, increase beyond tolerance ±10.45 ' +
        '(0.1 × 104.5)',
    );
    expect(r).toMatchObject({
      canary: { n: 20, median: 130.625 },
      control: { n: 20, median: 104.5 },
      shift: { estimate: 26.125, lower: 23.25, upper: 29, confidence: 0.98 },
      meanRatio: 1.25,
    });
    // SciPy: mannwhitneyu(canary, control, use_continuity=True, method='asymptotic').pvalue
    expect(r.pValue).toBeCloseTo(6.60629966710624e-8, 15);
  });

  it.each<[string, number, number, string]>([
    ['too few canary samples', 9, 20, 'Inconclusive: samples canary 9 < minSamples 10'],
    ['too few control samples', 20, 3, 'Inconclusive: samples control 3 < minSamples 10'],
    ['too few on both sides', 1, 1, 'Inconclusive: samples canary 1, control 1 < minSamples 10'],
  ])('%s -> Inconclusive, however large the shift', (_name, nCanary, nControl, why) => {
    const r = compareSamples(scaled(3).slice(0, nCanary), control.slice(0, nControl), latency);
    expect(r.result).toBe('Inconclusive');
    expect(r.message).toContain(why);
    expect(r).not.toHaveProperty('pValue');
  });

  it('an empty side is Inconclusive even with minSamples 0', () => {
    const r = compareSamples([], control, { ...latency, minSamples: 0 });
    expect(r.result).toBe('Inconclusive');
    expect(r.message).toContain('canary 0 < minSamples 1');
  });

  it('drops NaN samples (no data at that instant) before counting them', () => {
    const canary = [...scaled(1.25).slice(0, 9), Number.NaN, Number.NaN];
    const r = compareSamples(canary, control, latency);
    expect(r.result).toBe('Inconclusive');
    expect(r.canary.n).toBe(9);
  });

  it('with n = 1 a side the interval is unbounded and nothing is significant', () => {
    const r = compareSamples([500], [100], { ...latency, minSamples: 1 });
    expect(r.result).toBe('Successful');
    expect(r.message).toContain('shift +400 (98% CI −∞ to +∞), p 1,');
  });
});

const errors: CompareCriteria = { ...latency, tolerance: 0.25, minSamples: 100 };
const counts = (failures: number, total: number): Counts => ({ failures, total });

describe('comparing counts (Fisher exact on failures/successes)', () => {
  it.each<[string, Counts, Counts, Partial<CompareCriteria>, string, RegExp]>([
    [
      'kayenta#426: 3 errors against none',
      counts(3, 3000),
      counts(0, 3000),
      {},
      'Successful',
      /no significant shift \(p 0.25/,
    ],
    [
      '3× the rate at a 1 % base',
      counts(90, 3000),
      counts(30, 3000),
      {},
      'Failed',
      /increase beyond tolerance ±0.0025/,
    ],
    [
      '3× at a 1 % base, maxRatio 4',
      counts(90, 3000),
      counts(30, 3000),
      { maxRatio: 4 },
      'Successful',
      /rate ratio 3;.*not past maxRatio 4/,
    ],
    [
      'errors against none',
      counts(10, 3000),
      counts(0, 3000),
      {},
      'Failed',
      /rate ratio \+∞;.*increase beyond tolerance ±0 /,
    ],
    [
      'fewer errors than the control',
      counts(30, 3000),
      counts(90, 3000),
      {},
      'Successful',
      /a decrease is not bad/,
    ],
    [
      'a significant rise within tolerance',
      counts(1100, 10000),
      counts(1000, 10000),
      { confidence: 0.9, tolerance: 0.2 },
      'Successful',
      /within tolerance/,
    ],
    [
      'no errors anywhere',
      counts(0, 3000),
      counts(0, 3000),
      {},
      'Successful',
      /rate ratio 1;.*p 1 ≥/,
    ],
    [
      'too few canary requests',
      counts(50, 99),
      counts(0, 3000),
      {},
      'Inconclusive',
      /requests canary 99 < minSamples 100/,
    ],
    [
      'no control requests',
      counts(5, 3000),
      counts(0, 0),
      { minSamples: 0 },
      'Inconclusive',
      /requests control 0 < minSamples 1/,
    ],
  ])('%s', (_name, canary, control, over, expected, why) => {
    const r = compareCounts(canary, control, { ...errors, ...over });
    expect(r.result).toBe(expected);
    expect(r.message).toMatch(why);
  });

  it('explains the verdict in one line', () => {
    expect(compareCounts(counts(90, 3000), counts(30, 3000), errors).message).toBe(
      'canary 90/3000 failed (3%), control 30/3000 failed (1%); Fisher p 2.8e-8, rate ratio 3; ' +
        'Failed: p 2.8e-8 < 0.02, increase beyond tolerance ±0.0025 (0.25 × 0.01)',
    );
  });
});
