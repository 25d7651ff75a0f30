// End-to-end, issue 12 item 1 ("a check judges the traffic of its own step"), against the real
// control plane, a real Prometheus and the mesh emulator, with the controller as its own identity
// and trafficMetrics computed from Prometheus (so both canaries' checks go through one batched
// query shape). Two canaries in one namespace progress at once: `steady` (good) and `flaky`,
// whose revision fails every request only once it has 60 % of the traffic (its last weight).
//
// Each check's request rate tells which weight's traffic it saw: the apex gets RPS requests per
// second, so the canary gets RPS × weight / 100. A check handed a round from before its weight's
// window was complete (another canary's, from the previous interval) sees part of the previous
// weight's traffic. The intervals differ (steady 4 s, flaky 5 s, both with 4 s windows): with
// rounds reused while younger than one interval, steady's checks regularly got flaky's round from
// before steady's weight began (at 40 % it measured 223-257 rps, the 20 % step's traffic).
import { describe, expect, it, jest } from '@jest/globals';
import { useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, phaseIs, waitForStatus } from '../e2e/harness.js';
import { namespaceYaml } from '../e2e/manifests.js';
import { EMULATOR_ANNOTATIONS } from '../../dev/local/emulator/annotations.js';
import type { CanaryStatus } from '../../src/api/canary.js';
import type { LogLine } from '../e2e/controller-process.js';
import { getDeployment } from '../e2e/observers.js';

jest.setTimeout(240_000);

const RPS = 1000;
const NS = 'e2e-measured-weights';

const e = useE2E('measured-weights', {
  world: { defaultRps: RPS },
  controllerArgs: ['--traffic-metrics', 'computed'],
});

interface Spec {
  readonly name: string;
  readonly interval: string;
  readonly stepWeights: readonly number[];
}

const STEADY: Spec = { name: 'steady', interval: '4s', stepWeights: [20, 40, 60, 80] };
const FLAKY: Spec = { name: 'flaky', interval: '5s', stepWeights: [15, 30, 45, 60] };

function appYaml(name: string, annotations: Record<string, string>): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}, labels: {app: ${name}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: ${JSON.stringify(annotations)}
    spec:
      containers:
        - name: app
          image: podinfo:6.7.0
          ports: [{name: http, containerPort: 9898}]
`;
}

function canaryYaml(spec: Spec): string {
  return `apiVersion: weightlifter.io/v1alpha1
kind: Canary
metadata: {name: ${spec.name}, namespace: ${NS}}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: ${spec.name}}
  service: {port: 9898, targetPort: http}
  routing: {provider: smi, smiVersion: auto}
  progressDeadlineSeconds: 60
  analysis:
    interval: ${spec.interval}
    threshold: 1
    stepWeights: ${JSON.stringify(spec.stepWeights)}
    metrics:
      - name: success-rate
        interval: 4s
        trafficMetrics: {metric: success-rate}
        thresholdRange: {min: 99}
      - name: request-rate
        interval: 4s
        trafficMetrics: {metric: request-rate}
        thresholdRange: {min: 0}
