// One reconcile step: a small runner around the engine, not a machine of its own. The lifecycle
// is the machine (lifecycle.ts); this file only runs a decision against the world:
//
//   decide ──needs an answer──> callWebhooks | runChecks | preflight ──> decide   (until a plan)
//   persistStatus                          (skipped when nothing changed and nothing converges)
//   apply each effect in order             (initialize … routeTraffic … emitEvent, callWebhooks)
//
// decide() (decide.ts) is pure; every side effect is a plain async function of EngineActors that
// the composition root supplies (tests supply their own). The status is persisted BEFORE any
// effect, so an effect never happens for a decision that was not recorded; effects are re-derived
// from status + observations on the next step if lost. Every wait is bounded by a timer on the
// injected clock, and a call past its bound is aborted through its signal.
import type { Clock } from '../time/clock.js';
import { decide } from './decide.js';
import { ENGINE_ERROR_CODES, EngineError } from './errors.js';
import {
  NOTHING_GATHERED,
  type ChecksCall,
  type ChecksOutcome,
  type Effect,
  type EffectOf,
  type EffectOutcome,
  type EngineStatus,
  type Gathered,
  type GatherRequest,
  type PreflightCall,
  type PreflightOutcome,
  type StatusPatch,
  type StepInput,
  type StepPlan,
  type WebhookCall,
  type WebhookOutcome,
} from './types.js';

/**
 * The side of the world, as plain async functions. `signal` aborts when the step gives up on the
 * call (its time bound passed); implementations should stop promptly.
 */
export interface EngineActors {
  callWebhooks(call: WebhookCall, signal: AbortSignal): Promise<WebhookOutcome>;
  runChecks(call: ChecksCall, signal: AbortSignal): Promise<ChecksOutcome>;
  /** Before a run moves traffic: every check and webhook can be evaluated (problems, not throws). */
  preflight(call: PreflightCall, signal: AbortSignal): Promise<PreflightOutcome>;
  /** Merge-patch `/status` with the patch (optimistic concurrency is the implementation's). */
  persistStatus(input: PersistInput, signal: AbortSignal): Promise<void>;
  // The effects. `status` is what this step persisted (the state they converge on). A route
  // change held back (its endpoints not ready) is returned as { held: why }; the step's result
  // carries it, and no actor keeps state of its own.
  initialize(effect: EffectOf<'initialize'>, signal: AbortSignal, status: EngineStatus): Done;
  /** Stores the live primary's template and config copies as the promoted template of `revision`. */
  recordPromoted(
    effect: EffectOf<'recordPromoted'>,
    signal: AbortSignal,
    status: EngineStatus,
  ): Done;
  promotePrimary(
    effect: EffectOf<'promotePrimary'>,
    signal: AbortSignal,
    status: EngineStatus,
  ): Done;
  scaleCanary(effect: EffectOf<'scaleCanary'>, signal: AbortSignal, status: EngineStatus): Done;
  routeTraffic(
    effect: EffectOf<'routeTraffic'>,
    signal: AbortSignal,
    status: EngineStatus,
  ): Promise<EffectOutcome | undefined>;
  finalize(effect: EffectOf<'finalize'>, signal: AbortSignal, status: EngineStatus): Done;
  /** Removes (or gives back) the Canary's route objects of the routing APIs it no longer uses. */
  releaseOldRoutes(
    effect: EffectOf<'releaseOldRoutes'>,
    signal: AbortSignal,
    status: EngineStatus,
  ): Done;
  emitEvent(effect: EffectOf<'emitEvent'>, signal: AbortSignal, status: EngineStatus): Done;
}

type Done = Promise<void>;

export interface PersistInput {
  readonly patch: StatusPatch;
  readonly status: EngineStatus;
}

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

export interface RunStepOptions {
  readonly clock: Clock;
  readonly limits?: StepLimits;
}

/**
 * One reconcile step: decide from `input` (its `now` taken from the clock), gather, persist,
 * apply. Resolves with the result even when persisting or an effect failed (see
 * StepResult.error); rejects only on a bug in the engine itself.
 */
export async function runCanaryStep(
  actors: EngineActors,
  input: Omit<StepInput, 'now'>,
  opts: RunStepOptions,
): Promise<StepResult> {
  const { clock } = opts;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const step: StepInput = { ...input, now: clock.now() };
  const decided = await decideWithAnswers(actors, step, clock, limits);
  if (decided.kind === 'wiringBug') return failedBeforePlan(decided.error);
  const plan = decided.plan;
  const result = { plan, persisted: false, applied: [], notificationFailures: [], held: null };

  // Nothing to write and nothing to do. A plan with converging effects but no status change still
  // goes through persistStatus (an empty patch with the Canary's resourceVersion), so an effect
  // derived from a stale cached status is refused by the API server (409) instead of moving
  // traffic or workloads back to what an older status said.
  const persists = plan.statusPatch !== null || plan.effects.some(isConverging);
  if (persists) {
    const written = await bounded(clock, limits.persistTimeoutMs, (signal) =>
      call(actors, 'persistStatus', (a) =>
        a.persistStatus({ patch: plan.statusPatch ?? {}, status: plan.status }, signal),
      ),
    );
    if (written.kind !== 'done') {
      const error =
        written.kind === 'timeout'
          ? new EngineError(
              ENGINE_ERROR_CODES.timeout,
              'persistStatus',
              `status write did not finish within ${limits.persistTimeoutMs}ms`,
            )
          : (notProvidedError(written.error) ??
            new EngineError(
              ENGINE_ERROR_CODES.statusWriteFailed,
              'persistStatus',
              `status write failed: ${message(written.error)}`,
              { cause: written.error },
            ));
      return { ...result, error };
    }
  }
  return { ...result, persisted: persists, ...(await applyEffects(actors, plan, clock, limits)) };
}

