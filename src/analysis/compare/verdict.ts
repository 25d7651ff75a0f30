// The one rule both comparisons (samples and counts) end in, and how its numbers read.
//
// Failed needs all of:
// 1. significance: p < 1 − confidence (two-sided test);
// 2. a shift in a bad direction: the estimate is > 0 for `increase`, < 0 for `decrease`,
//    either sign for `either`;
// 3. beyond the practical-significance band: |estimate| > tolerance × |the control's centre|
//    (its median for samples, its failure rate for counts);
// 4. past the effect-size gate when one is set: mean ratio > maxRatio for an increase,
//    < minRatio for a decrease.
// Anything else is Successful, and the message names the first rule that was not met.

import type { CompareDirection } from '../../api/constants.js';

export { COMPARE_DIRECTIONS, type CompareDirection } from '../../api/constants.js';

export interface CompareCriteria {
  readonly metric: string;
  /** Which shift of the canary is bad. */
  readonly direction: CompareDirection;
  /** In (0, 1): a shift is significant when p < 1 − confidence. */
  readonly confidence: number;
  /** >= 0: shifts within tolerance × |control centre| are tolerated however significant. */
  readonly tolerance: number;
  /** An increase fails only when the mean ratio canary/control is above this. */
  readonly maxRatio?: number;
  /** A decrease fails only when the mean ratio canary/control is below this. */
  readonly minRatio?: number;
  /** Fewer samples (for counts: requests) on either side -> Inconclusive. */
  readonly minSamples: number;
  /** What messages call the control side. @default 'control' */
  readonly control?: string;
}

export type CompareResult = 'Successful' | 'Failed' | 'Inconclusive';

/** What both comparisons return; Side is a series' summary or a pair of counts. */
export interface Comparison<Side> {
  readonly metric: string;
  readonly result: CompareResult;
  readonly canary: Side;
  readonly control: Side;
  /** Absent when a side is too small to test. */
  readonly pValue?: number;
  /** The numbers behind the verdict and the rule that decided it, in one line. */
  readonly message: string;
}

export interface Evidence {
  /** Canary minus control: the Hodges–Lehmann estimate, or the difference of failure rates. */
  readonly shift: number;
  readonly pValue: number;
  /** The control's centre that the tolerance is relative to. */
  readonly centre: number;
  /** mean(canary) / mean(control); 1 when both are 0, ±Infinity when only the control's is. */
  readonly meanRatio: number;
}

/** A number for a message: four significant digits, a sign where asked. */
export function num(x: number, signed = false): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : '−∞';
  const s = String(Number(x.toPrecision(4)));
  return signed && x >= 0 ? `+${s}` : s;
}

/** A p-value for a message: two significant digits, exponent notation when tiny. */
export function pv(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}

/** Why a side is too small to judge, or undefined; a side with nothing is too small whatever
 * minSamples says. */
export function tooFew(
  canary: number,
  control: number,
  minSamples: number,
  controlName = 'control',
): string | undefined {
  const least = Math.max(1, minSamples);
  const few = [
    ...(canary < least ? [`canary ${canary}`] : []),
    ...(control < least ? [`${controlName} ${control}`] : []),
  ];
  return few.length > 0 ? `${few.join(', ')} < minSamples ${least}` : undefined;
}

export function ratioOf(canaryMean: number, controlMean: number): number {
  return canaryMean === 0 && controlMean === 0 ? 1 : canaryMean / controlMean;
}

export function verdict(e: Evidence, c: CompareCriteria): { result: CompareResult; why: string } {
  const alpha = 1 - c.confidence;
  if (!(e.pValue < alpha)) {
    return { result: 'Successful', why: `no significant shift (p ${pv(e.pValue)} ≥ ${pv(alpha)})` };
  }
  const sig = `p ${pv(e.pValue)} < ${pv(alpha)}`;
  if (e.shift === 0) return { result: 'Successful', why: `${sig} but the shift estimate is 0` };
  const bad = e.shift > 0 ? 'increase' : 'decrease';
  if (c.direction !== 'either' && c.direction !== bad) {
    return {
      result: 'Successful',
      why: `${sig} but a ${bad} is not bad (direction ${c.direction})`,
    };
  }
  const band = c.tolerance * Math.abs(e.centre);
  const tolerated = `tolerance ±${num(band)} (${num(c.tolerance)} × ${num(Math.abs(e.centre))})`;
  if (Math.abs(e.shift) <= band) {
    return { result: 'Successful', why: `${sig} but the ${bad} is within ${tolerated}` };
  }
  const [gateName, gate] = bad === 'increase' ? ['maxRatio', c.maxRatio] : ['minRatio', c.minRatio];
  const ratio = `mean ratio ${num(e.meanRatio)}`;
  if (gate !== undefined) {
    const past = bad === 'increase' ? e.meanRatio > gate : e.meanRatio < gate;
    if (!past) {
      return {
        result: 'Successful',
        why: `${sig}, ${bad} beyond ${tolerated}, but ${ratio} is not past ${gateName} ${num(gate)}`,
      };
    }
    return {
      result: 'Failed',
      why: `${sig}, ${bad} beyond ${tolerated}, ${ratio} past ${gateName} ${num(gate)}`,
    };
  }
  return { result: 'Failed', why: `${sig}, ${bad} beyond ${tolerated}` };
}
