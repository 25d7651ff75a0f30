import { describe, expect, it } from '@jest/globals';
import { recordTick, thresholdReached, type CheckLedger } from '../../../src/progression/checks.js';

const limits = { threshold: 3, errorLimit: 3, progressDeadlineMs: 600_000 };
const fresh: CheckLedger = { failedChecks: 0, inconclusiveSince: null, consecutiveErrors: 0 };

describe('check accounting', () => {
  it('advances on success and ends an inconclusive streak', () => {
    expect(
      recordTick(
        { failedChecks: 1, inconclusiveSince: 5, consecutiveErrors: 2 },
        'Successful',
        100,
        limits,
      ),
    ).toEqual({
      kind: 'advance',
      ledger: { failedChecks: 1, inconclusiveSince: null, consecutiveErrors: 0 },
    });
  });

  it('counts failures cumulatively and rolls back when the threshold is reached', () => {
    const first = recordTick(fresh, 'Failed', 0, limits);
    expect(first).toEqual({
      kind: 'failed',
      ledger: { failedChecks: 1, inconclusiveSince: null, consecutiveErrors: 0 },
    });
    const pass = recordTick(first.ledger, 'Successful', 1, limits);
    expect(pass.ledger.failedChecks).toBe(1); // a pass does not forgive a failure
    const second = recordTick(pass.ledger, 'Failed', 2, limits);
    expect(second.kind).toBe('failed');
    expect(recordTick(second.ledger, 'Failed', 3, limits)).toEqual({
      kind: 'rollback',
      ledger: { failedChecks: 3, inconclusiveSince: null, consecutiveErrors: 0 },
      reason: 'ThresholdReached',
    });
  });

  it('treats threshold below 1 as 1', () => {
    expect(recordTick(fresh, 'Failed', 0, { ...limits, threshold: 0 }).kind).toBe('rollback');
    expect(thresholdReached(0, 0)).toBe(false);
    expect(thresholdReached(1, 0)).toBe(true);
  });

  it('holds on inconclusive, remembering when the streak began', () => {
    const first = recordTick(fresh, 'Inconclusive', 1_000, limits);
    expect(first).toEqual({
      kind: 'hold',
      ledger: { failedChecks: 0, inconclusiveSince: 1_000, consecutiveErrors: 0 },
      why: 'Inconclusive',
      streakStarted: true,
    });
    const second = recordTick(first.ledger, 'Inconclusive', 300_000, limits);
    expect(second).toEqual({
      kind: 'hold',
      ledger: { failedChecks: 0, inconclusiveSince: 1_000, consecutiveErrors: 0 },
      why: 'Inconclusive',
      streakStarted: false,
    });
  });

  it.each([
    [600_999, 'hold'],
    [601_000, 'rollback'],
    [5_000_000, 'rollback'],
  ])('an inconclusive streak begun at 1000 seen at %i -> %s', (now, kind) => {
    const verdict = recordTick(
      { failedChecks: 0, inconclusiveSince: 1_000, consecutiveErrors: 0 },
      'Inconclusive',
      now,
      limits,
    );
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'rollback') expect(verdict.reason).toBe('InconclusiveDeadline');
  });

  it('does not end an inconclusive streak on a failure', () => {
    const v = recordTick(
      { failedChecks: 0, inconclusiveSince: 7, consecutiveErrors: 1 },
      'Failed',
      10,
      limits,
    );
    expect(v.ledger).toEqual({ failedChecks: 1, inconclusiveSince: 7, consecutiveErrors: 0 });
  });

  it('holds on an error without counting a failed check, and rolls back at errorLimit', () => {
    const first = recordTick(fresh, 'Error', 1_000, limits);
    expect(first).toEqual({
      kind: 'hold',
      why: 'Error',
      ledger: { failedChecks: 0, inconclusiveSince: 1_000, consecutiveErrors: 1 },
      streakStarted: true,
    });
    const second = recordTick(first.ledger, 'Error', 61_000, limits);
    expect(second).toMatchObject({ kind: 'hold', why: 'Error', streakStarted: false });
    expect(second.ledger.consecutiveErrors).toBe(2);
    const third = recordTick(second.ledger, 'Error', 121_000, limits);
    expect(third).toEqual({
      kind: 'rollback',
      reason: 'ErrorLimit',
      ledger: { failedChecks: 0, inconclusiveSince: 1_000, consecutiveErrors: 3 },
    });
  });

  it('restarts the error count at a tick whose checks all ran', () => {
    const errored = { failedChecks: 0, inconclusiveSince: 1_000, consecutiveErrors: 2 };
    expect(recordTick(errored, 'Successful', 2_000, limits).ledger.consecutiveErrors).toBe(0);
    expect(recordTick(errored, 'Inconclusive', 2_000, limits)).toMatchObject({
      kind: 'hold',
      why: 'Inconclusive',
      streakStarted: true,
      ledger: { consecutiveErrors: 0, inconclusiveSince: 1_000 },
    });
    expect(recordTick(errored, 'Failed', 2_000, limits).ledger).toEqual({
      failedChecks: 1,
      inconclusiveSince: 1_000,
      consecutiveErrors: 0,
    });
  });

  it('bounds an erroring hold by the progress deadline too', () => {
    const v = recordTick(
      { failedChecks: 0, inconclusiveSince: 1_000, consecutiveErrors: 0 },
      'Error',
      601_000,
      { ...limits, errorLimit: 100 },
    );
    expect(v).toMatchObject({ kind: 'rollback', reason: 'ErrorDeadline' });
  });
});