type Decided =
  | { readonly kind: 'plan'; readonly plan: StepPlan }
  | { readonly kind: 'wiringBug'; readonly error: EngineError };

/**
 * decide(), then the answer it asks for, then decide() again with it, until a plan comes out.
 * An answer that could not be had (the call failed or outlived its bound) is a refusal, a failed
 * check or a pre-flight problem, never an approval; an actor that was not provided is a wiring
 * bug and ends the step.
 */
async function decideWithAnswers(
  actors: EngineActors,
  step: StepInput,
  clock: Clock,
  limits: StepLimits,
): Promise<Decided> {
  let gathered: Gathered = NOTHING_GATHERED;
  for (;;) {
    const outcome = decide(step, gathered);
    if (outcome.kind === 'plan') return outcome;
    const request = outcome.request;
    if (asked(gathered, request)) {
      throw new Error(
        `decide() asked twice for ${request.kind === 'webhooks' ? request.call.hookType : request.kind}`,
      );
    }
    const answer = await gather(actors, request, clock, limits.gatherTimeoutMs);
    if (answer.kind === 'wiringBug') return answer;
    gathered = answer.gathered(gathered);
  }
}

function asked(gathered: Gathered, r: GatherRequest): boolean {
  if (r.kind === 'checks') return gathered.checks !== null;
  if (r.kind === 'preflight') return gathered.preflight !== null;
  return r.call.hookType in gathered.webhooks;
}

type Answer =
  | { readonly kind: 'answer'; readonly gathered: (g: Gathered) => Gathered }
  | { readonly kind: 'wiringBug'; readonly error: EngineError };

async function gather(
  actors: EngineActors,
  r: GatherRequest,
  clock: Clock,
  timeoutMs: number,
): Promise<Answer> {
  const answer = <T>(
    got: Bounded<T>,
    failed: (why: string) => T,
    what: { readonly failed: string; readonly late: string },
    put: (g: Gathered, value: T) => Gathered,
  ): Answer => {
    if (got.kind === 'failed') {
      const wiring = notProvidedError(got.error);
      if (wiring !== undefined) return { kind: 'wiringBug', error: wiring };
    }
    const value =
      got.kind === 'done'
        ? got.value
        : got.kind === 'timeout'
          ? failed(`${what.late} within ${timeoutMs}ms`)
          : failed(`${what.failed}: ${message(got.error)}`);
    return { kind: 'answer', gathered: (g) => put(g, value) };
  };
  switch (r.kind) {
    case 'webhooks': {
      const got = await bounded(clock, timeoutMs, (signal) =>
        call(actors, 'callWebhooks', (a) => a.callWebhooks(r.call, signal)),
      );
      return answer(
        got,
        hooksError,
        { failed: 'webhooks failed', late: 'webhooks did not answer' },
        (g, v) => ({ ...g, webhooks: { ...g.webhooks, [r.call.hookType]: v } }),
      );
    }
    case 'checks': {
      const got = await bounded(clock, timeoutMs, (signal) =>
        call(actors, 'runChecks', (a) => a.runChecks(r.call, signal)),
      );
      return answer(
        got,
        checksError,
        { failed: 'checks failed', late: 'checks did not finish' },
        (g, v) => ({ ...g, checks: v }),
      );
    }
    case 'preflight': {
      const got = await bounded(clock, timeoutMs, (signal) =>
        call(actors, 'preflight', (a) => a.preflight(r.call, signal)),
      );
      return answer(
        got,
        preflightError,
        { failed: 'pre-flight failed', late: 'pre-flight did not finish' },
        (g, v) => ({ ...g, preflight: v }),
      );
    }
  }
}

/**
 * Applies the plan's effects in order. A converging effect that fails or outlives its bound fails
 * the step: the other converging effects are dropped (the next step re-derives them from the
 * status), but this step's Events are still sent, since the status is saved already and the next
 * step sees no transition to announce. A notification that fails is recorded and the step goes
 * on (notifications are at most once).
 */
