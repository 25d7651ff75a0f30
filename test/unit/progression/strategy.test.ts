import { describe, expect, it } from '@jest/globals';
import {
  linearWeights,
  measuresTraffic,
  nextStep,
  progressionOf,
  promotionWeight,
  strategyFrom,
  type ProgressionSpec,
  type Strategy,
} from '../../../src/progression/strategy.js';

function strategy(spec: ProgressionSpec): Strategy {
  const r = strategyFrom(spec);
  if (!r.ok) throw r.error;
  return r.strategy;
}

/** Walks a run from weight 0 to promotion, returning the weights it visits. */
function walk(s: Strategy): { weights: number[]; gates: (string | null)[] } {
  let pos = { canaryWeight: 0, iterations: 0 };
  const weights: number[] = [];
  const gates: (string | null)[] = [];
  for (let i = 0; i < 200; i++) {
    const step = nextStep(s, pos);
    gates.push(step.gate);
    if (step.kind === 'promote') return { weights, gates };
    weights.push(step.canaryWeight);
    pos = { canaryWeight: step.canaryWeight, iterations: step.iterations };
  }
  throw new Error('run never promotes');
}

describe('linear weights never overshoot maxWeight', () => {
  it.each([
    [30, 50, [30, 50]],
    [20, 50, [20, 40, 50]],
    [10, 30, [10, 20, 30]],
    [25, 100, [25, 50, 75, 100]],
    [60, 50, [50]],
    [50, 50, [50]],
    [33, 100, [33, 66, 99, 100]],
  ])('step %i max %i -> %j', (step, max, expected) => {
    expect(linearWeights(step, max)).toEqual(expected);
    expect(walk(strategy({ stepWeight: step, maxWeight: max })).weights).toEqual(expected);
  });

  it('defaults maxWeight to 100', () => {
    expect(walk(strategy({ stepWeight: 40 })).weights).toEqual([40, 80, 100]);
  });
});

describe('stepWeights', () => {
  it('visits each weight, gating increases and promotion', () => {
    const run = walk(strategy({ stepWeights: [5, 10, 25, 50] }));
    expect(run.weights).toEqual([5, 10, 25, 50]);
    expect(run.gates).toEqual([
      'confirm-traffic-increase',
      'confirm-traffic-increase',
      'confirm-traffic-increase',
      'confirm-traffic-increase',
      'confirm-promotion',
    ]);
  });

  it('continues from the current weight when the list changes mid-run', () => {
    const s = strategy({ stepWeights: [10, 40, 60] });
    expect(nextStep(s, { canaryWeight: 25, iterations: 0 })).toMatchObject({ canaryWeight: 40 });
    expect(nextStep(s, { canaryWeight: 70, iterations: 0 })).toEqual({
      kind: 'promote',
      gate: 'confirm-promotion',
    });
  });
});

describe('blue/green iterations', () => {
  it('runs N iterations at weight 0, switches to 100 behind confirm-promotion, then promotes', () => {
    const run = walk(strategy({ iterations: 3 }));
    expect(run.weights).toEqual([0, 0, 0, 100]);
    expect(run.gates).toEqual([null, null, null, 'confirm-promotion', null]);
  });

  it('counts iterations', () => {
    const s = strategy({ iterations: 2 });
    expect(nextStep(s, { canaryWeight: 0, iterations: 1 })).toEqual({
      kind: 'advance',
      canaryWeight: 0,
      iterations: 2,
      gate: null,
    });
  });
});

describe('A/B (iterations with match)', () => {
  it('routes the matching requests first (confirm-traffic-increase), counts N iterations there, then promotes', () => {
    const run = walk(strategy({ iterations: 3, match: true }));
    expect(run.weights).toEqual([100, 100, 100, 100]);
    expect(run.gates).toEqual(['confirm-traffic-increase', null, null, null, 'confirm-promotion']);
  });

  it('measures from the first step on the canary, never at weight 0', () => {
    const s = strategy({ iterations: 1, match: true });
    expect(measuresTraffic(s, { canaryWeight: 0, iterations: 0 })).toBe(false);
    expect(measuresTraffic(s, { canaryWeight: 100, iterations: 0 })).toBe(true);
  });

  it.each<[string, ProgressionSpec]>([
    ['without iterations', { match: true }],
    ['with stepWeight', { match: true, stepWeight: 10 }],
    ['with stepWeights and iterations', { match: true, iterations: 2, stepWeights: [10] }],
    ['with maxWeight', { match: true, iterations: 2, maxWeight: 50 }],
    ['zero iterations', { match: true, iterations: 0 }],
  ])('rejects match %s', (_name, spec) => {
    const r = strategyFrom(spec);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe('InvalidStrategy');
  });

  it('progressionOf says whether spec.analysis.match is set', () => {
    expect(progressionOf({ iterations: 2, match: [{}] })).toMatchObject({ match: true });
    expect(progressionOf({ iterations: 2 })).toMatchObject({ match: false });
  });
});

describe('strategy validation', () => {
  it.each<[string, ProgressionSpec]>([
    ['nothing chosen', {}],
    ['two chosen', { stepWeight: 10, stepWeights: [10, 20] }],
    ['iterations with stepWeight', { stepWeight: 10, iterations: 3 }],
    ['zero step', { stepWeight: 0 }],
    ['step above 100', { stepWeight: 101 }],
    ['fractional step', { stepWeight: 2.5 }],
    ['max 0', { stepWeight: 10, maxWeight: 0 }],
    ['not ascending', { stepWeights: [10, 10, 20] }],
    ['descending', { stepWeights: [50, 20] }],
    ['empty list', { stepWeights: [] }],
    ['weight 0 in list', { stepWeights: [0, 10] }],
    ['zero iterations', { iterations: 0 }],
  ])('rejects %s', (_name, spec) => {
    const r = strategyFrom(spec);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.reason).toBe('InvalidStrategy');
      expect(r.error.code).toBe('WL_INVALID_SPEC');
    }
  });
});

describe('promotion and measurement', () => {
  it.each([
    [50, 0, 0],
    [50, 20, 30],
    [30, 20, 10],
    [10, 20, 0],
  ])('canary weight %i with stepWeightPromotion %i -> %i', (w, step, expected) => {
    expect(promotionWeight(w, step)).toBe(expected);
  });

  it('does not measure a canary that receives no traffic, except blue/green', () => {
    expect(measuresTraffic(strategy({ stepWeight: 10 }), { canaryWeight: 0, iterations: 0 })).toBe(
      false,
    );
    expect(measuresTraffic(strategy({ stepWeight: 10 }), { canaryWeight: 10, iterations: 0 })).toBe(
      true,
    );
    expect(measuresTraffic(strategy({ iterations: 2 }), { canaryWeight: 0, iterations: 1 })).toBe(
      true,
    );
  });
});
