import { describe, expect, it } from '@jest/globals';
import { LoadMeter } from '../../../dev/local/emulator/load-meter.js';

const totals = (n: number): Map<string, number> => new Map([['ns/web', n]]);

describe('LoadMeter', () => {
  it('measures nothing before a second sample', () => {
    const meter = new LoadMeter(5_000);
    expect(meter.interval()).toEqual({ atMs: 0, windowMs: 0 });
    meter.sample(1_000, totals(10));
    expect(meter.rate('ns/web')).toBe(0);
    expect(meter.interval()).toEqual({ atMs: 1_000, windowMs: 0 });
  });

  it('measures from the oldest sample while the window is not full', () => {
    const meter = new LoadMeter(5_000);
    meter.sample(0, totals(0));
    meter.sample(2_000, totals(40));
    expect(meter.rate('ns/web')).toBe(20);
    expect(meter.interval()).toEqual({ atMs: 2_000, windowMs: 2_000 });
  });

  it('then over the window: from the newest sample at or before its start', () => {
    const meter = new LoadMeter(5_000);
    // 10 rps for 10 s, then 50 rps.
    for (let t = 0; t <= 10_000; t += 200) meter.sample(t, totals(t / 100));
    for (let t = 10_200; t <= 20_000; t += 200) meter.sample(t, totals(100 + (t - 10_000) / 20));
    expect(meter.interval()).toEqual({ atMs: 20_000, windowMs: 5_000 });
    expect(meter.rate('ns/web')).toBeCloseTo(50, 9);
    // Half a window after the change: the rate mixes both.
    const mixed = new LoadMeter(5_000);
    for (let t = 0; t <= 10_000; t += 200) mixed.sample(t, totals(t / 100));
    for (let t = 10_200; t <= 12_400; t += 200) mixed.sample(t, totals(100 + (t - 10_000) / 20));
    expect(mixed.interval().windowMs).toBe(5_000);
    expect(mixed.rate('ns/web')).toBeCloseTo((2.6 * 10 + 2.4 * 50) / 5, 9);
  });

  it('keeps a window of at least windowMs when samples are irregular', () => {
    const meter = new LoadMeter(5_000);
    meter.sample(0, totals(0));
    meter.sample(3_000, totals(30));
    meter.sample(7_000, totals(70));
    // 0 is older than the window's start (2 000) but 3 000 is not: 0 stays the base.
    expect(meter.interval()).toEqual({ atMs: 7_000, windowMs: 7_000 });
    meter.sample(9_000, totals(90));
    expect(meter.interval()).toEqual({ atMs: 9_000, windowMs: 6_000 });
    expect(meter.rate('ns/web')).toBe(10);
  });

  it('counts a Deployment that was not there at the window start from 0, one that started over by its new count', () => {
    const meter = new LoadMeter(5_000);
    meter.sample(0, new Map([['ns/old', 500]]));
    meter.sample(
      5_000,
      new Map([
        ['ns/old', 20],
        ['ns/new', 50],
      ]),
    );
    expect(meter.rate('ns/new')).toBe(10);
    expect(meter.rate('ns/old')).toBe(4);
    expect(meter.rate('ns/none')).toBe(0);
  });

  it('refuses a window that is not a positive number', () => {
    expect(() => new LoadMeter(0)).toThrow(RangeError);
    expect(() => new LoadMeter(Number.NaN)).toThrow(RangeError);
  });
});
