// The canary machine (xstate v5): one run of it is one reconcile step.
//
//   deciding ──needs an answer──> callingWebhooks | runningChecks ──> deciding
//      │ plan
//      v
//   persisting ──> writingStatus ──> applying ──> <effect state> ──> applying ──> done
//                       │ error/timeout                │ error/timeout (converging effect):
//                       v                              │ drop the other converging effects,
//                     failed                           └ still send the Events, end with the error
//
// `deciding` runs the pure decide() (decide.ts). Every side effect is a named actor that the
// composition root supplies with `.provide()` (or provideActors()); tests swap them the same way.
// The status is persisted BEFORE any effect, so an effect never happens for a decision that was
// not recorded; effects are re-derived from status + observations on the next step if lost.
// Every wait is bounded by a delay driven by the injected clock.
import { assign, setup } from 'xstate';
import { decide } from './decide.js';
import { ENGINE_ERROR_CODES, EngineError } from './errors.js';
import {
  UNPROVIDED_ACTORS,
  checksCall,
  checksError,
  preflightCall,
  preflightError,
  effectError,
  head,
  hooksError,
  message,
  notProvidedError,
  plan,
  webhookCall,
  withChecks,
  withPreflight,
  withWebhooks,
  type Context,
  type MachineInput,
  type StepResult,
} from './machine-context.js';
import {
  NOTHING_GATHERED,
  type Effect,
  type EffectCall,
  type EffectOf,
  type EffectOutcome,
  type EffectType,
  type WebhookCall,
} from './types.js';

export {
  DEFAULT_LIMITS,
  UNPROVIDED_ACTORS,
  type MachineInput,
  type PersistInput,
  type StepLimits,
  type StepResult,
} from './machine-context.js';

export const canaryMachineSetup = setup({
  types: {
    context: {} as Context,
    input: {} as MachineInput,
    output: {} as StepResult,
  },
  actors: UNPROVIDED_ACTORS,
  guards: {
    needsWebhooks: ({ context }) => context.request?.kind === 'webhooks',
    needsChecks: ({ context }) => context.request?.kind === 'checks',
    needsPreflight: ({ context }) => context.request?.kind === 'preflight',
    // Nothing to write and nothing to do. A plan with converging effects but no status change
    // still goes through persistStatus (an empty patch with the Canary's resourceVersion), so an
    // effect derived from a stale cached status is refused by the API server (409) instead of
    // moving traffic or workloads back to what an older status said.
    nothingToPersist: ({ context }) =>
      plan(context).statusPatch === null && !plan(context).effects.some(isConverging),
    // A gather actor that was never provided must not pass for a refusal or a failed check.
    wiringBug: ({ event }) => notProvidedError((event as { error?: unknown }).error) !== undefined,
    noEffectsLeft: ({ context }) => context.pending.length === 0,
    nextEffectIs: ({ context }, params: { type: EffectType }) =>
      context.pending[0]?.type === params.type,
  },
  actions: {
    decide: assign(({ context }) => {
      const outcome = decide(context.step, context.gathered);
      if (outcome.kind === 'plan')
        return { request: null, plan: outcome.plan, pending: outcome.plan.effects };
      const r = outcome.request;
      const asked =
        r.kind === 'checks'
          ? context.gathered.checks !== null
          : r.kind === 'preflight'
            ? context.gathered.preflight !== null
            : r.call.hookType in context.gathered.webhooks;
      if (asked)
        throw new Error(
          `decide() asked twice for ${r.kind === 'webhooks' ? r.call.hookType : r.kind}`,
        );
      return { request: r };
    }),
    markPersisted: assign({ persisted: true }),
    recordWiringBug: assign(({ event }) => ({
      error: notProvidedError((event as { error?: unknown }).error) ?? null,
    })),
    // A converging effect failed: skip the other converging effects (the next step re-derives
    // them from the status) but still send this step's Events. The status is already saved, so
    // the next step sees no transition and would never announce it again.
    effectFailed: assign(({ context, event }, params: { timeout: boolean }) => ({
      error: effectError(
        context,
        params.timeout ? ENGINE_ERROR_CODES.timeout : ENGINE_ERROR_CODES.effectFailed,
        event.error,
      ),
      pending: context.pending.slice(1).filter((e) => e.type === 'emitEvent'),
    })),
    // A notification failed: record it and go on (notifications are at most once).
    notificationFailed: assign(({ context, event }, params: { timeout: boolean }) => ({
      notificationFailures: [
        ...context.notificationFailures,
        effectError(
          context,
          params.timeout ? ENGINE_ERROR_CODES.timeout : ENGINE_ERROR_CODES.effectFailed,
          event.error,
        ),
      ],
      applied: [...context.applied, ...context.pending.slice(0, 1)],
      pending: context.pending.slice(1),
    })),
    shiftApplied: assign(({ context, event }) => ({
      applied: [...context.applied, ...context.pending.slice(0, 1)],
      pending: context.pending.slice(1),
      held: heldBy((event as { output?: unknown }).output) ?? context.held,
    })),
  },
  delays: {
    gatherTimeout: ({ context }) => context.limits.gatherTimeoutMs,
    persistTimeout: ({ context }) => context.limits.persistTimeoutMs,
    effectTimeout: ({ context }) => context.limits.effectTimeoutMs,
  },
});

