// One analysis tick (at most one per interval). The first tick of a run calls pre-rollout hooks
// and takes the first step without measuring (the canary has had no traffic yet); later ticks call
// rollout hooks, then the metric checks. A hook failure counts as a failed check (Flagger).
// Then: Failed -> count (roll back at threshold); Inconclusive -> hold (roll back when the hold
// reaches the progress deadline); Successful -> the next step, behind its confirm-* gate.
import type { MeasurementRecord } from '../../api/canary.js';
import type { MetricCheckResult } from '../../analysis/evaluate.js';
import { describeProblems, tickOutcome } from '../../analysis/outcome.js';
import { measuresTraffic, nextStep, recordTick, type Strategy } from '../../progression/index.js';
import { enter, event, need, verdict, type Ctx, type Step } from '../draft.js';
import type { RunState } from '../resume.js';
import type { GateHookType, WebhookOutcome } from '../types.js';
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

function records(results: readonly MetricCheckResult[], at: string): MeasurementRecord[] {
  return results.map((r) => ({
    metric: r.metric,
    result: r.result,
    message: r.message,
    at,
    ...(r.value !== undefined && Number.isFinite(r.value) ? { value: r.value } : {}),
  }));
}

export function tick(ctx: Ctx, state: RunState, strategy: Strategy): Step {
  const rollbackHooks = hooks(ctx, state, 'rollback');
  if (!rollbackHooks.ok) return rollbackHooks.step;
  if (rollbackHooks.outcome.succeeded > 0) {
    return rollback(
      ctx,
      state,
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
      const call = {
        phase: state.phase,
        revision: state.revision ?? '',
        canaryWeight: state.canaryWeight,
        // The last tick, or the moment the weight was routed (or seen in the split).
        since: state.lastAnalysisAt ?? ctx.now,
      };
      return need({ kind: 'checks', call });
    }
    results = ctx.gathered.checks.results;
  }
  const limits = { threshold: ctx.spec.threshold, progressDeadlineMs: ctx.spec.progressDeadlineMs };
  const v = recordTick(state, tickOutcome(results), ctx.now, limits);
  const ticked: RunState = {
    ...state,
    ...v.ledger,
    lastAnalysisAt: ctx.now,
    lastAnalysis: records(results, new Date(ctx.now).toISOString()),
  };
  const problems = describeProblems(results);
  const interval = ctx.spec.intervalMs;
  switch (v.kind) {
    case 'rollback':
      return v.reason === 'ThresholdReached'
        ? rollback(
            ctx,
            ticked,
            'FailedChecksThresholdReached',
            `${ticked.failedChecks} failed checks; last: ${problems}`,
          )
        : rollback(
            ctx,
            ticked,
            'AnalysisInconclusive',
            `inconclusive for the whole progress deadline: ${problems}`,
          );
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
      return advance(ctx, ticked, strategy);
  }
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
  if (step.kind === 'promote') return beginPromotion(ctx, state, 'analysis passed');
  const next: RunState = {
    ...enter(state, 'Progressing', ctx.now),
    canaryWeight: step.canaryWeight,
    iterations: step.iterations,
    stepIndex: state.stepIndex + 1,
  };
  const message =
    strategy.kind === 'blueGreen' && step.canaryWeight === 0
      ? `iteration ${step.iterations}/${strategy.iterations} passed`
      : `canary weight ${step.canaryWeight}`;
  return verdict(next, 'Progressing', message, {
    notes: [event('Normal', 'Advanced', message)],
    requeueAfterMs: ctx.spec.intervalMs,
  });
}
