import { describe, expect, it } from '@jest/globals';
import { parseGoDuration, promDuration } from '../../../src/metrics/duration.js';

describe('Go durations', () => {
  it.each<[string, number]>([
    ['30s', 30_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['1.5m', 90_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['2h45m10s', 9_910_000],
    ['0', 0],
    ['1500us', 1.5],
  ])('%s = %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, ms });
  });

  it.each(['', '30', '1d', 'abc', '1m 30s', 's', '-'])('rejects %j', (text) => {
    const parsed = parseGoDuration(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe('WL_METRICS_QUERY_FAILED');
  });

  it('renders PromQL ranges without fractions', () => {
    expect(promDuration(90_000)).toBe('90s');
    expect(promDuration(1_500)).toBe('1500ms');
    expect(promDuration(60_000)).toBe('60s');
  });
});