const isConverging = (e: Effect): boolean => e.type !== 'emitEvent' && e.type !== 'callWebhooks';

/** The reason an effect actor reported holding a route change, if it did. */
function heldBy(output: unknown): string | undefined {
  const held = (output as EffectOutcome | undefined)?.held;
  return typeof held === 'string' ? held : undefined;
}

/**
 * What an effect's actor is given: the effect and the status this step persisted; a webhook
 * effect gives its call alone (the same actor answers the gate webhooks while deciding).
 */
function effectInput<T extends EffectType>(c: Context, type: T): EffectInput<T> {
  const effect: Effect = head(c, type);
  return (
    effect.type === 'callWebhooks' ? effect.call : { effect, status: plan(c).status }
  ) as EffectInput<T>;
}
type EffectInput<T extends EffectType> = T extends 'callWebhooks'
  ? WebhookCall
  : EffectCall<EffectOf<T>>;

/**
 * The state that applies one effect, then goes back to `applying`. A converging effect that fails
 * or times out fails the step (the next step re-derives it from the status) after the step's
 * remaining Events are sent; a notification's failure is recorded and the step goes on
 * (notifications are at most once).
 */
function effectState<T extends EffectType>(type: T, kind: 'converging' | 'notification') {
  const onFailure = (timeout: boolean) =>
    kind === 'converging'
      ? ({ target: 'applying', actions: { type: 'effectFailed', params: { timeout } } } as const)
      : ({
          target: 'applying',
          actions: { type: 'notificationFailed', params: { timeout } },
        } as const);
  return {
    invoke: {
      src: type,
      input: ({ context }: { context: Context }) => effectInput(context, type),
      onDone: { target: 'applying', actions: 'shiftApplied' },
      onError: onFailure(false),
    },
    after: { effectTimeout: onFailure(true) },
  } as const;
}

