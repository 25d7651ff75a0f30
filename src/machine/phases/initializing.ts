// Initializing: create primary, Services and TrafficSplit (the `initialize` effect, emitted by
// convergence until they exist), wait for the primary to be ready, then record the primary's
// revision as promoted. The target is scaled to 0 only afterwards, by convergence in Initialized,
// so a primary that never becomes ready never costs the app its pods.
import {
  enter,
  event,
  keep,
  overdue,
  routeKind,
  verdict,
  type Ctx,
  type Step,
  shortRevision,
} from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { withRoutineScaleDown } from './idle-scale.js';

export function initializingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  const entering = state.phase !== 'Initializing' || ctx.prev.fresh;
  const s =
    state.phase === 'Initializing' && !ctx.prev.fresh
      ? state
      : enter(state, 'Initializing', ctx.now);
  const notes = entering
    ? [event('Normal', 'Initializing', `creating primary, services and ${routeKind(ctx)}`)]
    : [];
  // Entered from another phase only when the primary is gone and nothing was ever promoted.
  const rule = state.phase === 'Initializing' ? null : 'primaryMissing';
  const primary = ctx.observed.primary;
  if (ctx.observed.initialized && primary?.readiness.state === 'ready') {
    // The primary was copied from the target when it was created; if the target has moved on
    // since, the primary's own revision is what was "promoted" and the newer one gets a run.
    const promoted = primary.revision ?? target.revision;
    const next: RunState = {
      ...enter(s, 'Initialized', ctx.now),
      revision: promoted,
      lastPromotedRevision: promoted,
      trackedConfigs: promoted === target.revision ? target.trackedConfigs : {},
      canaryWeight: 0,
      targetScaledDown: false,
    };
    const message = `primary ready with revision ${shortRevision(promoted)}; all traffic on primary`;
    const initialized = verdict(next, 'Initialized', message, {
      rule: 'primaryReady',
      notes: [...notes, event('Normal', 'Initialized', message)],
      requeueAfterMs: ctx.spec.intervalMs,
    });
    return withRoutineScaleDown(ctx, initialized, target);
  }
  if (primary?.readiness.state === 'failed' || overdue(ctx, s.phaseSince)) {
    return verdict(s, 'PrimaryNotReady', notInitializedBecause(ctx), {
      rule,
      notes,
      health: 'stalled',
      announce: 'Warning',
      requeueAfterMs: ctx.spec.intervalMs,
    });
  }
  return entering
    ? verdict(s, 'Initializing', 'waiting for the primary to become ready', {
        rule,
        notes,
        requeueAfterMs: ctx.spec.intervalMs,
      })
    : keep(s, { rule, requeueAfterMs: ctx.spec.intervalMs });
}

/** Why initialization has not finished within the progress deadline, naming what is missing. */
function notInitializedBecause(ctx: Ctx): string {
  const primary = ctx.observed.primary;
  if (primary !== null && primary.readiness.state !== 'ready') {
    return `primary not ready within the progress deadline: ${primary.readiness.message}`;
  }
  const missing = ctx.observed.missing ?? [];
  const what = missing.length === 0 ? 'the objects it needs' : missing.join(', ');
  return `not initialized within the progress deadline: ${what} not in place`;
}
