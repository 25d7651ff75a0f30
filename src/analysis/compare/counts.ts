// Comparing failure counts (errors out of requests) as proportions with Fisher's exact test on
// the success/failure totals, not as a rank test over sparse per-interval rates: a handful of
// errors against none is not significant (kayenta#426 passed such series for the wrong reason,
// and would also pass a real rise), while a real rise in the rate is. The shift is the difference
// of failure rates, the tolerance is relative to the control's rate and the mean ratio is the
// ratio of the rates (the mean of per-request 0/1 failures); verdict.ts decides. minSamples
// counts requests on each side.
import { fisherExact } from '../statistics/fisher-exact.js';
import {
  num,
  pv,
  ratioOf,
  tooFew,
  verdict,
  type CompareCriteria,
  type Comparison,
} from './verdict.js';

export interface Counts {
  readonly failures: number;
  readonly total: number;
}

export interface CountComparison extends Comparison<Counts> {
  readonly rateRatio?: number;
}

const rate = (s: Counts): number => (s.total === 0 ? Number.NaN : s.failures / s.total);

function side(name: string, s: Counts): string {
  return `${name} ${s.failures}/${s.total} failed (${num(rate(s) * 100)}%)`;
}

export function compareCounts(
  canary: Counts,
  control: Counts,
  c: CompareCriteria,
): CountComparison {
  const name = c.control ?? 'control';
  const head = `${side('canary', canary)}, ${side(name, control)}`;
  const few = tooFew(canary.total, control.total, c.minSamples, name);
  if (few !== undefined) {
    const message = `${head}; Inconclusive: requests ${few}`;
    return { metric: c.metric, result: 'Inconclusive', canary, control, message };
  }
  const pValue = fisherExact([
    [canary.failures, canary.total - canary.failures],
    [control.failures, control.total - control.failures],
  ]);
  const rateRatio = ratioOf(rate(canary), rate(control));
  const { result, why } = verdict(
    { shift: rate(canary) - rate(control), pValue, centre: rate(control), meanRatio: rateRatio },
    c,
  );
  const message = `${head}; Fisher p ${pv(pValue)}, rate ratio ${num(rateRatio)}; ${result}: ${why}`;
  return { metric: c.metric, result, canary, control, pValue, rateRatio, message };
}
