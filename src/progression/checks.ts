// Check accounting for one analysis tick.
//
// - Successful: the run may advance; an inconclusive streak ends.
// - Failed: failedChecks + 1; reaching `threshold` rolls back at once (Flagger only notices on the
//   following tick). failedChecks is cumulative for the run and never decremented by a pass,
//   as in Flagger; a new run starts at 0.
// - Inconclusive (no data, too few requests): hold the weight. The hold is bounded: once the
//   streak, measured from its first inconclusive tick, reaches the progress deadline the run rolls
//   back — "no traffic" may not keep a canary half-deployed forever.

export type TickOutcome = 'Successful' | 'Failed' | 'Inconclusive';

export interface CheckLedger {
  readonly failedChecks: number;
  /** Epoch ms of the first tick of the current inconclusive streak; null when not holding. */
  readonly inconclusiveSince: number | null;
}

export interface CheckLimits {
  /** Failed checks that roll back; values below 1 behave as 1. */
  readonly threshold: number;
  readonly progressDeadlineMs: number;
}

export type CheckVerdict =
  | { readonly kind: 'advance'; readonly ledger: CheckLedger }
  | { readonly kind: 'failed'; readonly ledger: CheckLedger }
  | { readonly kind: 'hold'; readonly ledger: CheckLedger; readonly streakStarted: boolean }
  | {
      readonly kind: 'rollback';
      readonly ledger: CheckLedger;
      readonly reason: 'ThresholdReached' | 'InconclusiveDeadline';
    };

export function effectiveThreshold(threshold: number): number {
  return Math.max(1, Math.floor(threshold));
}

export function thresholdReached(failedChecks: number, threshold: number): boolean {
  return failedChecks >= effectiveThreshold(threshold);
}

export function recordTick(
  ledger: CheckLedger,
  outcome: TickOutcome,
  now: number,
  limits: CheckLimits,
): CheckVerdict {
  if (outcome === 'Successful') {
    return {
      kind: 'advance',
      ledger: { failedChecks: ledger.failedChecks, inconclusiveSince: null },
    };
  }
  if (outcome === 'Failed') {
    const next = {
      failedChecks: ledger.failedChecks + 1,
      inconclusiveSince: ledger.inconclusiveSince,
    };
    return thresholdReached(next.failedChecks, limits.threshold)
      ? { kind: 'rollback', ledger: next, reason: 'ThresholdReached' }
      : { kind: 'failed', ledger: next };
  }
  const since = ledger.inconclusiveSince ?? now;
  const next = { failedChecks: ledger.failedChecks, inconclusiveSince: since };
  if (now - since >= limits.progressDeadlineMs) {
    return { kind: 'rollback', ledger: next, reason: 'InconclusiveDeadline' };
  }
  return { kind: 'hold', ledger: next, streakStarted: ledger.inconclusiveSince === null };
}
