import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BEHAVIOUR } from '../../../dev/local/emulator/annotations.js';
import { MetricRegistry } from '../../../dev/local/emulator/exposition.js';
import { defineLinkerdFamilies } from '../../../dev/local/emulator/linkerd-metrics.js';
import { seededRng } from '../../../dev/local/emulator/rng.js';
import type { LoadTarget } from '../../../dev/local/emulator/topology.js';
import { TrafficEngine } from '../../../dev/local/emulator/traffic.js';
import { WeightedPicker, parseBackends } from '../../../dev/local/emulator/weights.js';

const REQUESTS = 500;
/** The bar: the observed split matches the weights within ±5 % (percentage points). */
const TOLERANCE = 0.05;

const WEIGHT_SETS: readonly (readonly number[])[] = [
  [50, 50],
  [90, 10],
  [95, 5],
  [75, 25],
  [100, 0],
  [0, 100],
  [1, 1, 1],
  [60, 30, 10],
  [1000, 500], // relative weights: ≈ 67/33
];
/**
 * 500 requests at 50/50 have a standard deviation of 2.2 points, so ±5 points is a 2.2σ bar that
 * an unbiased router misses about 3 % of the time. Each weight set therefore runs under 40 fixed
 * seeds (deterministic) and must meet the bar in at least 36 of them, and the mean share over all
 * seeds must sit within 1 point of the weight (a biased router fails that at once).
 */
const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const MIN_WITHIN = 36;

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

function within(observed: readonly number[], expected: readonly number[]): boolean {
  return observed.every((o, i) => Math.abs(o - (expected[i] ?? NaN)) <= TOLERANCE);
}

function expectRouting(weights: readonly number[], run: (seed: number) => number[]): void {
  const expected = shares(weights);
  const mean = new Array<number>(weights.length).fill(0);
  let ok = 0;
  for (const seed of SEEDS) {
    const counts = run(seed);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    // A zero weight is never picked, not merely rarely.
    weights.forEach((w, i) => {
      if (w === 0) expect(counts[i]).toBe(0);
    });
    const observed = shares(counts);
    if (within(observed, expected)) ok++;
    observed.forEach((o, i) => (mean[i] = (mean[i] ?? 0) + o / SEEDS.length));
  }
  expect(ok).toBeGreaterThanOrEqual(MIN_WITHIN);
  mean.forEach((m, i) => {
    expect(Math.abs(m - (expected[i] ?? NaN))).toBeLessThan(0.01);
  });
}

describe('weighted routing statistics', () => {
  for (const weights of WEIGHT_SETS) {
    it(`one draw per request matches ${weights.join('/')} within ±5 % over 500 requests`, () => {
      expectRouting(weights, (seed) => {
        const picker = new WeightedPicker(weights);
        const rng = seededRng(seed);
        const counts = new Array<number>(weights.length).fill(0);
        for (let i = 0; i < REQUESTS; i++) {
          const idx = picker.pick(rng);
          counts[idx] = (counts[idx] ?? 0) + 1;
        }
        return counts;
      });
    });

    it(`bulk ticks of 50 match ${weights.join('/')} within ±5 % over 500 requests`, () => {
      // Above the per-request threshold: the chain of binomials is what runs here.
      expectRouting(weights, (seed) => {
        const picker = new WeightedPicker(weights);
        const rng = seededRng(seed);
        const counts = new Array<number>(weights.length).fill(0);
        for (let t = 0; t < 10; t++) {
          picker.distribute(50, rng).forEach((c, i) => (counts[i] = (counts[i] ?? 0) + c));
        }
        return counts;
      });
    });
  }

  it('picks nothing when every weight is 0', () => {
    const picker = new WeightedPicker([0, 0]);
    expect(picker.pick(seededRng(1))).toBe(-1);
    expect(picker.distribute(10, seededRng(1))).toEqual([0, 0]);
  });

  it('differs from a uniform split when the weights do (the check has teeth)', () => {
    const picker = new WeightedPicker([90, 10]);
    const rng = seededRng(3);
    let first = 0;
    for (let i = 0; i < REQUESTS; i++) if (picker.pick(rng) === 0) first++;
    expect(Math.abs(first / REQUESTS - 0.5)).toBeGreaterThan(TOLERANCE);
  });
});

function splitTarget(weights: readonly number[]): LoadTarget {
  return {
    namespace: 'ns',
    service: 'apex',
    authority: 'apex.ns.svc.cluster.local:80',
    rps: 10,
    split: 'apex',
    backends: weights.map((weight, i) => ({
      service: `b${i}`,
      weight,
      workloads: [
        {
          namespace: 'ns',
          deployment: `d${i}`,
          templateHash: `h${i}`,
          readyPods: 2,
          behaviour: DEFAULT_BEHAVIOUR,
        },
      ],
    })),
  };
}

describe('the traffic engine routes by the TrafficSplit weights', () => {
  for (const weights of WEIGHT_SETS) {
    it(`observes ${weights.join('/')} within ±5 % over 500 requests`, () => {
      expectRouting(weights, (seed) => {
        const registry = new MetricRegistry();
        defineLinkerdFamilies(registry);
        const engine = new TrafficEngine({
          registry,
          rng: seededRng(seed),
          maxPodsPerDeployment: 3,
          loadgen: 'lg',
        });
        engine.replaceNamespace('ns', [splitTarget(weights)]);
        // 10 rps for 50 s in 200 ms ticks: exactly 500 requests thanks to the fractional carry.
        for (let i = 0; i < 250; i++) engine.tick(0.2);
        const observed = engine.observedSplit('ns', 'apex');
        return weights.map((_, i) => observed[`b${i}`] ?? 0);
      });
    });
  }
});

describe('parseBackends', () => {
  it('reads v1alpha1 Quantities and v1alpha2+ integers alike', () => {
    const { backends, problems } = parseBackends({
      backends: [
        { service: 'a', weight: '900m' },
        { service: 'b', weight: '100m' },
        { service: 'c', weight: 5 },
        { service: 'd', weight: '1' },
      ],
    });
    expect(problems).toEqual([]);
    expect(backends.map((b) => [b.service, b.weight])).toEqual([
      ['a', 0.9],
      ['b', 0.1],
      ['c', 5],
      ['d', 1],
    ]);
  });

  it('skips unusable backends with a reason', () => {
    const { backends, problems } = parseBackends({
      backends: [{ service: 'a', weight: 'lots' }, { weight: 1 }, { service: 'b', weight: -1 }],
    });
    expect(backends).toEqual([]);
    expect(problems).toEqual([
      expect.stringContaining('backends[0] (a): not a Kubernetes quantity'),
      'backends[1]: no service',
      'backends[2] (b): negative weight -1',
    ]);
  });

  it('reports a spec without backends', () => {
    expect(parseBackends({}).problems).toEqual(['spec.backends is not a list']);
  });
});
