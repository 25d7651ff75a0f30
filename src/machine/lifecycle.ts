// The Canary lifecycle as an xstate machine, built from the rule table (rules.ts) and the phase
// table (src/api/phases.ts): its states are the phases (each carries its PhaseFacts as `meta`),
// and every rule becomes, in each of its `from` phases, an event named by the rule with one
// transition per target, guarded by the guard of the same name: the rule's predicate over the
// step's facts (and, for a rule with two targets, which target those facts lead to).
// docs/lifecycle.md is drawn from this definition (hack/lifecycle-diagram.ts).
//
// decide() (decide.ts) routes a step to the handler that owns it; a verdict that changes the
// phase names the rule it applies, and lifecycleStep() sends that rule, with the step's facts, as
// ONE event through this machine with xstate's pure `transition()`. The machine takes it only
// when the rule's guard holds, and only to the phase the verdict names. Anything else is an engine
// bug: it throws (WL_ENGINE_TRANSITION_NOT_ALLOWED) and nothing is persisted. Staying in a phase
// sends no event (always allowed).
import { setup, transition } from 'xstate';
import { PHASES, type Phase } from '../api/constants.js';
import { PHASE_TABLE, type PhaseFacts } from '../api/phases.js';
import { ENGINE_ERROR_CODES, EngineError } from './errors.js';
import { RULES, RULE_IDS, type Rule, type RuleFacts, type RuleId } from './rules.js';

/** One rule applied by a step: the event is named by the rule and carries the step's facts. */
export interface LifecycleEvent {
  readonly type: RuleId;
  readonly facts: RuleFacts;
}

interface GuardParams {
  readonly target: number;
}

interface TransitionConfig {
  readonly target: Phase;
  readonly guard: { readonly type: RuleId; readonly params: GuardParams };
  readonly description: string;
}

/** The guard named by a rule: its predicate, and the target's own condition when it has one. */
function guardOf(rule: Rule) {
  return ({ event }: { event: LifecycleEvent }, params: GuardParams): boolean => {
    if (!rule.holds(event.facts)) return false;
    const when = rule.to[params.target]?.when;
    return when === undefined || when.holds(event.facts);
  };
}

const guards = Object.fromEntries(RULE_IDS.map((id) => [id, guardOf(RULES[id])])) as Record<
  RuleId,
  ReturnType<typeof guardOf>
>;

/** The arrow's words: the rule's label, with the target's condition when it has one. */
export function transitionLabel(rule: Rule, target: number): string {
  const when = rule.to[target]?.when;
  return when === undefined ? rule.label : `${rule.label} (${when.label})`;
}

function transitionsFrom(from: Phase): Partial<Record<RuleId, TransitionConfig[]>> {
  const on: Partial<Record<RuleId, TransitionConfig[]>> = {};
  for (const id of RULE_IDS) {
    const rule: Rule = RULES[id];
    if (!rule.from.includes(from)) continue;
    const targets = rule.to.flatMap((t, i) =>
      t.phase === from
        ? []
        : [
            {
              target: t.phase,
              guard: { type: id, params: { target: i } },
              description: transitionLabel(rule, i),
            },
          ],
    );
    if (targets.length > 0) on[id] = targets;
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

function notAllowed(from: Phase, rule: RuleId | null, to: Phase, why: string): EngineError {
  const named = rule === null ? 'naming no rule' : `by the rule "${rule}"`;
  return new EngineError(
    ENGINE_ERROR_CODES.transitionNotAllowed,
    'decide',
    `engine bug: a verdict went from ${from} to ${to} ${named}, and ${why} ` +
      '(src/machine/rules.ts); nothing is written',
  );
}

/**
 * Runs the step's phase change through the lifecycle machine: from `facts.prev.phase` to
 * `facts.next.phase`, by the rule the verdict names. Returns the phase reached (the verdict's),
 * or throws an EngineError when the machine does not take that transition: no rule named, a rule
 * that does not lead from there, a guard that does not hold on the facts, or a target the facts
 * do not lead to.
 */
export function lifecycleStep(rule: RuleId | null, facts: RuleFacts): Phase {
  const from = facts.prev.phase;
  const to = facts.next.phase;
  if (from === to) return from;
  if (rule === null) throw notAllowed(from, rule, to, 'a phase change must name its rule');
  const snapshot = snapshots.get(from);
  const edges = lifecycleMachine.states[from]?.transitions.get(rule) ?? [];
  if (snapshot === undefined || edges.length === 0) {
    throw notAllowed(from, rule, to, `that rule does not lead from ${from}`);
  }
  const [next] = transition(lifecycleMachine, snapshot, { type: rule, facts });
  if (next.value === from) {
    throw notAllowed(from, rule, to, `its condition does not hold on this step's facts`);
  }
  if (next.value !== to) {
    throw notAllowed(from, rule, to, `the step's facts lead to ${next.value} instead`);
  }
  return to;
}

/** Whether some rule of the lifecycle leads from `from` to `to` (staying is always allowed). */
export function lifecycleAllows(from: Phase, to: Phase): boolean {
  if (from === to) return true;
  const node = lifecycleMachine.states[from];
  if (node === undefined) return false;
  return [...node.transitions.values()].some((ts) =>
    ts.some((t) => (t.target ?? []).some((n) => n.key === to)),
  );
}
