// The lifecycle machine (src/machine/lifecycle.ts) is the rule table (src/machine/rules.ts) as
// xstate states and guarded transitions: each rule is an event, each of its targets an edge guarded
// by the rule's condition over the step's facts, and a phase change the machine does not take
// throws before anything is written.
import { describe, expect, it } from '@jest/globals';
import { PHASES, type Phase } from '../../../src/api/constants.js';
import { PHASE_TABLE } from '../../../src/api/phases.js';
import { ENGINE_ERROR_CODES, EngineError } from '../../../src/machine/errors.js';
import {
  lifecycleAllows,
  lifecycleMachine,
  lifecycleStep,
} from '../../../src/machine/lifecycle.js';
import { machineInputFromStatus, type RunState } from '../../../src/machine/resume.js';
import { RULES, RULE_IDS, type RuleFacts, type RuleId } from '../../../src/machine/rules.js';
import {
  NOTHING_GATHERED,
  type Observed,
  type ObservedTarget,
  type StepInput,
} from '../../../src/machine/types.js';
import { READY, allow, bad, ok, spec as engineSpec } from './harness.js';

const approve = { called: 0, succeeded: 0, message: 'no hooks' };

function node(p: Phase): (typeof lifecycleMachine.states)[string] & object {
  const n = lifecycleMachine.states[p];
  if (n === undefined) throw new Error(`no state ${p}`);
  return n;
}

/** Every (from, event, to) edge the machine's definition holds. */
function machineEdges(): string[] {
  return PHASES.flatMap((from) =>
    [...node(from).transitions.entries()].flatMap(([rule, ts]) =>
      ts.flatMap((t) => (t.target ?? []).map((to) => `${from} -[${rule}]-> ${to.key}`)),
    ),
  );
}

const NOW = Date.parse('2026-06-01T12:00:00Z');

const TARGET: ObservedTarget = {
  revision: 'r1',
  trackedConfigs: {},
  replicas: 2,
  readiness: READY,
};

/** A settled world: target and primary on r1, all traffic on the primary. */
function observedWith(extra: Partial<Observed>): Observed {
  return {
    deleting: false,
    blocked: null,
    target: TARGET,
    primary: { revision: 'r1', readiness: READY },
    routes: { primaryWeight: 100, canaryWeight: 0 },
    routesWrittenAt: null,
    initialized: true,
    runSlotAvailable: true,
    promotedTemplate: null,
    ...extra,
  };
}

/** The facts of a step from `prev` whose verdict writes `next`, over `observed`. */
function facts(
  prev: RunState,
  next: Partial<RunState>,
  observed: Partial<Observed> = {},
): RuleFacts {
  const spec = engineSpec();
  const input: StepInput = {
    spec,
    status: undefined,
    generation: 1,
    observed: observedWith(observed),
    operation: null,
    now: NOW,
  };
  return {
    input,
    spec,
    observed: input.observed,
    gathered: NOTHING_GATHERED,
    now: NOW,
    prev,
    next: { ...prev, ...next },
  };
}

