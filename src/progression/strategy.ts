// Traffic progression: which canary weight comes next, and when a run is ready to promote.
//
// Three strategies (no mirroring):
// - canary: an ascending list of weights (explicit `stepWeights`, or `stepWeight` up to
//   `maxWeight` WITHOUT overshoot: step 30, max 50 gives 30, 50 — Flagger gives 30, 60);
// - blue/green (`iterations`): N checked iterations at weight 0 (the canary is exercised through
//   its own Service, e.g. by a load tester), then all traffic to the canary, then promotion.
// - A/B (`iterations` with `match`): the requests that match go to the canary (weight 100 of
//   the matching requests; every other request stays on the primary) for N checked iterations,
//   then promotion. The weight of an A/B run is the matching requests' split, never the others'.
// The next weight is derived from the current weight, not from a step counter, so editing the
// weights mid-run never jumps backwards or overshoots the new maximum.
import { PROGRESSION_ERROR_REASONS, ProgressionError } from './errors.js';

export interface ProgressionSpec {
  readonly stepWeight?: number | undefined;
  readonly maxWeight?: number | undefined;
  readonly stepWeights?: readonly number[] | undefined;
  readonly iterations?: number | undefined;
  /** A/B: spec.analysis.match is set. */
  readonly match?: boolean | undefined;
}

/** The progression fields of spec.analysis. */
export function progressionOf(analysis: {
  readonly stepWeight?: number | undefined;
  readonly maxWeight?: number | undefined;
  readonly stepWeights?: readonly number[] | undefined;
  readonly iterations?: number | undefined;
  readonly match?: readonly unknown[] | undefined;
}): ProgressionSpec {
  const { stepWeight, maxWeight, stepWeights, iterations, match } = analysis;
  return { stepWeight, maxWeight, stepWeights, iterations, match: match !== undefined };
}

export type Strategy =
  | { readonly kind: 'canary'; readonly weights: readonly number[] }
  | { readonly kind: 'blueGreen'; readonly iterations: number }
  | { readonly kind: 'ab'; readonly iterations: number };

export type StrategyResult =
  | { readonly ok: true; readonly strategy: Strategy }
  | { readonly ok: false; readonly error: ProgressionError };

/** Where a run stands: the weight the canary receives and the blue/green iterations done. */
export interface Position {
  readonly canaryWeight: number;
  readonly iterations: number;
}

/** A confirm-* webhook type that must approve a step before it is taken. */
export type StepGate = 'confirm-traffic-increase' | 'confirm-promotion';

export type NextStep =
  | {
      readonly kind: 'advance';
      readonly canaryWeight: number;
      readonly iterations: number;
      readonly gate: StepGate | null;
    }
  | { readonly kind: 'promote'; readonly gate: StepGate | null };

const isWeight = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 100;

function invalid(message: string): StrategyResult {
  return {
    ok: false,
    error: new ProgressionError(PROGRESSION_ERROR_REASONS.invalidStrategy, message),
  };
}

/** stepWeight up to maxWeight, the last step clamped to maxWeight (never beyond it). */
export function linearWeights(stepWeight: number, maxWeight = 100): number[] {
  const weights: number[] = [];
  for (let w = stepWeight; w < maxWeight; w += stepWeight) weights.push(w);
  weights.push(maxWeight);
  return weights;
}

export function strategyFrom(spec: ProgressionSpec): StrategyResult {
  const { stepWeight, maxWeight, stepWeights, iterations } = spec;
  if (spec.match === true) {
    if (
      iterations === undefined ||
      [stepWeight, maxWeight, stepWeights].some((v) => v !== undefined)
    ) {
      return invalid(
        'analysis.match needs analysis.iterations, without stepWeight, stepWeights or maxWeight',
      );
    }
    if (!Number.isInteger(iterations) || iterations < 1) {
      return invalid('analysis.iterations must be an integer >= 1');
    }
    return { ok: true, strategy: { kind: 'ab', iterations } };
  }
  const chosen = [stepWeight, stepWeights, iterations].filter((v) => v !== undefined).length;
  if (chosen !== 1) {
    return invalid('exactly one of analysis.stepWeight, analysis.stepWeights, analysis.iterations');
  }
  if (iterations !== undefined) {
    if (!Number.isInteger(iterations) || iterations < 1) {
      return invalid('analysis.iterations must be an integer >= 1');
    }
    return { ok: true, strategy: { kind: 'blueGreen', iterations } };
  }
  if (stepWeights !== undefined) {
    const ascending = stepWeights.every((w, i) => i === 0 || w > (stepWeights[i - 1] ?? 0));
    if (stepWeights.length === 0 || !stepWeights.every((w) => isWeight(w) && w > 0) || !ascending) {
      return invalid('analysis.stepWeights must be strictly ascending weights in 1..100');
    }
    return { ok: true, strategy: { kind: 'canary', weights: [...stepWeights] } };
  }
  const max = maxWeight ?? 100;
  if (
    stepWeight === undefined ||
    !isWeight(stepWeight) ||
    stepWeight < 1 ||
    !isWeight(max) ||
    max < 1
  ) {
    return invalid('analysis.stepWeight and analysis.maxWeight must be weights in 1..100');
  }
  return { ok: true, strategy: { kind: 'canary', weights: linearWeights(stepWeight, max) } };
}

/** The step a run takes after a successful check at `position`. */
export function nextStep(strategy: Strategy, position: Position): NextStep {
  if (strategy.kind === 'canary') {
    const next = strategy.weights.find((w) => w > position.canaryWeight);
    return next === undefined
      ? { kind: 'promote', gate: 'confirm-promotion' }
      : {
          kind: 'advance',
          canaryWeight: next,
          iterations: position.iterations,
          gate: 'confirm-traffic-increase',
        };
  }
  if (strategy.kind === 'ab') return nextAbStep(strategy.iterations, position);
  if (position.iterations < strategy.iterations) {
    return { kind: 'advance', canaryWeight: 0, iterations: position.iterations + 1, gate: null };
  }
  // All iterations passed: switch every request to the new version (gated by confirm-promotion),
  // check it once more under full traffic, then promote.
  return position.canaryWeight < 100
    ? {
        kind: 'advance',
        canaryWeight: 100,
        iterations: position.iterations,
        gate: 'confirm-promotion',
      }
    : { kind: 'promote', gate: null };
}

/**
 * A/B: the matching requests go to the canary first (gated by confirm-traffic-increase), then
 * each passed check counts an iteration, and the last one promotes.
 */
function nextAbStep(iterations: number, position: Position): NextStep {
  if (position.canaryWeight === 0) {
    return {
      kind: 'advance',
      canaryWeight: 100,
      iterations: position.iterations,
      gate: 'confirm-traffic-increase',
    };
  }
  return position.iterations < iterations
    ? { kind: 'advance', canaryWeight: 100, iterations: position.iterations + 1, gate: null }
    : { kind: 'promote', gate: 'confirm-promotion' };
}

/** Canary weight after one promotion step: 0 (all at once) or decreased by stepWeightPromotion. */
export function promotionWeight(canaryWeight: number, stepWeightPromotion: number): number {
  if (stepWeightPromotion <= 0) return 0;
  return Math.max(0, canaryWeight - stepWeightPromotion);
}

/** Whether a tick at this position has traffic worth measuring (canary at weight 0 has none). */
export function measuresTraffic(strategy: Strategy, position: Position): boolean {
  return strategy.kind === 'blueGreen' || position.canaryWeight > 0;
}
