// Check accounting for one analysis tick.
//
// - Successful: the run may advance; a hold (inconclusive or erroring) ends.
// - Failed: failedChecks + 1; reaching `threshold` rolls back at once (Flagger only notices on the
//   following tick). failedChecks is cumulative for the run and never decremented by a pass,
//   as in Flagger; a new run starts at 0.
// - Error (a check could not be evaluated: the metrics source is down, times out or answers with
//   an error): not a verdict on the release, so it is not a failed check. The weight is held and
//   the errors are counted apart (consecutiveErrors, in the spirit of Argo Rollouts'
//   consecutiveErrorLimit); `errorLimit` of them in a row roll back (MetricsUnavailable). An
//   outage must not roll back every healthy release in flight, nor let one through unmeasured.
// - Inconclusive (no data, too few requests): hold the weight.
// A hold of either kind is bounded: once it has lasted, from its first tick, as long as the
// progress deadline the run rolls back — "no traffic" or "no metrics" may not keep a canary
// half-deployed forever.

export type TickOutcome = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface CheckLedger {
  readonly failedChecks: number;
  /** Epoch ms of the first tick of the current hold (inconclusive or erroring); null when not holding. */
  readonly inconclusiveSince: number | null;
  /** Ticks in a row with an Error result (and no Failed one). */
  readonly consecutiveErrors: number;
}

export interface CheckLimits {
  /** Failed checks that roll back; values below 1 behave as 1. */
  readonly threshold: number;
  /** Erroring ticks in a row that roll back; values below 1 behave as 1. */
  readonly errorLimit: number;
  readonly progressDeadlineMs: number;
}

export type CheckVerdict =
  | { readonly kind: 'advance'; readonly ledger: CheckLedger }
  | { readonly kind: 'failed'; readonly ledger: CheckLedger }
  | {
      readonly kind: 'hold';
      readonly ledger: CheckLedger;
      readonly why: 'Inconclusive' | 'Error';
      /** This tick began the hold (or turned it from inconclusive to erroring, or back). */
      readonly streakStarted: boolean;
    }
  | {
      readonly kind: 'rollback';
      readonly ledger: CheckLedger;
      readonly reason: 'ThresholdReached' | 'InconclusiveDeadline' | 'ErrorLimit' | 'ErrorDeadline';
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
  const { failedChecks, inconclusiveSince, consecutiveErrors } = ledger;
  if (outcome === 'Successful') {
    return {
      kind: 'advance',
      ledger: { failedChecks, inconclusiveSince: null, consecutiveErrors: 0 },
    };
  }
  if (outcome === 'Failed') {
    const next = { failedChecks: failedChecks + 1, inconclusiveSince, consecutiveErrors: 0 };
    return thresholdReached(next.failedChecks, limits.threshold)
      ? { kind: 'rollback', ledger: next, reason: 'ThresholdReached' }
      : { kind: 'failed', ledger: next };
  }
  const since = inconclusiveSince ?? now;
  const errors = outcome === 'Error' ? consecutiveErrors + 1 : 0;
  const next = { failedChecks, inconclusiveSince: since, consecutiveErrors: errors };
  if (outcome === 'Error' && errors >= effectiveThreshold(limits.errorLimit)) {
    return { kind: 'rollback', ledger: next, reason: 'ErrorLimit' };
  }
  if (now - since >= limits.progressDeadlineMs) {
    const reason = outcome === 'Error' ? 'ErrorDeadline' : 'InconclusiveDeadline';
    return { kind: 'rollback', ledger: next, reason };
  }
  const started = inconclusiveSince === null || (outcome === 'Error') !== consecutiveErrors > 0;
  return { kind: 'hold', ledger: next, why: outcome, streakStarted: started };
}
