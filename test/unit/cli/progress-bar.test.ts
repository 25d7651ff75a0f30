import { describe, expect, it } from '@jest/globals';
import { bar, progressBar } from '../../../src/cli/render/progress-bar.js';
import { COLOR, PLAIN, TTY_NO_COLOR } from './fixtures.js';

const steps = { kind: 'canary', weights: [5, 10, 25, 50] } as const;

describe('progressBar', () => {
  it('fills the weight against the last step and marks the current step (plain)', () => {
    expect(progressBar({ canaryWeight: 10, iterations: 0, strategy: steps }, PLAIN, 10)).toBe(
      '[##--------] 10% of 50%, step 2/4 (5 [10] 25 50)',
    );
  });

  it('uses block characters on a terminal, colour only when allowed', () => {
    expect(progressBar({ canaryWeight: 25, iterations: 0, strategy: steps }, TTY_NO_COLOR, 4)).toBe(
      '[██░░] 25% of 50%, step 3/4 (5 10 [25] 50)',
    );
    const coloured = progressBar({ canaryWeight: 25, iterations: 0, strategy: steps }, COLOR, 4);
    expect(coloured).toContain('\u001b[32m██\u001b[39m');
    expect(coloured).toContain('\u001b[1m25\u001b[22m');
  });

  it('is empty before the first step and full at the last', () => {
    expect(progressBar({ canaryWeight: 0, iterations: 0, strategy: steps }, PLAIN, 4)).toBe(
      '[----] 0% of 50%, step 0/4 (5 10 25 50)',
    );
    expect(progressBar({ canaryWeight: 50, iterations: 0, strategy: steps }, PLAIN, 4)).toMatch(
      /^\[####\] 50% of 50%, step 4\/4/,
    );
  });

  it('counts iterations for blue/green', () => {
    expect(
      progressBar(
        { canaryWeight: 0, iterations: 2, strategy: { kind: 'blueGreen', iterations: 4 } },
        PLAIN,
        4,
      ),
    ).toBe('[##--] iteration 2/4, canary weight 0%');
  });

  it('runs to 100% without a valid strategy', () => {
    expect(progressBar({ canaryWeight: 50, iterations: 0, strategy: null }, PLAIN, 4)).toBe(
      '[##--] 50%',
    );
  });

  it('clamps out-of-range fractions', () => {
    expect(bar(1.7, 3, PLAIN)).toBe('[###]');
    expect(bar(-1, 3, PLAIN)).toBe('[---]');
    expect(bar(Number.NaN, 3, PLAIN)).toBe('[---]');
  });
});
