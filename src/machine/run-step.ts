// Running one reconcile step, and wiring plain async functions in as the machine's actors.
import { createActor, fromPromise, toPromise } from 'xstate';
import type { Clock } from '../time/clock.js';
import {
  DEFAULT_LIMITS,
  canaryMachine,
  type CanaryMachine,
  type PersistInput,
  type StepLimits,
  type StepResult,
} from './machine.js';
import type {
  ChecksCall,
  ChecksOutcome,
  EffectOf,
  PreflightCall,
  PreflightOutcome,
  StepInput,
  WebhookCall,
  WebhookOutcome,
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
  initialize(effect: EffectOf<'initialize'>, signal: AbortSignal): Promise<void>;
  /** Stores the live primary's template and config copies as the promoted template of `revision`. */
  recordPromoted(effect: EffectOf<'recordPromoted'>, signal: AbortSignal): Promise<void>;
  promotePrimary(effect: EffectOf<'promotePrimary'>, signal: AbortSignal): Promise<void>;
  scaleCanary(effect: EffectOf<'scaleCanary'>, signal: AbortSignal): Promise<void>;
  routeTraffic(effect: EffectOf<'routeTraffic'>, signal: AbortSignal): Promise<void>;
  finalize(effect: EffectOf<'finalize'>, signal: AbortSignal): Promise<void>;
  emitEvent(effect: EffectOf<'emitEvent'>, signal: AbortSignal): Promise<void>;
}

const done = (p: Promise<void>): Promise<undefined> => p.then(() => undefined);

/** The machine with every actor implemented by `impl`. */
export function provideActors(
  impl: EngineActors,
  machine: CanaryMachine = canaryMachine,
): CanaryMachine {
  return machine.provide({
    actors: {
      callWebhooks: fromPromise<WebhookOutcome, WebhookCall>(({ input, signal }) =>
        impl.callWebhooks(input, signal),
      ),
      runChecks: fromPromise<ChecksOutcome, ChecksCall>(({ input, signal }) =>
        impl.runChecks(input, signal),
      ),
      preflight: fromPromise<PreflightOutcome, PreflightCall>(({ input, signal }) =>
        impl.preflight(input, signal),
      ),
      persistStatus: fromPromise<undefined, PersistInput>(({ input, signal }) =>
        done(impl.persistStatus(input, signal)),
      ),
      initialize: fromPromise<undefined, EffectOf<'initialize'>>(({ input, signal }) =>
        done(impl.initialize(input, signal)),
      ),
      recordPromoted: fromPromise<undefined, EffectOf<'recordPromoted'>>(({ input, signal }) =>
        done(impl.recordPromoted(input, signal)),
      ),
      promotePrimary: fromPromise<undefined, EffectOf<'promotePrimary'>>(({ input, signal }) =>
        done(impl.promotePrimary(input, signal)),
      ),
      scaleCanary: fromPromise<undefined, EffectOf<'scaleCanary'>>(({ input, signal }) =>
        done(impl.scaleCanary(input, signal)),
      ),
      routeTraffic: fromPromise<undefined, EffectOf<'routeTraffic'>>(({ input, signal }) =>
        done(impl.routeTraffic(input, signal)),
      ),
      finalize: fromPromise<undefined, EffectOf<'finalize'>>(({ input, signal }) =>
        done(impl.finalize(input, signal)),
      ),
      emitEvent: fromPromise<undefined, EffectOf<'emitEvent'>>(({ input, signal }) =>
        done(impl.emitEvent(input, signal)),
      ),
    },
  });
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
export function runCanaryStep(
  machine: CanaryMachine,
  input: Omit<StepInput, 'now'>,
  opts: RunStepOptions,
): Promise<StepResult> {
  const step: StepInput = { ...input, now: opts.clock.now() };
  const actor = createActor(machine, {
    input: { step, limits: opts.limits ?? DEFAULT_LIMITS },
    clock: opts.clock,
  });
  actor.start();
  return toPromise(actor);
}
