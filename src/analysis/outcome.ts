// One analysis tick's outcome from its metric results. An Error (query failed, template broken)
// counts as a failed check, as in Flagger: a check that cannot be made does not let a release
// through, and the failed-checks threshold bounds how long a flaky source can hold a run.
import type { TickOutcome } from '../progression/checks.js';
import type { MetricCheckResult } from './evaluate.js';

export function tickOutcome(results: readonly MetricCheckResult[]): TickOutcome {
  if (results.some((r) => r.result === 'Failed' || r.result === 'Error')) return 'Failed';
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