export const canaryMachine = canaryMachineSetup.createMachine({
  id: 'canary',
  context: ({ input }) => ({
    step: input.step,
    limits: input.limits,
    gathered: NOTHING_GATHERED,
    request: null,
    plan: null,
    pending: [],
    applied: [],
    persisted: false,
    notificationFailures: [],
    error: null,
    held: null,
  }),
  initial: 'deciding',
  states: {
    deciding: {
      entry: 'decide',
      always: [
        { guard: 'needsWebhooks', target: 'callingWebhooks' },
        { guard: 'needsChecks', target: 'runningChecks' },
        { guard: 'needsPreflight', target: 'preflight' },
        { target: 'persisting' },
      ],
    },
    callingWebhooks: {
      invoke: {
        src: 'callWebhooks',
        input: ({ context }) => webhookCall(context),
        onDone: {
          target: 'deciding',
          actions: assign(({ context, event }) => withWebhooks(context, event.output)),
        },
        onError: [
          { guard: 'wiringBug', target: 'failed', actions: 'recordWiringBug' },
          {
            target: 'deciding',
            actions: assign(({ context, event }) =>
              withWebhooks(context, hooksError(`webhooks failed: ${message(event.error)}`)),
            ),
          },
        ],
      },
      after: {
        gatherTimeout: {
          target: 'deciding',
          actions: assign(({ context }) =>
            withWebhooks(
              context,
              hooksError(`webhooks did not answer within ${context.limits.gatherTimeoutMs}ms`),
            ),
          ),
        },
      },
    },
    runningChecks: {
      invoke: {
        src: 'runChecks',
        input: ({ context }) => checksCall(context),
        onDone: {
          target: 'deciding',
          actions: assign(({ context, event }) => withChecks(context, event.output)),
        },
        onError: [
          { guard: 'wiringBug', target: 'failed', actions: 'recordWiringBug' },
          {
            target: 'deciding',
            actions: assign(({ context, event }) =>
              withChecks(context, checksError(`checks failed: ${message(event.error)}`)),
            ),
          },
        ],
      },
      after: {
        gatherTimeout: {
          target: 'deciding',
          actions: assign(({ context }) =>
            withChecks(
              context,
              checksError(`checks did not finish within ${context.limits.gatherTimeoutMs}ms`),
            ),
          ),
        },
      },
    },
    preflight: {
      invoke: {
        src: 'preflight',
        input: ({ context }) => preflightCall(context),
        onDone: {
          target: 'deciding',
          actions: assign(({ context, event }) => withPreflight(context, event.output)),
        },
        onError: [
          { guard: 'wiringBug', target: 'failed', actions: 'recordWiringBug' },
          {
            target: 'deciding',
            actions: assign(({ context, event }) =>
              withPreflight(context, preflightError(`pre-flight failed: ${message(event.error)}`)),
            ),
          },
        ],
      },
      after: {
        gatherTimeout: {
          target: 'deciding',
          actions: assign(({ context }) =>
            withPreflight(
              context,
              preflightError(
                `pre-flight did not finish within ${context.limits.gatherTimeoutMs}ms`,
              ),
            ),
          ),
        },
      },
    },
    persisting: {
      always: [{ guard: 'nothingToPersist', target: 'applying' }, { target: 'writingStatus' }],
    },
    writingStatus: {
      invoke: {
        src: 'persistStatus',
        input: ({ context }) => {
          const p = plan(context);
          return { patch: p.statusPatch ?? {}, status: p.status };
        },
        onDone: { target: 'applying', actions: 'markPersisted' },
        onError: {
          target: 'failed',
          actions: assign(({ event }) => ({
            error:
              notProvidedError(event.error) ??
              new EngineError(
                ENGINE_ERROR_CODES.statusWriteFailed,
                'persistStatus',
                `status write failed: ${message(event.error)}`,
                { cause: event.error },
              ),
          })),
        },
      },
      after: {
        persistTimeout: {
          target: 'failed',
          actions: assign(({ context }) => ({
            error: new EngineError(
              ENGINE_ERROR_CODES.timeout,
              'persistStatus',
              `status write did not finish within ${context.limits.persistTimeoutMs}ms`,
            ),
          })),
        },
      },
    },
    applying: {
      always: [
        { guard: 'noEffectsLeft', target: 'done' },
        { guard: { type: 'nextEffectIs', params: { type: 'initialize' } }, target: 'initialize' },
        {
          guard: { type: 'nextEffectIs', params: { type: 'recordPromoted' } },
          target: 'recordPromoted',
        },
        {
          guard: { type: 'nextEffectIs', params: { type: 'promotePrimary' } },
          target: 'promotePrimary',
        },
        { guard: { type: 'nextEffectIs', params: { type: 'scaleCanary' } }, target: 'scaleCanary' },
        {
          guard: { type: 'nextEffectIs', params: { type: 'routeTraffic' } },
          target: 'routeTraffic',
        },
        { guard: { type: 'nextEffectIs', params: { type: 'finalize' } }, target: 'finalize' },
        { guard: { type: 'nextEffectIs', params: { type: 'emitEvent' } }, target: 'emitEvent' },
        {
          guard: { type: 'nextEffectIs', params: { type: 'callWebhooks' } },
          target: 'callWebhooks',
        },
      ],
    },
    initialize: effectState('initialize', 'converging'),
    recordPromoted: effectState('recordPromoted', 'converging'),
    promotePrimary: effectState('promotePrimary', 'converging'),
    scaleCanary: effectState('scaleCanary', 'converging'),
    routeTraffic: effectState('routeTraffic', 'converging'),
    finalize: effectState('finalize', 'converging'),
    emitEvent: effectState('emitEvent', 'notification'),
    callWebhooks: effectState('callWebhooks', 'notification'),
    done: { type: 'final' },
    failed: { type: 'final' },
  },
  output: ({ context }) => ({
    plan: context.plan,
    persisted: context.persisted,
    applied: context.applied,
    notificationFailures: context.notificationFailures,
    error: context.error,
    held: context.held,
  }),
});

export type CanaryMachine = typeof canaryMachine;
