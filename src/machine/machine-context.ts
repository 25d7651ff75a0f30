// The machine's context, its inputs and outputs, and the pure helpers its actions use.
import { fromPromise } from 'xstate';
import { ENGINE_ERROR_CODES, EngineError } from './errors.js';
import type {
  ChecksCall,
  ChecksOutcome,
  Effect,
  EffectCall,
  EffectOf,
  EffectOutcome,
  EffectType,
  EngineStatus,
  GatherRequest,
  Gathered,
  PreflightCall,
  PreflightOutcome,
  StatusPatch,
  StepInput,
  StepPlan,
  WebhookCall,
  WebhookOutcome,
} from './types.js';

export interface StepLimits {
  /** Bound on one webhook type's calls or one round of metric checks. */
  readonly gatherTimeoutMs: number;
  readonly persistTimeoutMs: number;
  readonly effectTimeoutMs: number;
}

export const DEFAULT_LIMITS: StepLimits = {
  gatherTimeoutMs: 60_000,
  persistTimeoutMs: 30_000,
  effectTimeoutMs: 60_000,
};

export interface MachineInput {
  readonly step: StepInput;
  readonly limits: StepLimits;
}

export interface PersistInput {
  readonly patch: StatusPatch;
  readonly status: EngineStatus;
}

export interface StepResult {
  /** null only when the step failed before a decision was reached (an actor was not provided). */
  readonly plan: StepPlan | null;
  /** The status patch was written (false also when there was nothing to write). */
  readonly persisted: boolean;
  /** Effects applied, in order (failed notifications included: they are not retried). */
  readonly applied: readonly Effect[];
  /** Notifications (events, post-rollout webhooks) that failed; the step still succeeded. */
  readonly notificationFailures: readonly EngineError[];
  /** The status write or a converging effect failed: retry the step with backoff. */
  readonly error: EngineError | null;
  /** Why a route change was held back (its endpoints not ready): the loop looks again soon. */
  readonly held: string | null;
}

export interface Context {
  readonly step: StepInput;
  readonly limits: StepLimits;
  readonly gathered: Gathered;
  readonly request: GatherRequest | null;
  readonly plan: StepPlan | null;
  readonly pending: readonly Effect[];
  readonly applied: readonly Effect[];
  readonly persisted: boolean;
  readonly notificationFailures: readonly EngineError[];
  readonly error: EngineError | null;
  readonly held: string | null;
}

export const notProvided = (actor: string): Promise<never> =>
  Promise.reject(
    new EngineError(
      ENGINE_ERROR_CODES.actorNotProvided,
      actor,
      `actor ${actor} was not provided to the canary machine`,
    ),
  );

export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function webhookCall(c: Context): WebhookCall {
  if (c.request?.kind !== 'webhooks')
    throw new Error('callingWebhooks entered without a webhook request');
  return c.request.call;
}

export function checksCall(c: Context): ChecksCall {
  if (c.request?.kind !== 'checks')
    throw new Error('runningChecks entered without a checks request');
  return c.request.call;
}

export function preflightCall(c: Context): PreflightCall {
  if (c.request?.kind !== 'preflight') throw new Error('preflight entered without a request');
  return c.request.call;
}

export function head<T extends EffectType>(c: Context, type: T): EffectOf<T> {
  const next = c.pending[0];
  if (next?.type !== type)
    throw new Error(`effect state ${type} entered with ${next?.type ?? 'nothing'} pending`);
  return next as EffectOf<T>;
}

export function plan(c: Context): StepPlan {
  if (c.plan === null) throw new Error('the canary machine finished without a plan');
  return c.plan;
}

/** A webhook type's answer when the call itself could not be made: a refusal, never approval. */
export function withWebhooks(c: Context, outcome: WebhookOutcome): Partial<Context> {
  const { hookType } = webhookCall(c);
  return { gathered: { ...c.gathered, webhooks: { ...c.gathered.webhooks, [hookType]: outcome } } };
}

/** Checks that could not run count as one Error result (a failed check), never as a pass. */
export function withChecks(c: Context, outcome: ChecksOutcome): Partial<Context> {
  return { gathered: { ...c.gathered, checks: outcome } };
}

export function withPreflight(c: Context, outcome: PreflightOutcome): Partial<Context> {
  return { gathered: { ...c.gathered, preflight: outcome } };
}

/** A pre-flight that could not run is a problem (the run does not start), never a pass. */
export const preflightError = (why: string): PreflightOutcome => ({
  problems: [{ check: 'pre-flight', reason: 'PreflightFailed', message: why }],
});

export const checksError = (why: string): ChecksOutcome => ({
  results: [{ metric: 'analysis', result: 'Error', message: why }],
});
export const hooksError = (why: string): WebhookOutcome => ({
  called: 1,
  succeeded: 0,
  message: why,
});

/** A missing actor is a wiring bug: keep its own (non-retryable) error instead of wrapping it. */
export const notProvidedError = (err: unknown): EngineError | undefined =>
  err instanceof EngineError && err.code === ENGINE_ERROR_CODES.actorNotProvided ? err : undefined;

export function effectError(c: Context, code: EngineError['code'], err: unknown): EngineError {
  const wiring = notProvidedError(err);
  if (wiring !== undefined) return wiring;
  const effect = c.pending[0];
  const actor = effect?.type ?? 'unknown';
  const why =
    code === ENGINE_ERROR_CODES.timeout
      ? `${actor} did not finish within ${c.limits.effectTimeoutMs}ms`
      : message(err);
  return new EngineError(code, actor, `effect ${actor} failed: ${why}`, { cause: err });
}

/** The actors as shipped: each fails with WL_ENGINE_ACTOR_NOT_PROVIDED until provided. */
/** An effect actor: given the effect and the persisted status, it may report a held route change. */
const effectActor = <T extends Exclude<EffectType, 'callWebhooks'>>(type: T) =>
  fromPromise<EffectOutcome | undefined, EffectCall<EffectOf<T>>>(() => notProvided(type));

export const UNPROVIDED_ACTORS = {
  callWebhooks: fromPromise<WebhookOutcome, WebhookCall>(() => notProvided('callWebhooks')),
  runChecks: fromPromise<ChecksOutcome, ChecksCall>(() => notProvided('runChecks')),
  preflight: fromPromise<PreflightOutcome, PreflightCall>(() => notProvided('preflight')),
  persistStatus: fromPromise<undefined, PersistInput>(() => notProvided('persistStatus')),
  initialize: effectActor('initialize'),
  recordPromoted: effectActor('recordPromoted'),
  promotePrimary: effectActor('promotePrimary'),
  scaleCanary: effectActor('scaleCanary'),
  routeTraffic: effectActor('routeTraffic'),
  finalize: effectActor('finalize'),
  emitEvent: effectActor('emitEvent'),
};
