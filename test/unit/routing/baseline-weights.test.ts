import { describe, expect, it } from '@jest/globals';
import {
  ALL_TO_PRIMARY_WITH_BASELINE,
  BASELINE_MAX_WEIGHT,
  withBaseline,
} from '../../../src/routing/baseline-weights.js';
import { InvalidRoutesError } from '../../../src/routing/errors.js';

describe('withBaseline', () => {
  it('gives the baseline the canary weight and the primary the rest', () => {
    expect(withBaseline(10)).toEqual({ primaryWeight: 80, canaryWeight: 10, baselineWeight: 10 });
    expect(withBaseline(BASELINE_MAX_WEIGHT)).toEqual({
      primaryWeight: 0,
      canaryWeight: 50,
      baselineWeight: 50,
    });
  });

  it('sums to 100 with equal canary and baseline weights at every allowed weight', () => {
    for (let w = 0; w <= BASELINE_MAX_WEIGHT; w++) {
      const r = withBaseline(w);
      expect(r.primaryWeight + r.canaryWeight + r.baselineWeight).toBe(100);
      expect(r.baselineWeight).toBe(r.canaryWeight);
      expect(r.primaryWeight).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses a weight with no three-way split, or not a whole percentage', () => {
    for (const w of [51, 100, -1, 10.5, Number.NaN]) {
      expect(() => withBaseline(w)).toThrow(InvalidRoutesError);
    }
  });

  it('after a run: everything on the primary, the baseline backend at weight 0', () => {
    expect(ALL_TO_PRIMARY_WITH_BASELINE).toEqual({
      primaryWeight: 100,
      canaryWeight: 0,
      baselineWeight: 0,
    });
  });
});
