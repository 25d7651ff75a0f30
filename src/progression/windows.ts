// Deployment windows (`spec.schedule`): a new run may start only while the window is open.
//
// Semantics, at minute granularity in `timeZone` (default UTC):
// - a minute is allowed when `allow` is empty or any allow expression matches it;
// - a minute is denied when any deny expression matches it — deny always wins;
// - open = allowed and not denied.
// Expressions are evaluated in local wall-clock time by cron-parser, so "* 8-17 * * 1-5" means
// 08:00-17:59 local on both sides of a DST change. A local time that does not exist (02:30 on the
// spring-forward night in Europe/Berlin) matches nothing; a local hour that happens twice (the
// autumn night) matches both times.
import { CronDate, CronExpressionParser, type CronExpression } from 'cron-parser';
import { cronProblems } from './cron-grammar.js';
import { PROGRESSION_ERROR_REASONS, ProgressionError } from './errors.js';

export interface ScheduleSpec {
  readonly timeZone?: string | undefined;
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
}

export interface CompiledSchedule {
  readonly timeZone: string;
  readonly allow: readonly CronExpression[];
  readonly deny: readonly CronExpression[];
}

export type ScheduleResult =
  | { readonly ok: true; readonly schedule: CompiledSchedule }
  | { readonly ok: false; readonly error: ProgressionError };

export type WindowState =
  | { readonly open: true }
  | {
      readonly open: false;
      readonly reason: 'OutsideAllowWindow' | 'DenyWindow';
      /** Epoch ms of the next open minute, or null if none within the search horizon. */
      readonly nextStart: number | null;
    };

const MINUTE = 60_000;
const HORIZON_MS = 366 * 24 * 60 * MINUTE;
const MAX_STEPS = 50_000;

function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
}

function compileOne(expression: string, timeZone: string, field: string): CronExpression {
  const problems = cronProblems(expression);
  if (problems.length > 0) {
    throw new ProgressionError(
      PROGRESSION_ERROR_REASONS.invalidSchedule,
      `${field} "${expression}": ${problems.join('; ')}`,
    );
  }
  try {
    const parsed = CronExpressionParser.parse(expression, { tz: timeZone, currentDate: 0 });
    parsed.next(); // an expression that never matches (Feb 30) fails here, not mid-run
    return parsed;
  } catch (err) {
    throw new ProgressionError(
      PROGRESSION_ERROR_REASONS.invalidSchedule,
      `${field} "${expression}": ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

export function compileSchedule(spec: ScheduleSpec | undefined): ScheduleResult {
  const timeZone = spec?.timeZone ?? 'UTC';
  if (!validTimeZone(timeZone)) {
    const message = `schedule.timeZone "${timeZone}" is not an IANA time zone`;
    return {
      ok: false,
      error: new ProgressionError(PROGRESSION_ERROR_REASONS.invalidTimeZone, message),
    };
  }
  try {
    const allow = (spec?.allow ?? []).map((e, i) =>
      compileOne(e, timeZone, `schedule.allow[${i}]`),
    );
    const deny = (spec?.deny ?? []).map((e, i) => compileOne(e, timeZone, `schedule.deny[${i}]`));
    return { ok: true, schedule: { timeZone, allow, deny } };
  } catch (err) {
    if (err instanceof ProgressionError) return { ok: false, error: err };
    throw err;
  }
}

const floorMinute = (t: number): number => Math.floor(t / MINUTE) * MINUTE;
const matches = (e: CronExpression, minute: number): boolean => e.includesDate(new Date(minute));

function allowedAt(s: CompiledSchedule, minute: number): boolean {
  return s.allow.length === 0 || s.allow.some((e) => matches(e, minute));
}

function denyAt(s: CompiledSchedule, minute: number): CronExpression | undefined {
  return s.deny.find((e) => matches(e, minute));
}

export function isOpenAt(s: CompiledSchedule, t: number): boolean {
  const minute = floorMinute(t);
  return allowedAt(s, minute) && denyAt(s, minute) === undefined;
}

/** Earliest allow match at or after `minute` (cron-parser's next() is strictly after). */
function nextAllowed(s: CompiledSchedule, minute: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const e of s.allow) {
    e.reset(new Date(minute - 1));
    best = Math.min(best, e.next().getTime());
  }
  return best;
}

/** First minute after `minute` that `deny` might not cover: skip whole local hours if it can. */
function skipDenied(s: CompiledSchedule, deny: CronExpression, minute: number): number {
  if (deny.fields.minute.values.length < 60) return minute + MINUTE;
  const local = new CronDate(new Date(minute), s.timeZone);
  return minute + (60 - local.getMinutes()) * MINUTE;
}

export function nextWindowStart(s: CompiledSchedule, now: number): number | null {
  let t = floorMinute(now) + MINUTE;
  for (let step = 0; step < MAX_STEPS && t <= now + HORIZON_MS; step++) {
    if (s.allow.length > 0) {
      t = nextAllowed(s, t);
      // cron-parser maps a non-existent local time (DST gap) to the next real one; skip it.
      if (!allowedAt(s, t)) {
        t += MINUTE;
        continue;
      }
    }
    const deny = denyAt(s, t);
    if (deny === undefined) return t <= now + HORIZON_MS ? t : null;
    t = skipDenied(s, deny, t);
  }
  return null;
}

export function windowAt(s: CompiledSchedule, now: number): WindowState {
  const minute = floorMinute(now);
  if (!allowedAt(s, minute)) {
    return { open: false, reason: 'OutsideAllowWindow', nextStart: nextWindowStart(s, now) };
  }
  if (denyAt(s, minute) !== undefined) {
    return { open: false, reason: 'DenyWindow', nextStart: nextWindowStart(s, now) };
  }
  return { open: true };
}