`;
}

const patchRevision = (name: string, annotations: Record<string, string>): Promise<string> =>
  e.kubectl([
    '-n',
    NS,
    'patch',
    'deployment',
    name,
    '--type',
    'merge',
    '-p',
    JSON.stringify({ spec: { template: { metadata: { annotations } } } }),
  ]);

interface Check {
  readonly weight: number;
  /** A fail-fast evaluation within the step (its window shortened), not the step's own check. */
  readonly early: boolean;
  readonly results: readonly { metric: string; result: string; value?: number }[];
}

/** The controller's `analysis` log records of one canary, in order. */
const checksOf = (logs: readonly LogLine[], name: string): Check[] =>
  logs
    .filter((l) => l.msg === 'analysis' && l.canary === `${NS}/${name}`)
    .map((l) => ({
      weight: l['weight'] as number,
      early: l['failFastWindowMs'] !== undefined,
      results: l['results'] as Check['results'],
    }));

const resultOf = (c: Check, metric: string) => c.results.find((r) => r.metric === metric);

/**
 * Every weight was measured, and every measured request rate at a weight is closer to that
 * weight's traffic than to the previous weight's: the check saw its own step.
 */
function expectEachWeightMeasured(spec: Spec, checks: readonly Check[], upTo: number): void {
  const weights = spec.stepWeights.filter((w) => w <= upTo);
  for (const [i, w] of weights.entries()) {
    const previous = i === 0 ? 0 : (weights[i - 1] ?? 0);
    const half = ((w - previous) / 2) * (RPS / 100);
    const rates = checks
      .filter((c) => c.weight === w)
      .map((c) => resultOf(c, 'request-rate')?.value)
      .filter((v): v is number => v !== undefined);
    expect({ canary: spec.name, weight: w, measured: rates.length > 0 }).toEqual({
      canary: spec.name,
      weight: w,
      measured: true,
    });
    const expected = (RPS * w) / 100;
    for (const rate of rates) {
      expect({ canary: spec.name, weight: w, rate, saw: 'its own weight' }).toEqual({
        canary: spec.name,
        weight: w,
        rate,
        saw: Math.abs(rate - expected) < half ? 'its own weight' : 'another weight',
      });
    }
  }
}

const waitForPhase = (name: string, what: string, ...phases: string[]): Promise<CanaryStatus> =>
  waitForStatus(e, NS, name, what, phaseIs(...phases), 120_000);

describe('two canaries in one namespace, one bad only at its last weight', () => {
  it('measures every weight of both with its own traffic, rolls the bad one back and promotes the good one', async () => {
    await e.apply(namespaceYaml(NS));
    for (const spec of [STEADY, FLAKY]) {
      await e.apply(appYaml(spec.name, {}));
      await e.apply(canaryYaml(spec));
    }
    for (const spec of [STEADY, FLAKY]) await waitForPhase(spec.name, 'Initialized', 'Initialized');
    const logFrom = e.controller.logs.length;
    await patchRevision(STEADY.name, { 'example.com/rev': '2' });
    await patchRevision(FLAKY.name, {
      'example.com/rev': '2',
      [EMULATOR_ANNOTATIONS.errorRate]: '1',
      [EMULATOR_ANNOTATIONS.errorRateFromWeight]: '60',
    });

    const [steady, flaky] = await Promise.all([
      waitForPhase(STEADY.name, 'Succeeded or Failed', 'Succeeded', 'Failed'),
      waitForPhase(FLAKY.name, 'Succeeded or Failed', 'Succeeded', 'Failed'),
    ]);
    const logs = e.controller.logs.slice(logFrom);
    const steadyChecks = checksOf(logs, STEADY.name);
    const flakyChecks = checksOf(logs, FLAKY.name);

    // Each weight of each canary was measured over its own traffic.
    expectEachWeightMeasured(STEADY, steadyChecks, 80);
    expectEachWeightMeasured(FLAKY, flakyChecks, 60);

    // The bad revision was caught at its last weight, by a check that saw its failures.
    expect(flaky.phase).toBe('Failed');
    const last = flakyChecks.filter((c) => c.weight === 60);
    expect(last.some((c) => resultOf(c, 'success-rate')?.result === 'Failed')).toBe(true);
    // Before it: every step's own check passed, and no fail-fast evaluation failed (one over a
    // window too young to hold a scrape is Inconclusive, which never counts).
    for (const c of flakyChecks.filter((x) => x.weight < 60)) {
      const result = resultOf(c, 'success-rate')?.result;
      expect({ weight: c.weight, early: c.early, result }).toEqual({
        weight: c.weight,
        early: c.early,
        result: c.early && result === 'Inconclusive' ? 'Inconclusive' : 'Successful',
      });
    }
    expect(flakyChecks.some((c) => c.weight < 60 && !c.early)).toBe(true);
    const flakyPrimary = await getDeployment(e.admin, NS, `${FLAKY.name}-primary`);
    const primaryAnnotations = flakyPrimary?.spec?.template?.metadata?.annotations ?? {};
    expect(primaryAnnotations[EMULATOR_ANNOTATIONS.errorRate]).toBeUndefined();
    await eventually('flaky routed back to its primary', async () =>
      (await getCanary(e, NS, FLAKY.name)).status?.canaryWeight === 0 ? true : undefined,
    );

    // The good one was promoted after passing at every weight.
    expect(steady.phase).toBe('Succeeded');
    expect(steady.failedChecks ?? 0).toBe(0);
    const promoted = await getDeployment(e.admin, NS, `${STEADY.name}-primary`);
    expect(promoted?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
  });
});
