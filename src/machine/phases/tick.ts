// One analysis tick (at most one per interval). The first tick of a run calls pre-rollout hooks
// without measuring (the canary has had no traffic yet): a canary run takes its first weight, a
// blue/green run starts its first iteration (it is counted only once measured). Later ticks call
// rollout hooks, then the metric checks. A hook failure counts as a failed check (Flagger).
// Then: Failed -> count (roll back at threshold); Error -> hold and count apart (roll back at
// errorLimit: MetricsUnavailable); Inconclusive -> hold (roll back when the hold reaches the
// progress deadline); Successful -> the next step, behind its confirm-* gate. With noData: pass a
// run that never saw data is held instead of promoted.
import type { MeasurementRecord } from '../../api/canary.js';
import type { MetricCheckResult } from '../../analysis/evaluate.js';
import { describeProblems, tickOutcome } from '../../analysis/outcome.js';
import {
  measuredUntil,
  measuresTraffic,
  nextStep,
  recordTick,
  type CheckVerdict,
  type Strategy,
} from '../../progression/index.js';
import { NO_CHECKS_NOTE, enter, event, need, verdict, type Ctx, type Step } from '../draft.js';
import type { RunState } from '../resume.js';
import type { RollbackRule } from '../rules.js';
import type { GateHookType, WebhookOutcome } from '../types.js';
import { measuredSince, stepLength } from './traffic-shift.js';
import { beginPromotion, rollback } from './transitions.js';

type Answer =
  | { readonly ok: true; readonly outcome: WebhookOutcome }
  | { readonly ok: false; readonly step: Step };

function hooks(ctx: Ctx, state: RunState, hookType: GateHookType): Answer {
  const outcome = ctx.gathered.webhooks[hookType];
  if (outcome !== undefined) return { ok: true, outcome };
  const call = { hookType, phase: state.phase, revision: state.revision ?? '' };
  return { ok: false, step: need({ kind: 'webhooks', call }) };
}

const refused = (o: WebhookOutcome): boolean => o.succeeded < o.called;

export function records(results: readonly MetricCheckResult[], at: string): MeasurementRecord[] {
  return results.map((r) => ({
    metric: r.metric,
    result: r.result,
    message: r.message,
    at,
    ...(r.value !== undefined && Number.isFinite(r.value) ? { value: r.value } : {}),
    ...(r.compare === undefined ? {} : { compare: r.compare }),
  }));
}

export function tick(ctx: Ctx, state: RunState, strategy: Strategy): Step {
  const rollbackHooks = hooks(ctx, state, 'rollback');
  if (!rollbackHooks.ok) return rollbackHooks.step;
  if (rollbackHooks.outcome.succeeded > 0) {
    return rollback(
      ctx,
      state,
      'rollbackRequested',
      'RollbackRequested',
      `rollback webhook: ${rollbackHooks.outcome.message}`,
    );
  }
  // The first tick of a run (also when its pre-rollout hooks failed before and are retried).
  const first = state.stepIndex === 0 && state.canaryWeight === 0 && state.iterations === 0;
  const hookType = first ? 'pre-rollout' : 'rollout';
  const gate = hooks(ctx, state, hookType);
  if (!gate.ok) return gate.step;
  let results: readonly MetricCheckResult[] = [];
  if (refused(gate.outcome)) {
    results = [{ metric: `webhook/${hookType}`, result: 'Failed', message: gate.outcome.message }];
  } else if (!first && measuresTraffic(strategy, state)) {
    if (ctx.gathered.checks === null) {
      // The last tick, or the moment the weight was routed (or seen in the split), or the end
      // of the second of the last write of the route object if later.
      const since = measuredSince(ctx, state) ?? ctx.now;
      const call = {
        phase: state.phase,
        revision: state.revision ?? '',
        canaryWeight: state.canaryWeight,
        since,
        until: measuredUntil(since, stepLength(ctx), ctx.now),
      };
      return need({ kind: 'checks', call });
    }
    results = ctx.gathered.checks.results;
  }
  const dataSeen =
    state.dataSeen ||
    results.some(
      (r) => r.value !== undefined && (r.result === 'Successful' || r.result === 'Failed'),
    );
  let outcome = tickOutcome(results);
  if (outcome === 'Successful' && promotesBlind(ctx, state, strategy, dataSeen)) {
    outcome = 'Inconclusive';
    results = [...results, NEVER_MEASURED];
  }
  const limits = {
    threshold: ctx.spec.threshold,
    errorLimit: ctx.spec.errorLimit,
    progressDeadlineMs: ctx.spec.progressDeadlineMs,
  };
  const v = recordTick(state, outcome, ctx.now, limits);
  const ticked: RunState = {
    ...state,
    ...v.ledger,
    dataSeen,
    lastAnalysisAt: ctx.now,
    // The step's own evaluation: a fail-fast record of it is done with.
    failFast: { ...state.failFast, failedAt: null, failed: [] },
    lastAnalysis: records(results, new Date(ctx.now).toISOString()),
  };
  const problems = describeProblems(results);
  const interval = ctx.spec.intervalMs;
  switch (v.kind) {
    case 'rollback': {
      const [rule, reason, why] = ROLLBACKS[v.reason](ticked, ctx.spec.errorLimit);
      return rollback(ctx, ticked, rule, reason, `${why}: ${problems}`);
    }
    case 'failed':
      return verdict(
        ticked,
        'CheckFailed',
        `failed check ${ticked.failedChecks}/${ctx.spec.threshold}: ${problems}`,
        {
          notes: [event('Warning', 'CheckFailed', problems)],
          requeueAfterMs: interval,
        },
      );
    case 'hold':
      if (v.why === 'Error') {
        return verdict(
          ticked,
          'MetricsUnavailable',
          `holding weight ${ticked.canaryWeight}: checks could not be evaluated ` +
            `(${ticked.consecutiveErrors} of errorLimit ${ctx.spec.errorLimit}): ${problems}`,
          {
            notes: v.streakStarted ? [event('Warning', 'MetricsUnavailable', problems)] : [],
            requeueAfterMs: interval,
          },
        );
      }
      return verdict(
        ticked,
        'AnalysisInconclusive',
        `holding weight ${ticked.canaryWeight}: ${problems}`,
        {
          notes: v.streakStarted ? [event('Normal', 'AnalysisInconclusive', problems)] : [],
          requeueAfterMs: interval,
        },
      );
    case 'advance':
      return first && strategy.kind === 'blueGreen'
        ? startIterations(ctx, ticked, strategy.iterations)
        : advance(ctx, ticked, strategy);
  }
}

