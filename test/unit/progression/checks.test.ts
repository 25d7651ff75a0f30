import { describe, expect, it } from '@jest/globals';
import { recordTick, thresholdReached, type CheckLedger } from '../../../src/progression/checks.js';

const limits = { threshold: 3, progressDeadlineMs: 600_000 };
const fresh: CheckLedger = { failedChecks: 0, inconclusiveSince: null };

describe('check accounting', () => {
  it('advances on success and ends an inconclusive streak', () => {
    expect(
      recordTick({ failedChecks: 1, inconclusiveSince: 5 }, 'Successful', 100, limits),
    ).toEqual({
      kind: 'advance',
      ledger: { failedChecks: 1, inconclusiveSince: null },
    });
  });

  it('counts failures cumulatively and rolls back when the threshold is reached', () => {
    const first = recordTick(fresh, 'Failed', 0, limits);
    expect(first).toEqual({ kind: 'failed', ledger: { failedChecks: 1, inconclusiveSince: null } });
    const pass = recordTick(first.ledger, 'Successful', 1, limits);
    expect(pass.ledger.failedChecks).toBe(1); // a pass does not forgive a failure
    const second = recordTick(pass.ledger, 'Failed', 2, limits);
    expect(second.kind).toBe('failed');
    expect(recordTick(second.ledger, 'Failed', 3, limits)).toEqual({
      kind: 'rollback',
      ledger: { failedChecks: 3, inconclusiveSince: null },
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
      ledger: { failedChecks: 0, inconclusiveSince: 1_000 },
      streakStarted: true,
    });
    const second = recordTick(first.ledger, 'Inconclusive', 300_000, limits);
    expect(second).toEqual({
      kind: 'hold',
      ledger: { failedChecks: 0, inconclusiveSince: 1_000 },
      streakStarted: false,
    });
  });

  it.each([
    [600_999, 'hold'],
    [601_000, 'rollback'],
    [5_000_000, 'rollback'],
  ])('an inconclusive streak begun at 1000 seen at %i -> %s', (now, kind) => {
    const verdict = recordTick(
      { failedChecks: 0, inconclusiveSince: 1_000 },
      'Inconclusive',
      now,
      limits,
    );
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'rollback') expect(verdict.reason).toBe('InconclusiveDeadline');
  });

  it('does not end an inconclusive streak on a failure', () => {
    const v = recordTick({ failedChecks: 0, inconclusiveSince: 7 }, 'Failed', 10, limits);
    expect(v.ledger).toEqual({ failedChecks: 1, inconclusiveSince: 7 });
  });
});
