// The step grid (issue 14 item 4): a step is judged at the first grid point one step after it
// began, so Canaries whose steps end near each other share a window; the wait costs at most one
// grid spacing, a tenth of the step; the window always begins after the step did.
import { describe, expect, it } from '@jest/globals';
import { measuredUntil, stepDue, stepGridMs } from '../../../src/progression/step-grid.js';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

describe('the step grid', () => {
  it.each([
    [2_000, 200],
    [9_990, 999],
    [10_000, 1_000],
    [30_000, 3_000],
    [45_000, 4_000],
    [60_000, 6_000],
    [300_000, 30_000],
  ])('a %i ms step ends on a %i ms grid', (step, grid) => {
    expect(stepGridMs(step)).toBe(grid);
  });

  it('judges a step at the first grid point at least one step after it began, at most a tenth of a step later', () => {
    for (const step of [2_000, 10_000, 30_000, 45_000]) {
      const grid = stepGridMs(step);
      for (let offset = 0; offset < 3 * grid; offset += 137) {
        const since = T0 + offset;
        const due = stepDue(since, step);
        expect(due % grid).toBe(0);
        expect(due).toBeGreaterThanOrEqual(since + step);
        expect(due - (since + step)).toBeLessThan(grid);
        expect(due - (since + step)).toBeLessThanOrEqual(step / 10);
      }
    }
  });

  it('gives steps that began within one grid spacing of each other the same window', () => {
    const step = 10_000;
    const ends = [0, 1, 250, 999].map((d) => measuredUntil(T0 + 1 + d, step, T0 + 12_500));
    expect(new Set(ends)).toEqual(new Set([T0 + 11_000]));
  });

  it('ends the window at the due point for a tick less than a step late, else at the latest grid point; never less than one step after the step began', () => {
    const step = 10_000;
    const since = T0 + 400;
    const due = stepDue(since, step);
    expect(measuredUntil(since, step, due)).toBe(due);
    expect(measuredUntil(since, step, due + step - 1)).toBe(due);
    expect(measuredUntil(since, step, due + step + 1_500)).toBe(due + step + 1_000);
    for (let now = due; now < due + 5 * step; now += 333) {
      const until = measuredUntil(since, step, now);
      expect(until).toBeLessThanOrEqual(now);
      expect(until - step).toBeGreaterThanOrEqual(since);
    }
  });
});
