import { describe, expect, it } from '@jest/globals';
import { isWorldError } from '../../../dev/local/emulator/errors.js';
import { quantityValue } from '../../../dev/local/emulator/quantity.js';

describe('quantityValue', () => {
  it.each([
    [5, 5],
    [0, 0],
    ['900m', 0.9],
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['2k', 2000],
    ['1Ki', 1024],
    ['1e3', 1000],
    ['5E-1', 0.5],
    ['+3', 3],
    ['.5', 0.5],
  ])('%j is %d', (input, expected) => {
    expect(quantityValue(input)).toBeCloseTo(expected, 12);
  });

  it.each([['lots'], [''], ['1x'], ['m'], [null], [undefined], [Number.NaN], [{}]])(
    'rejects %j with a coded error',
    (input) => {
      let caught: unknown;
      try {
        quantityValue(input);
      } catch (err) {
        caught = err;
      }
      expect(isWorldError(caught, 'WL_WORLD_BAD_QUANTITY')).toBe(true);
    },
  );
});
