import { describe, expect, it } from '@jest/globals';
import { humanDuration, since } from '../../../src/cli/render/duration.js';

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [60_000, '1m'],
    [133_000, '2m13s'],
    [3_600_000, '1h'],
    [11_040_000, '3h4m'],
    [86_400_000 * 2 + 5 * 3_600_000, '2d5h'],
    [-5, '0s'],
  ])('%d ms -> %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('since', () => {
  it('measures from an RFC 3339 time, null when absent or unreadable', () => {
    expect(since('2026-11-24T12:00:00Z', Date.parse('2026-11-24T12:01:00Z'))).toBe(60_000);
    expect(since(undefined, 0)).toBeNull();
    expect(since('yesterday', 0)).toBeNull();
  });
});
