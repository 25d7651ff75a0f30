import { describe, expect, it } from '@jest/globals';
import {
  compileSchedule,
  isOpenAt,
  nextWindowStart,
  windowAt,
  type CompiledSchedule,
  type ScheduleSpec,
} from '../../../src/progression/windows.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function compile(spec: ScheduleSpec): CompiledSchedule {
  const r = compileSchedule(spec);
  if (!r.ok) throw r.error;
  return r.schedule;
}

// 2026 DST changes in Europe/Berlin: Sun 29 March 02:00 CET -> 03:00 CEST (UTC+1 -> UTC+2),
// Sun 25 October 03:00 CEST -> 02:00 CET.
const berlin = 'Europe/Berlin';
const businessHours = compile({ timeZone: berlin, allow: ['* 8-17 * * 1-5'] });

describe('allow windows in local time across DST', () => {
  it.each([
    ['Fri before spring change, 17:59 CET', '2026-03-27T16:59:30Z', true],
    ['Fri before spring change, 18:00 CET', '2026-03-27T17:00:00Z', false],
    ['Mon after spring change, 07:59 CEST', '2026-03-30T05:59:00Z', false],
    ['Mon after spring change, 08:00 CEST', '2026-03-30T06:00:00Z', true],
    ['Mon after autumn change, 07:59 CET', '2026-10-26T06:59:00Z', false],
    ['Mon after autumn change, 08:00 CET', '2026-10-26T07:00:00Z', true],
  ])('%s -> open=%s', (_name, time, open) => {
    expect(isOpenAt(businessHours, at(time))).toBe(open);
  });

  it.each([
    ['weekend before spring change', '2026-03-20T17:00:00Z', '2026-03-23T07:00:00.000Z'],
    ['weekend spanning spring change', '2026-03-27T17:00:00Z', '2026-03-30T06:00:00.000Z'],
    ['weekend spanning autumn change', '2026-10-23T16:00:00Z', '2026-10-26T07:00:00.000Z'],
    ['early morning, summer time', '2026-06-10T04:00:00Z', '2026-06-10T06:00:00.000Z'],
  ])('%s: next window start', (_name, now, expected) => {
    const state = windowAt(businessHours, at(now));
    expect(state).toEqual({ open: false, reason: 'OutsideAllowWindow', nextStart: at(expected) });
  });

  it('a window at a local hour that does not exist on the spring-forward night opens the next day', () => {
    const night = compile({ timeZone: berlin, allow: ['* 2 * * *'] });
    // 03:00 CEST on 29 March is 01:00Z; the 02:xx hour was skipped and must not count as open.
    expect(isOpenAt(night, at('2026-03-29T01:00:00Z'))).toBe(false);
    expect(iso(nextWindowStart(night, at('2026-03-29T00:30:00Z')))).toBe(
      '2026-03-30T00:00:00.000Z',
    );
  });

  it('a window at the repeated autumn hour is open during both occurrences', () => {
    const night = compile({ timeZone: berlin, allow: ['* 2 * * *'] });
    expect(isOpenAt(night, at('2026-10-25T00:30:00Z'))).toBe(true); // 02:30 CEST
    expect(isOpenAt(night, at('2026-10-25T01:30:00Z'))).toBe(true); // 02:30 CET
    expect(isOpenAt(night, at('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
    expect(iso(nextWindowStart(night, at('2026-10-24T23:00:00Z')))).toBe(
      '2026-10-25T00:00:00.000Z',
    );
  });
});

describe('deny windows win over allow windows', () => {
  it('a freeze closes an otherwise open window and ends at local midnight', () => {
    const s = compile({ timeZone: berlin, allow: ['* * * * *'], deny: ['* * 24-26 12 *'] });
    expect(windowAt(s, at('2026-12-24T10:00:00Z'))).toEqual({
      open: false,
      reason: 'DenyWindow',
      nextStart: at('2026-12-26T23:00:00Z'), // 27 Dec 00:00 CET
    });
    expect(isOpenAt(s, at('2026-12-23T22:59:00Z'))).toBe(true);
    expect(isOpenAt(s, at('2026-12-23T23:00:00Z'))).toBe(false);
  });

  it('the next start is the first allowed minute after the freeze', () => {
    const s = compile({ timeZone: berlin, allow: ['* 8-17 * * 1-5'], deny: ['* * 24-26 12 *'] });
    // Thu 24 Dec 09:00 CET: allowed, but frozen; Sat/Sun follow; Mon 28 Dec 08:00 CET.
    expect(windowAt(s, at('2026-12-24T08:00:00Z'))).toEqual({
      open: false,
      reason: 'DenyWindow',
      nextStart: at('2026-12-28T07:00:00Z'),
    });
  });

  it('deny without allow: a freeze across the autumn change ends after the repeated hour', () => {
    const s = compile({ timeZone: berlin, deny: ['* 1-3 * * 0'] });
    // Sunday 01:00-03:59 local; on 25 Oct the 02:xx hour happens twice; 04:00 CET is 03:00Z.
    expect(iso(nextWindowStart(s, at('2026-10-24T23:30:00Z')))).toBe('2026-10-25T03:00:00.000Z');
    expect(isOpenAt(s, at('2026-10-25T01:30:00Z'))).toBe(false);
  });

  it('deny without allow: a freeze across the spring change ends at 04:00 CEST', () => {
    const s = compile({ timeZone: berlin, deny: ['* 1-3 * * 0'] });
    expect(iso(nextWindowStart(s, at('2026-03-29T00:30:00Z')))).toBe('2026-03-29T02:00:00.000Z');
  });

  it('a long freeze is skipped quickly and exactly', () => {
    const s = compile({ timeZone: 'UTC', deny: ['* * * 12 *'] });
    expect(iso(nextWindowStart(s, at('2026-12-01T00:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('a freeze by minute ranges ends at the first free minute', () => {
    const s = compile({ timeZone: 'UTC', deny: ['0-29 12 * * *'] });
    expect(iso(nextWindowStart(s, at('2026-05-05T12:10:42Z')))).toBe('2026-05-05T12:30:00.000Z');
  });
});

describe('schedule edge cases', () => {
  it('names the field that is out of range', () => {
    const r = compileSchedule({ deny: ['0 0 * * *', '0 0 32 * *'] });
    expect(r.ok ? '' : r.error.message).toBe(
      'schedule.deny[1] "0 0 32 * *": day of month field must be * or 1-31, in lists (a,b), ranges (a-b) and steps (/n)',
    );
  });

  it('no schedule is always open', () => {
    expect(windowAt(compile({}), at('2026-01-01T00:00:00Z'))).toEqual({ open: true });
  });

  it('defaults to UTC', () => {
    const s = compile({ allow: ['* 8 * * *'] });
    expect(isOpenAt(s, at('2026-07-01T08:00:00Z'))).toBe(true);
    expect(isOpenAt(s, at('2026-07-01T06:00:00Z'))).toBe(false);
  });

  it('reports no next start beyond the one-year horizon', () => {
    const s = compile({ timeZone: 'UTC', allow: ['* * 29 2 *'] });
    expect(windowAt(s, at('2026-03-01T00:00:00Z'))).toEqual({
      open: false,
      reason: 'OutsideAllowWindow',
      nextStart: null,
    });
  });

  it.each<[string, ScheduleSpec, string]>([
    ['unknown time zone', { timeZone: 'Mars/Olympus' }, 'InvalidTimeZone'],
    ['seconds field', { allow: ['0 * 8-17 * * 1-5'] }, 'InvalidSchedule'],
    ['out of range', { deny: ['61 * * * *'] }, 'InvalidSchedule'],
    ['garbage', { allow: ['every day'] }, 'InvalidSchedule'],
    ['never matches', { allow: ['* * 30 2 *'] }, 'InvalidSchedule'],
    ['a reversed range', { allow: ['* 17-9 * * *'] }, 'InvalidSchedule'],
    ['Local time', { timeZone: 'Local' }, 'InvalidTimeZone'],
  ])('rejects %s', (_name, spec, code) => {
    const r = compileSchedule(spec);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe(code);
  });
});
