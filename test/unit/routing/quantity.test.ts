import { describe, expect, it } from '@jest/globals';
import { parseQuantity } from '../../../src/routing/quantity.js';

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
