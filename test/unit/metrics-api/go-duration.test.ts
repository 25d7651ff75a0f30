import { describe, expect, it } from '@jest/globals';
import { parseGoDuration } from '../../../src/metrics/duration.js';
import { formatGoDuration } from '../../../src/metrics-api/go-duration.js';

describe('Go duration formatting (the window field)', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [30_000, '30s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [5_430_000, '1h30m30s'],
    [-30_000, '-30s'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it.each([500, 1500, 30_000, 61_000, 3_723_500])('%d ms round-trips through the parser', (ms) => {
    expect(parseGoDuration(formatGoDuration(ms))).toEqual({ ok: true, ms });
  });
});
