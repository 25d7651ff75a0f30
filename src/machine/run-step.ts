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
  EffectCall,
  EffectOf,
  EffectOutcome,
  EffectType,
  EngineStatus,
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
  emitEvent(effect: EffectOf<'emitEvent'>, signal: AbortSignal, status: EngineStatus): Done;
}

type Done = Promise<void>;

type EffectActorType = Exclude<EffectType, 'callWebhooks'>;

/** The machine with every actor implemented by `impl`. */
export function provideActors(
  impl: EngineActors,
  machine: CanaryMachine = canaryMachine,
): CanaryMachine {
  const effect = <T extends EffectActorType>(
    run: (e: EffectOf<T>, signal: AbortSignal, status: EngineStatus) => Promise<unknown>,
  ) =>
    fromPromise<EffectOutcome | undefined, EffectCall<EffectOf<T>>>(({ input, signal }) =>
      run(input.effect, signal, input.status).then((o) =>
        o === undefined ? undefined : (o as EffectOutcome),
      ),
    );
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
        impl.persistStatus(input, signal).then(() => undefined),
      ),
      initialize: effect<'initialize'>((e, s, st) => impl.initialize(e, s, st)),
      recordPromoted: effect<'recordPromoted'>((e, s, st) => impl.recordPromoted(e, s, st)),
      promotePrimary: effect<'promotePrimary'>((e, s, st) => impl.promotePrimary(e, s, st)),
      scaleCanary: effect<'scaleCanary'>((e, s, st) => impl.scaleCanary(e, s, st)),
      routeTraffic: effect<'routeTraffic'>((e, s, st) => impl.routeTraffic(e, s, st)),
      finalize: effect<'finalize'>((e, s, st) => impl.finalize(e, s, st)),
      emitEvent: effect<'emitEvent'>((e, s, st) => impl.emitEvent(e, s, st)),
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
