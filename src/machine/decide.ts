// decide(): the whole canary engine as one pure function of (spec, status, observations, now,
// answers gathered so far). It either asks for one more answer (a webhook type's verdict, or the
// metric checks) or returns the plan: next status, merge patch, effects, requeue. Asking again with
// the answer added replays the same decision path deterministically, so the interpreter in
// run-step.ts can run it as a loop of "decide, gather, decide" until a plan comes out.
import type { Phase } from '../api/constants.js';
import { PHASE_TABLE } from '../api/phases.js';
import { diffMergePatch, type JsonObject } from '../kube/merge-patch.js';
import { healthOfPhase, nextConditions, previousReady } from './conditions.js';
import { convergeEffects, primarySource } from './converge.js';
import {
  event,
  routeKind,
  verdict,
  type Ctx,
  type PhaseHandler,
  type Step,
  type Verdict,
  shortRevision,
} from './draft.js';
import { recordStep } from './history.js';
import { lifecycleStep } from './lifecycle.js';
import { blockedPhase } from './phases/blocked.js';
import { hold, release } from './phases/hold.js';
import { initializingPhase } from './phases/initializing.js';
import { handleOperation } from './phases/operations.js';
import { progressingPhase } from './phases/progressing.js';
import { finalisingPhase, promotingPhase } from './phases/promoting.js';
import { waitingPhase } from './phases/run-start.js';
import { settledPhase } from './phases/settled.js';
import { terminatingPhase } from './phases/terminating.js';
import { ROUTE_REJECTED, noteTrafficLag } from './phases/traffic-shift.js';
import { machineInputFromStatus, statusFromRunState, type RunState } from './resume.js';
import type { Blocked, ObservedTarget } from './types.js';
import {
  NOTHING_GATHERED,
  type DecideOutcome,
  type Gathered,
  type StepInput,
  type StepPlan,
} from './types.js';

const HANDLERS: Record<Exclude<Phase, 'Terminating'>, PhaseHandler> = {
  Initializing: initializingPhase,
  Initialized: settledPhase,
  Succeeded: settledPhase,
  Failed: settledPhase,
  Waiting: waitingPhase,
  Progressing: progressingPhase,
  WaitingPromotion: progressingPhase,
  Promoting: promotingPhase,
  Finalising: finalisingPhase,
};

function route(ctx: Ctx): Step {
  const { observed, spec } = ctx;
  if (observed.blocked !== null) return blockedPhase(ctx, observed.blocked);
  if (observed.deleting) return terminatingPhase(ctx, ctx.prev);
  const target = observed.target;
  if (target === null) {
    const name = spec.targetName === undefined ? '' : ` ${spec.targetName}`;
    return verdict(ctx.prev, 'TargetNotFound', `the target Deployment${name} does not exist`, {
      health: 'stalled',
      announce: 'Warning',
      handsOff: true,
    });
  }
  const op = handleOperation(ctx, ctx.prev, target);
  if (op.kind === 'step') return op.step;
  if (spec.suspend) return hold(ctx, op.state, 'Suspended');
  if (op.state.paused) return hold(ctx, op.state, 'Paused');
  const state = release(op.state, ctx.now);
  if (observed.primary === null && state.phase !== 'Initializing') {
    if (state.lastPromotedRevision === null) return initializingPhase(ctx, state, target);
    return primaryMissing(ctx, state, target);
  }
  if (state.phase === 'Terminating') return terminatingPhase(ctx, state);
  const rejected = ctx.observed.routeRejection ?? null;
  if (rejected !== null && !routingInFlight(state.phase))
    return routeRejected(ctx, state, rejected);
  return HANDLERS[state.phase](ctx, state, target);
}

/**
 * Phases whose own handler waits, bounded, for the route object to show a weight: a run
 * measuring one (traffic-shift.ts says the mesh's refusal and fails at the progress deadline) and
 * a promotion (its deadlines). In every other phase (Finalising too: all it waits for is the route
 * back to the primary) a refused route stops the Canary at once.
 */
const routingInFlight = (phase: Phase): boolean =>
  PHASE_TABLE[phase].active && phase !== 'Finalising';

/**
 * The mesh refused the route object (Gateway API: Accepted=False or ResolvedRefs=False for our
 * parent). Nothing can be routed or measured until it accepts it, and it takes a person to fix:
 * Stalled with the mesh's own words, one Warning Event, no run started; the route object is still
 * written (convergence), so the mesh's next acceptance ends this by itself.
 */
function routeRejected(ctx: Ctx, state: RunState, rejected: Blocked): Verdict {
  return verdict(
    state,
    ROUTE_REJECTED,
    `the mesh refused the ${routeKind(ctx)} (${rejected.reason}): ${rejected.message}`,
    { health: 'stalled', announce: 'Warning', requeueAfterMs: ctx.spec.intervalMs },
  );
}

