import { describe, expect, it } from '@jest/globals';
import { NAN_SENTINEL, parseQuantity } from '../../../src/metrics/quantity.js';
import {
  formatMilliQuantity,
  INF_QUANTITY,
  NAN_QUANTITY,
} from '../../../src/metrics-api/milli-quantity.js';

// Expected strings are what Go's resource.NewMilliQuantity(int64(v*1000), DecimalSI).String()
// prints (reference/smi-spec.md §2.2 and the canonicalisation in apimachinery's amount.go).
describe('milli-Quantity formatting', () => {
  it.each<[number, string]>([
    [0, '0'],
    [9, '9'],
    [10, '10'],
    [100, '100'],
    [1234, '1234'],
    [1000, '1k'],
    [1_500_000, '1500k'],
    [2e12, '2T'],
    [5e15, '5P'],
    [0.987, '987m'],
    [0.5, '500m'],
    [0.001, '1m'],
    [48.75, '48750m'],
    [1496.25, '1496250m'],
    [73.492, '73492m'],
    [1.2345, '1234m'],
    [0.0005, '0'],
    [-0.987, '-987m'],
    [-2.5, '-2500m'],
    [-3000, '-3k'],
    // int64(1.005*1000) is 1004 in Go too: the product is 1004.9999999999999 in IEEE doubles.
    [1.005, '1004m'],
  ])('%d -> %s', (value, text) => {
    expect(formatMilliQuantity(value)).toBe(text);
  });

  it('writes NaN as the int64-min sentinel the client reads as NaN', () => {
    expect(formatMilliQuantity(Number.NaN)).toBe(NAN_QUANTITY);
    expect(NAN_QUANTITY).toBe(NAN_SENTINEL);
    const parsed = parseQuantity(formatMilliQuantity(Number.NaN));
    expect(parsed.ok && Number.isNaN(parsed.value)).toBe(true);
  });

  it('writes +Inf and values beyond int64 milli-units as int64 max (a huge latency)', () => {
    expect(formatMilliQuantity(Number.POSITIVE_INFINITY)).toBe(INF_QUANTITY);
    expect(formatMilliQuantity(1e16)).toBe(INF_QUANTITY);
    const parsed = parseQuantity(INF_QUANTITY);
    expect(parsed.ok && parsed.value > 9e15).toBe(true);
  });

  it.each([0.987, 48.75, 1496.25, 73.492, 1_500_000, 123_456.789, 0.25, 299, 5e12, -12.5])(
    'round-trips %d through the client parser to the milli-unit below it',
    (value) => {
      const parsed = parseQuantity(formatMilliQuantity(value));
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.value).toBeCloseTo(Math.trunc(value * 1000) / 1000, 9);
    },
  );
});
