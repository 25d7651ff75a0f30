// Starting a run: a new revision must pass the gates — a valid strategy, the deployment window,
// the concurrency limit, confirm-rollout webhooks — before the canary is scaled up. A closed gate
// parks the run in Waiting; Waiting re-evaluates the gates on every reconcile.
import { compileSchedule, windowAt } from '../../progression/windows.js';
import { strategyFrom } from '../../progression/strategy.js';
import { enter, event, need, verdict, type Ctx, type Step } from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { beginPromotion, cancelRun, freshRun } from './transitions.js';

/** Re-check a closed window at least this often (a schedule edit also triggers a reconcile). */
const MAX_WINDOW_REQUEUE_MS = 60 * 60_000;

function waiting(
  ctx: Ctx,
  state: RunState,
  reason: string,
  message: string,
  opts: { nextStart?: number | null; stalled?: boolean } = {},
): Step {
  const base = state.phase === 'Waiting' ? state : enter(state, 'Waiting', ctx.now);
  const next: RunState = { ...base, nextWindowStart: opts.nextStart ?? null };
  const until = opts.nextStart ?? null;
  const requeueAfterMs =
    until === null
      ? ctx.spec.intervalMs
      : Math.max(1, Math.min(until - ctx.now, MAX_WINDOW_REQUEUE_MS));
  return verdict(next, reason, message, {
    announce: opts.stalled === true ? 'Warning' : 'Normal',
    health: opts.stalled === true ? 'stalled' : null,
    requeueAfterMs,
  });
}

export function startRun(ctx: Ctx, state: RunState, target: ObservedTarget, why: string): Step {
  const s: RunState = {
    ...state,
    revision: target.revision,
    trackedConfigs: target.trackedConfigs,
  };
  const strategy = strategyFrom(ctx.spec.progression);
  if (!strategy.ok)
    return waiting(ctx, s, 'InvalidSpec', strategy.error.message, { stalled: true });
  const schedule = compileSchedule(ctx.spec.schedule);
  if (!schedule.ok)
    return waiting(ctx, s, 'InvalidSpec', schedule.error.message, { stalled: true });
  const window = windowAt(schedule.schedule, ctx.now);
  if (!window.open) {
    const when =
      window.nextStart === null
        ? 'no window within a year'
        : new Date(window.nextStart).toISOString();
    const message = `revision ${target.revision} waits for a deployment window (${window.reason}); next: ${when}`;
    return waiting(ctx, s, 'OutsideDeploymentWindow', message, { nextStart: window.nextStart });
  }
  if (!ctx.observed.runSlotAvailable) {
    return waiting(ctx, s, 'ConcurrencyLimit', 'waiting for another canary run to finish');
  }
  const confirm = ctx.gathered.webhooks['confirm-rollout'];
  if (confirm === undefined) {
    return need({
      kind: 'webhooks',
      call: { hookType: 'confirm-rollout', phase: state.phase, revision: target.revision },
    });
  }
  if (confirm.succeeded < confirm.called) {
    return waiting(ctx, s, 'ConfirmRolloutPending', `confirm-rollout: ${confirm.message}`);
  }
  const run = freshRun(ctx, s, target);
  if (ctx.spec.skipAnalysis) return beginPromotion(ctx, run, 'skipAnalysis is set');
  const message = `${why}: analysing revision ${target.revision}`;
  return verdict(run, 'Progressing', message, {
    notes: [event('Normal', 'NewRevision', message)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

export function waitingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  if (target.revision === state.lastPromotedRevision) return cancelRun(ctx, state, target);
  return startRun(ctx, state, target, 'New revision detected');
}
