// Convergence: the effects that bring the world in line with a status. They are derived from
// (status, observed) on every step, not remembered, so an effect lost to a crash between the status
// write and the action is simply emitted again by the next reconcile — and an effect already
// visible in the observed world is not emitted at all. That is what makes restarts repeat nothing.
import { routesAt } from './draft.js';
import type { RunState } from './resume.js';
import type { Effect, Observed } from './types.js';

/** The canary (target Deployment) must run: during analysis, or while it receives traffic. */
export function canaryShouldRun(state: RunState): boolean {
  return (
    state.phase === 'Progressing' || state.phase === 'WaitingPromotion' || state.canaryWeight > 0
  );
}

/**
 * Where a missing primary may be built from: the target only on first initialisation (nothing was
 * ever promoted) or while the target still runs the promoted revision; otherwise the stored
 * template of the promoted revision. null: neither is safe (decide() says so and stalls).
 */
export function primarySource(state: RunState, observed: Observed): 'target' | 'stored' | null {
  const promoted = state.lastPromotedRevision;
  if (observed.primary !== null || promoted === null) return 'target';
  if (observed.promotedTemplate === promoted) return 'stored';
  return observed.target?.revision === promoted ? 'target' : null;
}

function initialize(state: RunState, observed: Observed): Effect[] {
  if (observed.initialized) return [];
  const from = primarySource(state, observed);
  return from === null ? [] : [{ type: 'initialize', primaryFrom: from }];
}

export function convergeEffects(state: RunState, observed: Observed): Effect[] {
  if (state.phase === 'Terminating') return [];
  if (state.phase === 'Initializing') return initialize(state, observed);
  const effects: Effect[] = initialize(state, observed);
  // The primary runs the promoted revision and its template is not stored yet (after a
  // promotion, after initialisation, or a Canary from before templates were stored).
  const promoted = state.lastPromotedRevision;
  if (
    promoted !== null &&
    observed.promotedTemplate !== promoted &&
    observed.primary?.revision === promoted
  ) {
    effects.push({ type: 'recordPromoted', revision: promoted });
  }
  if (
    state.phase === 'Promoting' &&
    state.revision !== null &&
    observed.primary?.revision !== state.revision
  ) {
    effects.push({ type: 'promotePrimary', revision: state.revision });
  }
  if (canaryShouldRun(state) && observed.target?.replicas === 0) {
    effects.push({ type: 'scaleCanary', to: 'up' });
  }
  if (!routesAt(observed.routes, state.canaryWeight)) {
    effects.push({
      type: 'routeTraffic',
      primaryWeight: 100 - state.canaryWeight,
      canaryWeight: state.canaryWeight,
    });
  }
  // The provider changed: the old API's route object goes only once the new one routes the
  // status's weights, so there is no moment without a route.
  if (observed.routesLeftBehind === true && routesAt(observed.routes, state.canaryWeight)) {
    effects.push({ type: 'releaseOldRoutes' });
  }
  // Scaling the idle target down is a decision with a bound, not convergence: phases/idle-scale.ts.
  return effects;
}
