// The lifecycle machine (src/machine/lifecycle.ts) is the phase table's TRANSITIONS as xstate
// states and transitions: each rule is an edge, nothing else is, and a step it does not take throws.
import { describe, expect, it } from '@jest/globals';
import { PHASES, type Phase } from '../../../src/api/constants.js';
import { PHASE_TABLE, TRANSITIONS, transitionAllowed } from '../../../src/api/phases.js';
import { ENGINE_ERROR_CODES, EngineError } from '../../../src/machine/errors.js';
import {
  lifecycleAllows,
  lifecycleMachine,
  lifecycleStep,
  ruleFor,
} from '../../../src/machine/lifecycle.js';

function node(p: Phase): (typeof lifecycleMachine.states)[string] & object {
  const n = lifecycleMachine.states[p];
  if (n === undefined) throw new Error(`no state ${p}`);
  return n;
}

/** Every (from, rule, to) edge the machine's definition holds. */
function machineEdges(): string[] {
  return PHASES.flatMap((from) =>
    [...node(from).transitions.entries()].flatMap(([rule, ts]) =>
      ts.flatMap((t) => (t.target ?? []).map((to) => `${from} -[${rule}]-> ${to.key}`)),
    ),
  );
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('the lifecycle machine', () => {
  it('has the phases as its states, starting at Initializing, each with its PhaseFacts', () => {
    expect(Object.keys(lifecycleMachine.states)).toEqual([...PHASES]);
    expect(lifecycleMachine.config.initial).toBe('Initializing');
    for (const p of PHASES) expect(node(p).meta).toEqual(PHASE_TABLE[p]);
  });

  it('has exactly one edge per (rule, from, to) of TRANSITIONS, with a guard named by the rule', () => {
    const expected = TRANSITIONS.flatMap((t) =>
      t.from.flatMap((from) =>
        t.to.filter((to) => to !== from).map((to) => `${from} -[${t.rule}]-> ${to}`),
      ),
    );
    expect(machineEdges().sort()).toEqual(expected.sort());
    for (const p of PHASES) {
      for (const [rule, ts] of node(p).transitions) {
        for (const t of ts) expect(t.guard).toMatchObject({ type: rule });
      }
    }
  });

  it.each(
    TRANSITIONS.flatMap((t) =>
      t.from.flatMap((from) =>
        t.to.filter((to) => to !== from).map((to) => [t.rule, from, to] as const),
      ),
    ),
  )('takes "%s" from %s to %s', (rule, from, to) => {
    expect(lifecycleStep(from, rule, to)).toBe(to);
    expect(lifecycleStep(from, undefined, to)).toBe(to);
    expect(lifecycleAllows(from, to)).toBe(true);
  });

  it('names events by rules that xstate reads literally (no wildcard descriptors)', () => {
    // xstate treats `*` and `prefix.*` event descriptors as wildcards.
    for (const t of TRANSITIONS) expect(t.rule).not.toMatch(/\*/);
    expect(new Set(TRANSITIONS.map((t) => t.rule)).size).toBe(TRANSITIONS.length);
  });

  it('infers the rule as the first TRANSITIONS entry that holds the pair', () => {
    expect(ruleFor('Promoting', 'Finalising')).toBe('primary runs the revision');
    expect(ruleFor('Progressing', 'Failed')).toBe(
      'checks failed, deadline passed or operator abort',
    );
    expect(ruleFor('Promoting', 'Failed')).toBe('primary rollout failed');
    expect(ruleFor('Finalising', 'Progressing')).toBeUndefined();
  });

  it('always lets a phase stay as it is (no event)', () => {
    for (const p of PHASES) expect(lifecycleStep(p, undefined, p)).toBe(p);
  });

  it('agrees with transitionAllowed on every pair of phases', () => {
    for (const from of PHASES) {
      for (const to of PHASES) expect(lifecycleAllows(from, to)).toBe(transitionAllowed(from, to));
    }
  });

  it.each<[Phase, Phase]>([
    ['Finalising', 'Progressing'],
    ['Terminating', 'Progressing'],
    ['Initialized', 'Finalising'],
    ['Initializing', 'Promoting'],
    ['Succeeded', 'Failed'],
  ])('throws an engine error for %s -> %s', (from, to) => {
    expect(lifecycleAllows(from, to)).toBe(false);
    const err = thrown(() => lifecycleStep(from, undefined, to));
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({
      code: ENGINE_ERROR_CODES.transitionNotAllowed,
      actor: 'decide',
      retryable: false,
    });
    expect(String(err)).toContain(`from ${from} to ${to}`);
  });

  it('refuses a rule that does not lead from that phase to that target', () => {
    // A real edge, sent under another rule's name, is not taken.
    expect(() => lifecycleStep('Promoting', 'all traffic on the primary', 'Succeeded')).toThrow(
      'the rule "all traffic on the primary" does not take it',
    );
    expect(() => lifecycleStep('Progressing', 'primary runs the revision', 'Finalising')).toThrow(
      EngineError,
    );
    expect(() => lifecycleStep('Progressing', 'no such rule', 'Promoting')).toThrow(EngineError);
  });
});
