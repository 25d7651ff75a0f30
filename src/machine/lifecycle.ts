// The Canary lifecycle as an xstate machine, built from the one phase table (src/api/phases.ts):
// its states are the phases (each carries its PhaseFacts as `meta`), and every TRANSITIONS entry
// becomes, in each of its `from` phases, a transition on an event named by its rule, one per
// target phase, guarded by a guard named by the same rule. docs/lifecycle.md is drawn from this
// definition (hack/lifecycle-diagram.ts).
//
// decide() (decide.ts) routes a step to the handler of the current phase; the handler's verdict
// names the next phase, and lifecycleStep() then runs ONE event through this machine with xstate's
// pure `transition()`. The phase the machine reaches is the phase written. A phase change the
// machine does not take is an engine bug: it throws (WL_ENGINE_TRANSITION_NOT_ALLOWED) and nothing
// is persisted.
//
// What this machine knows and what it does not: the conditions of each rule (a newer revision, a
// passed check, an expired deadline) are still decided by the phase handlers in phases/, not here;
// a verdict does not name its rule, so the event's rule is inferred from (from, to) as the first
// TRANSITIONS entry whose `from` and `to` hold the pair. A rule's guard therefore checks only that
// the event asks for its transition's target. Staying in a phase is no event at all (always
// allowed), so self-transitions (e.g. "Canary deleted" while Terminating) are not drawn.
import { setup, transition } from 'xstate';
import { PHASES, type Phase } from '../api/constants.js';
import { PHASE_TABLE, TRANSITIONS, type PhaseFacts } from '../api/phases.js';
import { ENGINE_ERROR_CODES, EngineError } from './errors.js';

/** One rule firing: the event is named by the rule, and says which of its targets the verdict chose. */
export interface LifecycleEvent {
  readonly type: string;
  readonly to: Phase;
}

interface GuardParams {
  readonly to: Phase;
}

interface TransitionConfig {
  readonly target: Phase;
  readonly guard: { readonly type: string; readonly params: GuardParams };
  readonly description: string;
}

const guards = Object.fromEntries(
  TRANSITIONS.map((t) => [
    t.rule,
    ({ event }: { event: LifecycleEvent }, params: GuardParams): boolean => event.to === params.to,
  ]),
);

function transitionsFrom(from: Phase): Record<string, TransitionConfig[]> {
  const on: Record<string, TransitionConfig[]> = {};
  for (const t of TRANSITIONS) {
    if (!t.from.includes(from)) continue;
    const targets = t.to.filter((to) => to !== from);
    if (targets.length === 0) continue;
    on[t.rule] = targets.map((to) => ({
      target: to,
      guard: { type: t.rule, params: { to } },
      description: t.rule,
    }));
  }
  return on;
}

const states = Object.fromEntries(
  PHASES.map((p) => [p, { meta: PHASE_TABLE[p] satisfies PhaseFacts, on: transitionsFrom(p) }]),
);

export const lifecycleMachine = setup({
  types: { events: {} as LifecycleEvent },
  guards,
}).createMachine({
  id: 'canary-lifecycle',
  initial: 'Initializing',
  states,
});

export type LifecycleMachine = typeof lifecycleMachine;

type LifecycleSnapshot = ReturnType<LifecycleMachine['resolveState']>;

const snapshots = new Map<Phase, LifecycleSnapshot>(
  PHASES.map((p) => [p, lifecycleMachine.resolveState({ value: p, context: {} })]),
);

/** The rule that takes the lifecycle from `from` to `to`: the first TRANSITIONS entry holding the pair. */
export function ruleFor(from: Phase, to: Phase): string | undefined {
  return TRANSITIONS.find((t) => t.from.includes(from) && t.to.includes(to))?.rule;
}

function notAllowed(from: Phase, rule: string | undefined, to: Phase): EngineError {
  const why =
    rule === undefined
      ? 'no rule of the lifecycle takes it'
      : `the rule "${rule}" does not take it`;
  return new EngineError(
    ENGINE_ERROR_CODES.transitionNotAllowed,
    'decide',
    `engine bug: a verdict went from ${from} to ${to}, and ${why} ` +
      '(src/api/phases.ts TRANSITIONS); nothing is written',
  );
}

/**
 * Runs one event, the rule `rule` (inferred from the pair when undefined), through the lifecycle
 * machine from `from`, asking for `to`, and returns the phase the machine reaches. Staying in a
 * phase sends no event. Throws an EngineError when the machine does not take the transition.
 */
export function lifecycleStep(from: Phase, rule: string | undefined, to: Phase): Phase {
  if (from === to) return from;
  const fired = rule ?? ruleFor(from, to);
  const snapshot = snapshots.get(from);
  if (fired === undefined || snapshot === undefined) throw notAllowed(from, fired, to);
  const [next] = transition(lifecycleMachine, snapshot, { type: fired, to });
  if (next.value !== to) throw notAllowed(from, fired, to);
  return to;
}

/** Whether the lifecycle machine takes the engine from `from` to `to` in one step. */
export function lifecycleAllows(from: Phase, to: Phase): boolean {
  try {
    lifecycleStep(from, undefined, to);
    return true;
  } catch (err) {
    if (err instanceof EngineError && err.code === ENGINE_ERROR_CODES.transitionNotAllowed) {
      return false;
    }
    throw err;
  }
}
