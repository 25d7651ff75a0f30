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

export function convergeEffects(state: RunState, observed: Observed): Effect[] {
  if (state.phase === 'Terminating') return [];
  if (state.phase === 'Initializing') return observed.initialized ? [] : [{ type: 'initialize' }];
  const effects: Effect[] = [];
  if (!observed.initialized) effects.push({ type: 'initialize' });
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
  // Scaling the idle target down is a decision with a bound, not convergence: phases/idle-scale.ts.
  return effects;
}
