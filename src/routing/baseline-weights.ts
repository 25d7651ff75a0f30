// Weights with a baseline (spec.analysis.baseline, issue 17): the baseline gets the canary's
// weight, the primary the rest, so canary 10 / baseline 10 / primary 80. A canary weight above
// BASELINE_MAX_WEIGHT has no such split and is refused (the CRD is to refuse stepWeights above it
// once the field exists). After a run both the canary and the baseline are at weight 0: like the
// canary's, the baseline backend stays on the route at weight 0. Pure; no router writes three
// backends yet.
import { InvalidRoutesError } from './errors.js';
import type { Routes } from './types.js';

export interface BaselineRoutes extends Routes {
  readonly baselineWeight: number;
}

/** The highest canary weight a run with a baseline can route (canary 50 / baseline 50). */
export const BASELINE_MAX_WEIGHT = 50;

/** The three weights for a canary weight: a whole number in 0..BASELINE_MAX_WEIGHT. */
export function withBaseline(canaryWeight: number): BaselineRoutes {
  if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > BASELINE_MAX_WEIGHT) {
    throw new InvalidRoutesError(
      `with a baseline the canary weight must be a whole number in 0..${BASELINE_MAX_WEIGHT} ` +
        `(the baseline takes as much), got ${canaryWeight}`,
      { canaryWeight },
    );
  }
  return {
    primaryWeight: 100 - 2 * canaryWeight,
    canaryWeight,
    baselineWeight: canaryWeight,
  };
}

/** Everything on the primary, the baseline backend kept at weight 0. */
export const ALL_TO_PRIMARY_WITH_BASELINE: BaselineRoutes = withBaseline(0);
