// Comparing the canary's time series with the control's (the baseline, else the primary):
// Mann–Whitney U for significance, Hodges–Lehmann for the size and direction of the shift, the
// mean ratio for the effect-size gates; verdict.ts decides. Pure: numbers in, a value out.
//
// NaN samples (no data at that instant) are dropped before counting. +Inf is kept (a latency
// quantile of +Inf is a real, very bad value): it ranks above every finite value and makes its
// side's mean infinite.
import { hodgesLehmann, type ShiftEstimate } from '../statistics/hodges-lehmann.js';
import { mannWhitney } from '../statistics/mann-whitney.js';
import { mean, median } from '../statistics/summary.js';
import {
  num,
  pv,
  ratioOf,
  tooFew,
  verdict,
  type CompareCriteria,
  type Comparison,
} from './verdict.js';

export interface SideSummary {
  readonly n: number;
  readonly median: number;
  readonly mean: number;
}

export interface SampleComparison extends Comparison<SideSummary> {
  /** Absent when a side has too few samples. */
  readonly shift?: ShiftEstimate;
  readonly u?: number;
  readonly meanRatio?: number;
}

function summarize(values: readonly number[]): SideSummary {
  return { n: values.length, median: median(values), mean: mean(values) };
}

function sides(canary: SideSummary, control: SideSummary, controlName: string): string {
  return (
    `canary n=${canary.n} median ${num(canary.median)}, ` +
    `${controlName} n=${control.n} median ${num(control.median)}`
  );
}

export function compareSamples(
  canaryValues: readonly number[],
  controlValues: readonly number[],
  c: CompareCriteria,
): SampleComparison {
  const canarySamples = canaryValues.filter((v) => !Number.isNaN(v));
  const controlSamples = controlValues.filter((v) => !Number.isNaN(v));
  const canary = summarize(canarySamples);
  const control = summarize(controlSamples);
  const name = c.control ?? 'control';
  const few = tooFew(canary.n, control.n, c.minSamples, name);
  if (few !== undefined) {
    const message = `${sides(canary, control, name)}; Inconclusive: samples ${few}`;
    return { metric: c.metric, result: 'Inconclusive', canary, control, message };
  }
  const { u, pValue } = mannWhitney(canarySamples, controlSamples);
  const shift = hodgesLehmann(canarySamples, controlSamples, c.confidence);
  const meanRatio = ratioOf(canary.mean, control.mean);
  const { result, why } = verdict(
    { shift: shift.estimate, pValue, centre: control.median, meanRatio },
    c,
  );
  const ci = `${num(shift.confidence * 100)}% CI ${num(shift.lower, true)} to ${num(shift.upper, true)}`;
  const message =
    `${sides(canary, control, name)}; shift ${num(shift.estimate, true)} (${ci}), ` +
    `p ${pv(pValue)}, mean ratio ${num(meanRatio)}; ${result}: ${why}`;
  return { metric: c.metric, result, canary, control, shift, pValue, u, meanRatio, message };
}