function state(phase: Phase, extra: Partial<RunState> = {}): RunState {
  return { ...machineInputFromStatus(undefined), phase, ...extra };
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

  it('has exactly one edge per (rule, from, target) of the rule table, guarded by the rule', () => {
    const expected = RULE_IDS.flatMap((id) =>
      RULES[id].from.flatMap((from) =>
        RULES[id].to.filter((t) => t.phase !== from).map((t) => `${from} -[${id}]-> ${t.phase}`),
      ),
    );
    expect(machineEdges().sort()).toEqual(expected.sort());
    for (const p of PHASES) {
      for (const [rule, ts] of node(p).transitions) {
        for (const t of ts) expect(t.guard).toMatchObject({ type: rule });
      }
    }
  });

  it('names events by rules that xstate reads literally (no wildcard descriptors)', () => {
    // xstate treats `*` and `prefix.*` event descriptors as wildcards.
    for (const id of RULE_IDS) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
  });

  it('always lets a phase stay as it is (no event, no rule needed)', () => {
    for (const p of PHASES) expect(lifecycleStep(null, facts(state(p), {}))).toBe(p);
  });

  it('takes a rule whose condition holds on the facts, to the phase the verdict names', () => {
    const promoting = state('Promoting', { revision: 'r2', lastPromotedRevision: 'r1' });
    const rolledOut = facts(
      promoting,
      { phase: 'Finalising' },
      {
        primary: { revision: 'r2', readiness: READY },
      },
    );
    expect(lifecycleStep('primaryRolledOut', rolledOut)).toBe('Finalising');
    const deleting = facts(state('Progressing'), { phase: 'Terminating' }, { deleting: true });
    expect(lifecycleStep('deleted', deleting)).toBe('Terminating');
  });

  it('refuses a rule whose condition does not hold: the primary does not run the revision yet', () => {
    const promoting = state('Promoting', { revision: 'r2', lastPromotedRevision: 'r1' });
    const notYet = facts(
      promoting,
      { phase: 'Finalising' },
      {
        primary: { revision: 'r1', readiness: READY },
      },
    );
    const err = thrown(() => lifecycleStep('primaryRolledOut', notYet));
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({
      code: ENGINE_ERROR_CODES.transitionNotAllowed,
      actor: 'decide',
      retryable: false,
    });
    expect(String(err)).toContain('its condition does not hold');
  });

  it('refuses a phase change that names no rule, or a rule that does not lead from there', () => {
    const p = state('Progressing');
    expect(() => lifecycleStep(null, facts(p, { phase: 'Promoting' }))).toThrow(
      'a phase change must name its rule',
    );
    expect(() => lifecycleStep('allTrafficOnPrimary', facts(p, { phase: 'Succeeded' }))).toThrow(
      'that rule does not lead from Progressing',
    );
  });

  it('refuses a target the facts do not lead to: a new revision with a gate closed waits', () => {
    // No run slot: a new revision's run is parked in Waiting, never started in Progressing.
    const settled = state('Succeeded', { revision: 'r1', lastPromotedRevision: 'r1' });
    const observed = { runSlotAvailable: false, target: { ...TARGET, revision: 'r2' } };
    expect(lifecycleStep('newRevision', facts(settled, { phase: 'Waiting' }, observed))).toBe(
      'Waiting',
    );
    expect(() =>
      lifecycleStep('newRevision', facts(settled, { phase: 'Progressing' }, observed)),
    ).toThrow('lead to Waiting instead');
  });

  it('decides a deadline on the injected clock: the promotion fails at the deadline, not before', () => {
    const deadline = engineSpec().progressDeadlineMs;
    const promoting = (since: number): RunState =>
      state('Promoting', { revision: 'r2', lastPromotedRevision: 'r1', phaseSince: since });
    const pending = { primary: { revision: 'r1', readiness: READY } };
    const early = facts(promoting(NOW - deadline + 1), { phase: 'Failed' }, pending);
    expect(() => lifecycleStep('promotionDeadline', early)).toThrow('its condition does not hold');
    const due = facts(promoting(NOW - deadline), { phase: 'Failed' }, pending);
    expect(lifecycleStep('promotionDeadline', due)).toBe('Failed');
    // Time spent paused does not count: the wait is shifted by the hold before it is judged.
    const held = facts(
      { ...promoting(NOW - deadline), heldSince: NOW - 1_000 },
      { phase: 'Failed' },
      pending,
    );
    expect(() => lifecycleStep('promotionDeadline', held)).toThrow('its condition does not hold');
  });

  it('promotes on analysisPassed only with the last weight measured for a full step, and passed', () => {
    const s = engineSpec();
    const last: RunState = state('Progressing', {
      revision: 'r2',
      lastPromotedRevision: 'r1',
      canaryWeight: 50,
      stepIndex: 5,
      lastAnalysisAt: NOW - Math.max(s.intervalMs, s.windowMs),
    });
    const observed = {
      target: { ...TARGET, revision: 'r2' },
      routes: { primaryWeight: 50, canaryWeight: 50 },
    };
    const passed = {
      ...facts(last, { phase: 'Promoting' }, observed),
      gathered: {
        webhooks: { rollback: approve, rollout: approve },
        checks: { results: [ok()] },
        preflight: null,
      },
    };
    expect(lifecycleStep('analysisPassed', passed)).toBe('Promoting');
    const cases: [string, RuleFacts][] = [
      [
        'a failed check',
        { ...passed, gathered: { ...passed.gathered, checks: { results: [bad()] } } },
      ],
      ['no checks gathered', { ...passed, gathered: { ...passed.gathered, checks: null } }],
      [
        'the split behind the weight',
        {
          ...passed,
          observed: { ...passed.observed, routes: { primaryWeight: 80, canaryWeight: 20 } },
        },
      ],
      ['less than a full step measured', { ...passed, now: NOW - 1 }],
      [
        'a rollback webhook fired',
        {
          ...passed,
          gathered: { ...passed.gathered, webhooks: { rollback: allow, rollout: approve } },
        },
      ],
      [
        'a weight left to measure',
        {
          ...passed,
          prev: { ...last, stepIndex: 1, canaryWeight: 10 },
          observed: { ...passed.observed, routes: { primaryWeight: 90, canaryWeight: 10 } },
        },
      ],
    ];
    for (const [what, f] of cases) {
      expect([
        what,
        thrown(() => lifecycleStep('analysisPassed', f)) instanceof EngineError,
      ]).toEqual([what, true]);
    }
  });

  it.each<[RuleId, Phase, Phase]>([
    ['analysisPassed', 'Progressing', 'Promoting'],
    ['skipAnalysis', 'Progressing', 'Promoting'],
    ['operatorPromote', 'Progressing', 'Promoting'],
    ['checksFailed', 'Progressing', 'Failed'],
    ['progressDeadline', 'Progressing', 'Failed'],
    ['promotionDeadline', 'Promoting', 'Failed'],
  ])('refuses %s from %s to %s on a step with no evidence for it', (rule, from, to) => {
    expect(lifecycleAllows(from, to)).toBe(true);
    expect(() => lifecycleStep(rule, facts(state(from), { phase: to }))).toThrow(
      'its condition does not hold',
    );
  });

  it.each<[Phase, Phase]>([
    ['Finalising', 'Progressing'],
    ['Terminating', 'Progressing'],
    ['Initialized', 'Finalising'],
    ['Initializing', 'Promoting'],
    ['Succeeded', 'Failed'],
  ])('has no rule from %s to %s', (from, to) => {
    expect(lifecycleAllows(from, to)).toBe(false);
  });
});
