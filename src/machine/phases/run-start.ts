// Starting a run: a new revision must pass the gates — a valid strategy, the deployment window,
// the concurrency limit, the pre-flight (every check and webhook can be evaluated), confirm-rollout
// webhooks — before the canary is scaled up. A closed gate parks the run in Waiting; Waiting
// re-evaluates the gates on every reconcile. A pre-flight problem is Ready=False (stalled) with the
// check's name and the server's message, and no traffic moves until it is fixed.
import { compileSchedule, windowAt } from '../../progression/windows.js';
import { strategyFrom } from '../../progression/strategy.js';
import { NO_CHECKS_NOTE, enter, event, need, verdict, type Ctx, type Step } from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';
import { cancelRun, freshRun } from './transitions.js';

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
  if (!ctx.spec.skipAnalysis) {
    const preflight = ctx.gathered.preflight;
    if (preflight === null) {
      return need({ kind: 'preflight', call: { revision: target.revision } });
    }
    if (preflight.problems.length > 0) {
      const [first] = preflight.problems;
      const reason =
        first !== undefined && preflight.problems.every((p) => p.reason === first.reason)
          ? first.reason
          : 'PreflightFailed';
      const what = preflight.problems.map((p) => `${p.check}: ${p.message}`).join('; ');
      const message = `revision ${target.revision} not started, checks cannot be evaluated: ${what}`;
      // A metrics source that is down ends by itself (the gate is tried again every interval);
      // anything else needs a person to fix the Canary or its templates.
      const outage = preflight.problems.every((p) => p.reason === 'MetricsUnavailable');
      return waiting(ctx, s, reason, message, { stalled: !outage });
    }
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
  const { metrics, gateHooks } = ctx.spec.checks;
  const message = ctx.spec.skipAnalysis
    ? `${why}: skipAnalysis is set, promoting revision ${target.revision} once the canary is ready`
    : metrics + gateHooks === 0
      ? `${why}: revision ${target.revision} (${NO_CHECKS_NOTE})`
      : `${why}: analysing revision ${target.revision}`;
  const blind =
    !ctx.spec.skipAnalysis && metrics + gateHooks === 0
      ? [event('Warning', 'NoChecks', `revision ${target.revision}: ${NO_CHECKS_NOTE}`)]
      : [];
  return verdict(run, 'Progressing', message, {
    notes: [event('Normal', 'NewRevision', message), ...blind],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

export function waitingPhase(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  if (target.revision === state.lastPromotedRevision) return cancelRun(ctx, state, target);
  return startRun(ctx, state, target, 'New revision detected');
}
