import { describe, expect, it } from '@jest/globals';
import { exactQuantity, parseQuantity, sameFraction } from '../../../src/kube/quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['1', 1],
    ['95', 95],
    ['900m', 0.9],
    ['100m', 0.1],
    ['1k', 1000],
    ['1Ki', 1024],
    ['1e3', 1000],
    ['1.5', 1.5],
    [' 5 ', 5],
    [50, 50],
    ['0', 0],
  ] as const)('%j is %d', (input, value) => {
    expect(parseQuantity(input)).toBeCloseTo(value, 9);
  });

  it.each([['abc'], ['5x'], [''], [null], [undefined], [{}], [Number.NaN], ['1.2.3']])(
    '%j is not a quantity',
    (input) => {
      expect(parseQuantity(input)).toBeUndefined();
    },
  );
});

describe('exactQuantity', () => {
  it.each([
    ['900m', 900n, 1000n],
    [0.1, 1n, 10n],
    ['1.5k', 15000n, 10n],
    ['1Ki', 1024n, 1n],
    ['25e-1', 25n, 10n],
    [1e21, 10n ** 21n, 1n],
    ['-2', -2n, 1n],
  ] as const)('%j is %d/%d', (input, num, den) => {
    const q = exactQuantity(input);
    expect(q === undefined ? undefined : sameFraction(q, { num, den })).toBe(true);
  });

  it('refuses exponents no weight needs, instead of computing them', () => {
    expect(exactQuantity('1e999999999')).toBeUndefined();
    expect(exactQuantity('.')).toBeUndefined();
  });
});
