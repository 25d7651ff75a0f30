// Building blocks of a decision. A phase handler returns a Step: either a Verdict (the next state
// and why) or a Need (a webhook/check answer it must have before it can decide). decide() turns
// the final Verdict into a StepPlan.
import type { Phase } from '../api/constants.js';
import { previousReady, type Health } from './conditions.js';
import type { RunState } from './resume.js';
import type { RuleId } from './rules.js';
import type {
  Effect,
  EngineSpec,
  GatherRequest,
  Gathered,
  Observed,
  ObservedTarget,
  StepInput,
} from './types.js';

export interface Verdict {
  readonly kind: 'verdict';
  readonly state: RunState;
  /** Ready/Stalled condition reason (CamelCase) and message. */
  readonly reason: string;
  readonly message: string;
  /** Defaults to the phase's health (healthOfPhase). */
  readonly health: Health | null;
  /** Notifications sent with this step (events, post-rollout webhooks). */
  readonly notes: readonly Effect[];
  /** Emit an event of this type when the phase or the reason changes (not on every reconcile). */
  readonly announce: 'Normal' | 'Warning' | null;
  /** Effects decided explicitly (Terminating); convergence effects are added by decide(). */
  readonly effects: readonly Effect[];
  /** Touch nothing: no convergence (suspend, target missing). */
  readonly handsOff: boolean;
  readonly requeueAfterMs: number | null;
  /** The lifecycle rule a phase change applies (rules.ts); null when the phase stays. */
  readonly rule: RuleId | null;
}

export interface Need {
  readonly kind: 'need';
  readonly request: GatherRequest;
}

export type Step = Verdict | Need;

export interface Ctx {
  readonly input: StepInput;
  readonly spec: EngineSpec;
  readonly observed: Observed;
  readonly gathered: Gathered;
  readonly now: number;
  /** The state as persisted, before this step. */
  readonly prev: RunState;
}

/** A handler that needs the target (every phase but Terminating). */
export type PhaseHandler = (ctx: Ctx, state: RunState, target: ObservedTarget) => Step;

type VerdictOptions = Partial<Omit<Verdict, 'kind' | 'state' | 'reason' | 'message'>>;

export function verdict(
  state: RunState,
  reason: string,
  message: string,
  opts: VerdictOptions = {},
): Verdict {
  return {
    kind: 'verdict',
    state,
    reason,
    message,
    health: opts.health ?? null,
    notes: opts.notes ?? [],
    announce: opts.announce ?? null,
    effects: opts.effects ?? [],
    handsOff: opts.handsOff ?? false,
    requeueAfterMs: opts.requeueAfterMs ?? null,
    rule: opts.rule ?? null,
  };
}

/** Reasons that describe a passing situation, not the phase; never carried over by keep(). */
const TRANSIENT_REASONS = new Set([
  'Suspended',
  'Paused',
  'TargetNotFound',
  // A blocked step's reasons (phases/blocked.ts); the block has cleared once keep() runs.
  'InvalidSpec',
  'NotOwned',
  'TrafficSplitUnavailable',
  'UnsupportedStrategy',
  'TemplateNotFound',
  'AutoscalerNotFound',
  'TargetNotReady',
  'PrimaryMissing',
  'PrimaryTemplateUnavailable',
  'WaitingForPrimary',
  'TrafficShiftStalled',
  'RouteRejected',
]);

/** Nothing new to say: keep the last Ready reason and message (e.g. why a run is waiting). */
export function keep(state: RunState, opts: VerdictOptions = {}): Verdict {
  const ready = previousReady(state.conditions);
  const usable = ready !== undefined && !TRANSIENT_REASONS.has(ready.reason);
  return usable
    ? verdict(state, ready.reason, ready.message, opts)
    : verdict(state, state.phase, `phase ${state.phase}`, opts);
}

/** Said in the status of a run that has neither metric checks nor gate webhooks. */
/** How many characters of a revision (a SHA-256 in hex) messages show: enough to tell revisions apart. */
export const REVISION_SHOWN = 12;

/**
 * A revision as messages and Events show it: its first REVISION_SHOWN characters, so the reason
 * after it stays readable (`kubectl get -o wide`, the CLI); `status.revision` keeps it whole.
 */
export const shortRevision = (revision: string | null | undefined): string =>
  revision == null ? '?' : revision.slice(0, REVISION_SHOWN);

export const NO_CHECKS_NOTE = 'no metrics or gate webhooks: every step passes without evidence';

export const need = (request: GatherRequest): Need => ({ kind: 'need', request });

/** Enters `phase` and starts its bounded wait; a route lag of the phase left behind is forgotten. */
export function enter(state: RunState, phase: Phase, now: number): RunState {
  return { ...state, phase, phaseSince: now, trafficShift: null };
}

export function event(eventType: 'Normal' | 'Warning', reason: string, message: string): Effect {
  return { type: 'emitEvent', eventType, reason, message };
}

export function postRollout(state: RunState): Effect {
  return {
    type: 'callWebhooks',
    call: { hookType: 'post-rollout', phase: state.phase, revision: state.revision ?? '' },
  };
}

/** The wait that began at `since` has reached the progress deadline. */
export function overdue(ctx: Ctx, since: number | null): boolean {
  return since !== null && ctx.now - since >= ctx.spec.progressDeadlineMs;
}

/** Time left before the progress deadline of the wait begun at `since`, at most one interval. */
export function untilDeadline(ctx: Ctx, since: number | null): number {
  const left =
    since === null ? ctx.spec.progressDeadlineMs : since + ctx.spec.progressDeadlineMs - ctx.now;
  return Math.max(1, Math.min(ctx.spec.intervalMs, left));
}

/** The route object's kind for messages: "TrafficSplit" or "HTTPRoute". */
export const routeKind = (ctx: Ctx): string => ctx.observed.routeKind ?? 'TrafficSplit';

export const routesAt = (routes: Observed['routes'], canaryWeight: number): boolean =>
  routes !== null &&
  routes.canaryWeight === canaryWeight &&
  routes.primaryWeight === 100 - canaryWeight;
