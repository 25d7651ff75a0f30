// Transitions shared by several phases: rolling back, starting promotion, cancelling a run.
import {
  enter,
  event,
  postRollout,
  verdict,
  type Ctx,
  type Verdict,
  shortRevision,
} from '../draft.js';
import type { RunState } from '../resume.js';
import type { PromotionRule, RollbackRule } from '../rules.js';
import type { ObservedTarget } from '../types.js';
import { startRunHistory } from '../history.js';
import { forgetIdleScale } from './idle-scale.js';

/** Traffic back to the primary, canary scaled down (by convergence), phase Failed. */
export function rollback(
  ctx: Ctx,
  state: RunState,
  rule: RollbackRule,
  reason: string,
  message: string,
): Verdict {
  const failed: RunState = {
    ...enter(state, 'Failed', ctx.now),
    canaryWeight: 0,
    inconclusiveSince: null,
    canaryUnreadySince: null,
    targetScaledDown: false,
    failFast: { ...state.failFast, failedAt: null, failed: [] },
  };
  const text = `rolled back revision ${shortRevision(state.revision)}: ${message}`;
  return verdict(failed, reason, text, {
    rule,
    notes: [event('Warning', reason, text), postRollout(failed)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

/** Copy the canary's template to the primary (by convergence); traffic stays where it is. */
export function beginPromotion(
  ctx: Ctx,
  state: RunState,
  rule: PromotionRule,
  why: string,
): Verdict {
  const promoting: RunState = {
    ...enter(state, 'Promoting', ctx.now),
    lastAnalysisAt: ctx.now,
    inconclusiveSince: null,
    canaryUnreadySince: null,
    paused: false,
  };
  const message =
    `promoting revision ${shortRevision(state.revision)}: ${why}; ` +
    'traffic returns to the primary once its rollout is ready';
  return verdict(promoting, 'Promoting', message, {
    rule,
    notes: [event('Normal', 'Promoting', message)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

/** The target went back to what the primary runs: nothing to deploy, end the run quietly. */
export function cancelRun(ctx: Ctx, state: RunState, target: ObservedTarget): Verdict {
  const idle: RunState = {
    ...enter(state, 'Succeeded', ctx.now),
    revision: target.revision,
    trackedConfigs: target.trackedConfigs,
    canaryWeight: 0,
    nextWindowStart: null,
    inconclusiveSince: null,
    targetScaledDown: false,
  };
  const message = `target reverted to the primary's revision ${shortRevision(target.revision)}; run of ${shortRevision(state.revision)} cancelled`;
  return verdict(idle, 'RevisionReverted', message, {
    rule: 'targetReverted',
    notes: [event('Normal', 'RevisionReverted', message)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

/** A new run of the target's revision at weight 0 with fresh counters. */
export function freshRun(ctx: Ctx, state: RunState, target: ObservedTarget): RunState {
  return {
    ...enter(forgetIdleScale(state), 'Progressing', ctx.now),
    revision: target.revision,
    trackedConfigs: target.trackedConfigs,
    canaryWeight: 0,
    stepIndex: 0,
    failedChecks: 0,
    iterations: 0,
    nextWindowStart: null,
    lastAnalysisAt: null,
    inconclusiveSince: null,
    consecutiveErrors: 0,
    canaryUnreadySince: null,
    dataSeen: false,
    targetScaledDown: false,
    // Fail-fast's cadence: the scrape interval this run's pre-flight read (fail-fast.ts).
    failFast: { everyMs: ctx.gathered.preflight?.scrapeMs ?? null, failedAt: null, failed: [] },
    lastAnalysis: [],
    history: startRunHistory(state.history, target.revision, ctx.now),
  };
}