async function applyEffects(
  actors: EngineActors,
  plan: StepPlan,
  clock: Clock,
  limits: StepLimits,
): Promise<Pick<StepResult, 'applied' | 'notificationFailures' | 'error' | 'held'>> {
  const applied: Effect[] = [];
  const notificationFailures: EngineError[] = [];
  let error: EngineError | null = null;
  let held: string | null = null;
  let pending: readonly Effect[] = plan.effects;
  for (let e = pending[0]; e !== undefined; e = pending[0]) {
    const effect = e;
    pending = pending.slice(1);
    const got = await bounded(clock, limits.effectTimeoutMs, (signal) =>
      applyEffect(actors, effect, signal, plan.status),
    );
    if (got.kind === 'done') {
      applied.push(effect);
      if (got.value?.held !== undefined) held = got.value.held;
      continue;
    }
    const failure = effectError(effect, got, limits.effectTimeoutMs);
    if (isConverging(effect)) {
      error = failure;
      pending = pending.filter((p) => p.type === 'emitEvent');
    } else {
      notificationFailures.push(failure);
      applied.push(effect);
    }
  }
  return { applied, notificationFailures, error, held };
}

function applyEffect(
  actors: EngineActors,
  e: Effect,
  signal: AbortSignal,
  status: EngineStatus,
): Promise<EffectOutcome | undefined> {
  const done = (p: Promise<void>): Promise<undefined> => p.then(() => undefined);
  switch (e.type) {
    case 'initialize':
      return call(actors, e.type, (a) => done(a.initialize(e, signal, status)));
    case 'recordPromoted':
      return call(actors, e.type, (a) => done(a.recordPromoted(e, signal, status)));
    case 'promotePrimary':
      return call(actors, e.type, (a) => done(a.promotePrimary(e, signal, status)));
    case 'scaleCanary':
      return call(actors, e.type, (a) => done(a.scaleCanary(e, signal, status)));
    case 'routeTraffic':
      return call(actors, e.type, (a) => a.routeTraffic(e, signal, status));
    case 'finalize':
      return call(actors, e.type, (a) => done(a.finalize(e, signal, status)));
    case 'releaseOldRoutes':
      return call(actors, e.type, (a) => done(a.releaseOldRoutes(e, signal, status)));
    case 'emitEvent':
      return call(actors, e.type, (a) => done(a.emitEvent(e, signal, status)));
    case 'callWebhooks':
      return call(actors, e.type, (a) => a.callWebhooks(e.call, signal).then(() => undefined));
  }
}

const isConverging = (e: Effect): boolean => e.type !== 'emitEvent' && e.type !== 'callWebhooks';

/**
 * Calls one actor. One the composition root did not provide is a wiring bug with its own
 * (non-retryable) error, never mistaken for a refusal or a failed check.
 */
function call<T>(
  actors: EngineActors,
  name: keyof EngineActors,
  run: (a: EngineActors) => Promise<T>,
): Promise<T> {
  if (typeof (actors as Partial<EngineActors>)[name] !== 'function') {
    return Promise.reject(
      new EngineError(
        ENGINE_ERROR_CODES.actorNotProvided,
        name,
        `actor ${name} was not provided to the step`,
      ),
    );
  }
  try {
    return run(actors);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

type Bounded<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'timeout' };

/** Runs `work` with a time bound on `clock`; past it the work's signal aborts. Never rejects. */
function bounded<T>(
  clock: Clock,
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<Bounded<T>> {
  const abort = new AbortController();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      abort.abort();
      resolve({ kind: 'timeout' });
    }, ms);
    work(abort.signal).then(
      (value) => {
        clock.clearTimeout(timer);
        resolve({ kind: 'done', value });
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        resolve({ kind: 'failed', error });
      },
    );
  });
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A missing actor is a wiring bug: keep its own (non-retryable) error instead of wrapping it. */
const notProvidedError = (err: unknown): EngineError | undefined =>
  err instanceof EngineError && err.code === ENGINE_ERROR_CODES.actorNotProvided ? err : undefined;

function effectError(e: Effect, got: Bounded<unknown>, timeoutMs: number): EngineError {
  if (got.kind === 'failed') {
    const wiring = notProvidedError(got.error);
    if (wiring !== undefined) return wiring;
  }
  const timeout = got.kind === 'timeout';
  const why = timeout
    ? `${e.type} did not finish within ${timeoutMs}ms`
    : message(got.kind === 'failed' ? got.error : undefined);
  return new EngineError(
    timeout ? ENGINE_ERROR_CODES.timeout : ENGINE_ERROR_CODES.effectFailed,
    e.type,
    `effect ${e.type} failed: ${why}`,
    got.kind === 'failed' ? { cause: got.error } : undefined,
  );
}

function failedBeforePlan(error: EngineError): StepResult {
  return { plan: null, persisted: false, applied: [], notificationFailures: [], error, held: null };
}

/** A pre-flight that could not run is a problem (the run does not start), never a pass. */
const preflightError = (why: string): PreflightOutcome => ({
  problems: [{ check: 'pre-flight', reason: 'PreflightFailed', message: why }],
});

/** Checks that could not run count as one Error result (a failed check), never as a pass. */
const checksError = (why: string): ChecksOutcome => ({
  results: [{ metric: 'analysis', result: 'Error', message: why }],
});

/** A webhook type's answer when the call itself could not be made: a refusal, never approval. */
const hooksError = (why: string): WebhookOutcome => ({ called: 1, succeeded: 0, message: why });