/** Each way a tick rolls back: the lifecycle rule, the reason (Ready, Event, alert) and what happened. */
const ROLLBACKS: Record<
  Extract<CheckVerdict, { kind: 'rollback' }>['reason'],
  (s: RunState, errorLimit: number) => readonly [RollbackRule, string, string]
> = {
  ThresholdReached: (s) => [
    'checksFailed',
    'FailedChecksThresholdReached',
    `${s.failedChecks} failed checks; last`,
  ],
  InconclusiveDeadline: () => [
    'progressDeadline',
    'AnalysisInconclusive',
    'inconclusive for the whole progress deadline',
  ],
  ErrorLimit: (s, limit) => [
    'metricsUnavailable',
    'MetricsUnavailable',
    `checks could not be evaluated in ${s.consecutiveErrors} analysis steps in a row (errorLimit ${limit})`,
  ],
  ErrorDeadline: () => [
    'progressDeadline',
    'MetricsUnavailable',
    'checks could not be evaluated for the whole progress deadline',
  ],
};

const NEVER_MEASURED: MetricCheckResult = {
  metric: 'analysis',
  result: 'Inconclusive',
  message:
    'no check has returned data in this run; noData: pass does not promote a release that was never measured',
};

/**
 * The next step would promote, metrics are configured with noData: pass, and no check of the run
 * ever returned data: promoting would put an unmeasured release on the primary.
 */
function promotesBlind(ctx: Ctx, state: RunState, strategy: Strategy, dataSeen: boolean): boolean {
  return (
    ctx.spec.noDataPasses &&
    ctx.spec.checks.metrics > 0 &&
    !dataSeen &&
    nextStep(strategy, state).kind === 'promote'
  );
}

/** Blue/green's first tick: pre-rollout passed; iterations count from the next, measured, tick. */
function startIterations(ctx: Ctx, state: RunState, iterations: number): Step {
  const next: RunState = { ...enter(state, 'Progressing', ctx.now), stepIndex: 1 };
  const message = `measuring iteration 1/${iterations}`;
  return verdict(next, 'Progressing', message, {
    notes: [event('Normal', 'Advanced', message)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}

/** What an advance did: an iteration passed (blue/green, A/B) or a weight was taken. */
function advanceMessage(
  strategy: Strategy,
  state: RunState,
  step: { readonly canaryWeight: number; readonly iterations: number },
): string {
  if (strategy.kind === 'canary' || (strategy.kind === 'blueGreen' && step.canaryWeight > 0)) {
    return `canary weight ${step.canaryWeight}`;
  }
  if (strategy.kind === 'ab' && state.canaryWeight === 0) {
    return 'matching requests routed to the canary';
  }
  return `iteration ${step.iterations}/${strategy.iterations} passed`;
}

function advance(ctx: Ctx, state: RunState, strategy: Strategy): Step {
  const step = nextStep(strategy, state);
  if (step.gate !== null) {
    const gate = hooks(ctx, state, step.gate);
    if (!gate.ok) return gate.step;
    if (refused(gate.outcome)) {
      const message = `${step.gate}: ${gate.outcome.message}`;
      if (step.gate === 'confirm-promotion') {
        const s =
          state.phase === 'WaitingPromotion' ? state : enter(state, 'WaitingPromotion', ctx.now);
        return verdict(s, 'WaitingPromotion', message, {
          rule: 'confirmPromotionPending',
          announce: 'Normal',
          requeueAfterMs: ctx.spec.intervalMs,
        });
      }
      return verdict(state, 'TrafficIncreasePending', message, {
        announce: 'Normal',
        requeueAfterMs: ctx.spec.intervalMs,
      });
    }
  }
  if (step.kind === 'promote')
    return beginPromotion(ctx, state, 'analysisPassed', 'analysis passed');
  const next: RunState = {
    ...enter(state, 'Progressing', ctx.now),
    canaryWeight: step.canaryWeight,
    iterations: step.iterations,
    stepIndex: state.stepIndex + 1,
  };
  const blind =
    ctx.spec.checks.metrics + ctx.spec.checks.gateHooks === 0 ? ` (${NO_CHECKS_NOTE})` : '';
  const message = `${advanceMessage(strategy, state, step)}${blind}`;
  return verdict(next, 'Progressing', message, {
    // Leaving WaitingPromotion for a step of traffic: blue/green's switch after confirm-promotion.
    rule: state.phase === 'WaitingPromotion' ? 'confirmed' : null,
    notes: [event('Normal', 'Advanced', message)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}
