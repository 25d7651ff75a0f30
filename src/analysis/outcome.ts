// One analysis tick's outcome from its metric results. A Failed result is a verdict on the
// release and wins over everything. An Error (the query failed, the metrics source is down, a
// template went missing) is not: it holds the run and is counted apart from failed checks
// (progression/checks.ts), so a metrics outage is told apart from a failing release — and never
// lets one through, since a tick with an Error never advances.
import type { TickOutcome } from '../progression/checks.js';
import type { MetricCheckResult } from './evaluate.js';

export function tickOutcome(results: readonly MetricCheckResult[]): TickOutcome {
  if (results.some((r) => r.result === 'Failed')) return 'Failed';
  if (results.some((r) => r.result === 'Error')) return 'Error';
  if (results.some((r) => r.result === 'Inconclusive')) return 'Inconclusive';
  return 'Successful';
}

/** "metric: message" of the results that stopped the run from advancing, for events and logs. */
export function describeProblems(results: readonly MetricCheckResult[]): string {
  return results
    .filter((r) => r.result !== 'Successful')
    .map((r) => `${r.metric} ${r.result}: ${r.message}`)
    .join('; ');
}