/**
 * Someone deleted the primary (by hand, a GitOps prune, mid-run or after a rollback). It is rebuilt
 * from the last promoted template (convergence emits `initialize`), never from the target's
 * unanalysed template, and the phase is kept: a Failed revision stays Failed, a run resumes once
 * the primary exists again. Nothing else is decided meanwhile. Without a stored template of the
 * promoted revision, and with the target on another revision, there is nothing safe to build it
 * from: stalled, and a person must act.
 */
function primaryMissing(ctx: Ctx, state: RunState, target: ObservedTarget): Step {
  const promoted = state.lastPromotedRevision ?? '?';
  const from = primarySource(state, ctx.observed);
  if (from === null) {
    return verdict(
      state,
      'PrimaryTemplateUnavailable',
      `primary Deployment missing and no stored template of the promoted revision ${shortRevision(promoted)}; ` +
        `the target runs revision ${shortRevision(target.revision)}, which was not promoted, so the primary is not ` +
        `rebuilt from it: restore the primary, or set the target back to revision ${shortRevision(promoted)}`,
      { health: 'stalled', announce: 'Warning', requeueAfterMs: ctx.spec.intervalMs },
    );
  }
  const source =
    from === 'stored' ? 'the stored template of' : 'the target, which runs the promoted';
  return verdict(
    state,
    'PrimaryMissing',
    `primary Deployment missing; rebuilding it from ${source} revision ${shortRevision(promoted)}`,
    { health: 'progressing', announce: 'Warning', requeueAfterMs: ctx.spec.intervalMs },
  );
}

function finish(ctx: Ctx, verdictIn: Verdict): StepPlan {
  const { input, prev } = ctx;
  const v: Verdict = { ...verdictIn, state: noteTrafficLag(ctx, verdictIn.state) };
  const phaseChanged = v.state.phase !== prev.phase || prev.fresh;
  const reasonChanged = previousReady(prev.conditions)?.reason !== v.reason;
  const announced =
    v.announce !== null && (phaseChanged || reasonChanged)
      ? [event(v.announce, v.reason, v.message)]
      : [];
  const conditions = nextConditions(v.state.conditions, {
    phase: v.state.phase,
    health: v.health ?? healthOfPhase(v.state.phase),
    reason: v.reason,
    message: v.message,
    generation: input.generation,
    now: new Date(ctx.now).toISOString(),
  });
  const state: RunState = {
    ...v.state,
    conditions,
    observedGeneration: input.generation,
    history: recordStep(v.state.history, {
      before: prev,
      after: v.state,
      measured: measuredIn(prev, v.state),
      now: ctx.now,
    }),
  };
  const converge = v.handsOff ? [] : convergeEffects(state, input.observed);
  const effects = [...v.effects, ...converge, ...announced, ...v.notes];
  const status = statusFromRunState(state);
  const base = input.status === undefined ? {} : statusFromRunState(prev);
  const acts = v.effects.length + converge.length > 0;
  const requeue = acts
    ? Math.min(v.requeueAfterMs ?? ctx.spec.intervalMs, ctx.spec.intervalMs)
    : v.requeueAfterMs;
  return {
    status,
    statusPatch: diffMergePatch(base as JsonObject, status as JsonObject) ?? null,
    effects,
    requeueAfterMs: requeue === null ? null : Math.max(1, Math.ceil(requeue)),
    transition: { from: prev.phase, to: state.phase, reason: v.reason, message: v.message },
  };
}

/**
 * The checks this step measured. Only a tick replaces status.lastAnalysis (phases/tick.ts) and
 * the state is never mutated, so a new non-empty list is this step's measurement.
 */
const measuredIn = (prev: RunState, next: RunState): RunState['lastAnalysis'] | null =>
  next.lastAnalysis !== prev.lastAnalysis && next.lastAnalysis.length > 0
    ? next.lastAnalysis
    : null;

export function decide(input: StepInput, gathered: Gathered = NOTHING_GATHERED): DecideOutcome {
  const ctx: Ctx = {
    input,
    spec: input.spec,
    observed: input.observed,
    gathered,
    now: input.now,
    prev: machineInputFromStatus(input.status),
  };
  const step = route(ctx);
  if (step.kind === 'need') return { kind: 'gather', request: step.request };
  // A phase change is one event through the lifecycle machine: the verdict's rule, guarded by its
  // condition over this step's facts. A change the machine does not take throws (an engine bug)
  // before anything is planned.
  lifecycleStep(step.rule, { ...ctx, next: step.state });
  return { kind: 'plan', plan: finish(ctx, step) };
}
