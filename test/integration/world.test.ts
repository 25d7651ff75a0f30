import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EMULATOR_ANNOTATIONS as A } from '../../dev/local/emulator/annotations.js';
import { startWorld, type World } from '../../dev/local/world.js';
import {
  apply,
  deploymentYaml,
  docs,
  firstSeen,
  linkerdP99,
  linkerdSuccessRate,
  namespaceYaml,
  pollFor,
  scalarAt,
  serviceYaml,
  uniqueNamespace,
  waitForReadyPods,
  waitForSpan,
} from './world-helpers.js';

// Everything here runs against the real kube-apiserver and the real Prometheus binary; the only
// synthetic part is the mesh emulator, which is what is under test.
let world: World;

beforeAll(async () => {
  world = await startWorld();
}, 120_000);

afterAll(async () => {
  await world.stop();
}, 60_000);

describe('Linkerd queries against emulated workloads', () => {
  const ns = uniqueNamespace('world-q');
  const RPS = 200;
  let evalAt = 0;

  beforeAll(async () => {
    await apply(
      world,
      docs(
        namespaceYaml(ns),
        deploymentYaml(ns, 'healthy', { replicas: 2 }),
        serviceYaml(ns, 'healthy', { app: 'healthy' }, RPS),
        deploymentYaml(ns, 'faulty', { annotations: { [A.errorRate]: '0.3' } }),
        serviceYaml(ns, 'faulty', { app: 'faulty' }, RPS),
        deploymentYaml(ns, 'slow', { annotations: { [A.latencyMs]: '250' } }),
        serviceYaml(ns, 'slow', { app: 'slow' }, RPS),
        deploymentYaml(ns, 'quick', { annotations: { [A.latencyMs]: '35' } }),
        serviceYaml(ns, 'quick', { app: 'quick' }, RPS),
      ),
    );
    await waitForReadyPods(world, ns, { healthy: 2, faulty: 1, slow: 1, quick: 1 });
    // Evaluate once, at a time whose 10 s window Prometheus has fully scraped for every workload.
    const seen = await firstSeen(
      world,
      `count(response_total{namespace="${ns}",direction="inbound"}) by (deployment) >= 1 and on() count(count(response_total{namespace="${ns}",direction="inbound"}) by (deployment)) == 4`,
    );
    evalAt = await waitForSpan(seen, 12);
  }, 120_000);

  it('the success-rate query gives 100 for a healthy Deployment', async () => {
    expect(await scalarAt(world, linkerdSuccessRate(ns, 'healthy', '10s'), evalAt)).toBe(100);
  });

  it('the success-rate query gives about 70 for error-rate 0.3', async () => {
    // ~2000 requests in the window: one standard deviation is about 1 point.
    const rate = await scalarAt(world, linkerdSuccessRate(ns, 'faulty', '10s'), evalAt);
    expect(rate).toBeGreaterThan(65);
    expect(rate).toBeLessThan(75);
  });

  it('the target regex is anchored: "faulty" does not pick up other Deployments', async () => {
    const requests = await scalarAt(
      world,
      `sum(rate(response_total{namespace="${ns}", deployment=~"faulty", direction="inbound"}[10s]))`,
      evalAt,
    );
    expect(requests).toBeGreaterThan(RPS * 0.8);
    expect(requests).toBeLessThan(RPS * 1.2);
  });

  it('the p99 latency query lands in the Linkerd bucket of latency-ms', async () => {
    // 250 ms ± 10 % lies inside (200, 300]; 35 ms ± 10 % inside (30, 40]; default 5 ms below both.
    const slow = await scalarAt(world, linkerdP99(ns, 'slow', '10s'), evalAt);
    const quick = await scalarAt(world, linkerdP99(ns, 'quick', '10s'), evalAt);
    const healthy = await scalarAt(world, linkerdP99(ns, 'healthy', '10s'), evalAt);
    expect(slow).toBeGreaterThan(200);
    expect(slow).toBeLessThanOrEqual(300);
    expect(quick).toBeGreaterThan(30);
    expect(quick).toBeLessThanOrEqual(40);
    expect(healthy).toBeLessThanOrEqual(10);
  });

  it('exports outbound series from the load generator for TrafficMetrics edges', async () => {
    const edges = await scalarAt(
      world,
      `sum(rate(response_total{namespace="${ns}", direction="outbound", deployment="weightlifter-loadgen", dst_namespace="${ns}", dst_deployment="faulty", dst_service="faulty"}[10s]))`,
      evalAt,
    );
    expect(edges).toBeGreaterThan(RPS * 0.8);
  });
});

describe('TrafficSplit weights move traffic', () => {
  const ns = uniqueNamespace('world-split');
  const RPS = 100;

  const split = (apiVersion: string, primary: string | number, canary: string | number) => `
apiVersion: split.smi-spec.io/${apiVersion}
kind: TrafficSplit
metadata: {name: podinfo, namespace: ${ns}}
spec:
  service: podinfo
  backends:
  - {service: podinfo-primary, weight: ${JSON.stringify(primary)}}
  - {service: podinfo-canary, weight: ${JSON.stringify(canary)}}
`;
  const inboundRate = (deployment: string, at: number) =>
    scalarAt(
      world,
      `sum(rate(request_total{namespace="${ns}", deployment="${deployment}", direction="inbound"}[10s]))`,
      at,
    );
  const emulatedWeights = () =>
    world.emulator
      .targets()
      .find((t) => t.namespace === ns && t.service === 'podinfo')
      ?.backends.map((b) => b.weight);

  beforeAll(async () => {
    // The shape weightlifter builds (DESIGN §2): apex selects primary; -primary/-canary backends.
    await apply(
      world,
      docs(
        namespaceYaml(ns),
        deploymentYaml(ns, 'podinfo-primary'),
        deploymentYaml(ns, 'podinfo', { annotations: { [A.latencyMs]: '20' } }),
        serviceYaml(ns, 'podinfo', { app: 'podinfo-primary' }, RPS),
        serviceYaml(ns, 'podinfo-primary', { app: 'podinfo-primary' }),
        serviceYaml(ns, 'podinfo-canary', { app: 'podinfo' }),
        split('v1alpha4', 100, 0),
      ),
    );
    await waitForReadyPods(world, ns, { 'podinfo-primary': 1, podinfo: 1 });
  }, 120_000);

  it('100/0 sends everything to the primary; 50/50 (v1alpha1 Quantities) splits it evenly', async () => {
    await pollFor('the emulator routes 100/0', () =>
      JSON.stringify(emulatedWeights()) === '[100,0]' ? true : undefined,
    );
    const seen = await firstSeen(
      world,
      `request_total{namespace="${ns}", deployment="podinfo-primary", direction="inbound"}`,
    );
    const before = await waitForSpan(seen, 12);
    const primaryBefore = await inboundRate('podinfo-primary', before);
    expect(primaryBefore).toBeGreaterThan(RPS * 0.85);
    expect(primaryBefore).toBeLessThan(RPS * 1.15);
    // The canary is ready but routed nothing: not even a series exists for it.
    expect(await inboundRate('podinfo', before)).toBeUndefined();

    // v1alpha1 weights are Quantities; with conversion None every version serves the same object.
    await apply(world, split('v1alpha1', '500m', '500m'));
    await pollFor('the emulator routes 50/50', () =>
      JSON.stringify(emulatedWeights()) === '[0.5,0.5]' ? true : undefined,
    );
    const changedAt = Date.now() / 1000;
    world.emulator.resetObserved(ns, 'podinfo');

    // The emulator's own ledger: ±5 % over at least 500 requests.
    const observed = await pollFor('500 requests after the change', () => {
      const o = world.emulator.observedSplit(ns, 'podinfo');
      const total = (o['podinfo-primary'] ?? 0) + (o['podinfo-canary'] ?? 0);
      return total >= 500 ? { canary: o['podinfo-canary'] ?? 0, total } : undefined;
    });
    expect(Math.abs(observed.canary / observed.total - 0.5)).toBeLessThanOrEqual(0.05);

    // And Prometheus, over a 10 s window entirely after the change (~1000 requests).
    const after = await waitForSpan(changedAt, 12);
    const canary = (await inboundRate('podinfo', after)) ?? 0;
    const primary = (await inboundRate('podinfo-primary', after)) ?? 0;
    expect(canary / (canary + primary)).toBeGreaterThan(0.4);
    expect(canary / (canary + primary)).toBeLessThan(0.6);
    expect(canary + primary).toBeGreaterThan(RPS * 0.85);
    expect(canary + primary).toBeLessThan(RPS * 1.15);
  }, 120_000);
});

describe('the emulator API', () => {
  it('watches every served TrafficSplit version', () => {
    expect(world.emulator.splitVersions().sort()).toEqual([
      'v1alpha1',
      'v1alpha2',
      'v1alpha3',
      'v1alpha4',
    ]);
  });

  it('setRate overrides the annotation and shows in Prometheus', async () => {
    const ns = uniqueNamespace('world-rate');
    await apply(
      world,
      docs(namespaceYaml(ns), deploymentYaml(ns, 'web'), serviceYaml(ns, 'web', { app: 'web' }, 5)),
    );
    await waitForReadyPods(world, ns, { web: 1 });
    world.emulator.setRate(ns, 'web', 80);
    await pollFor('the emulator drives web at 80 rps', () =>
      world.emulator.targets().find((t) => t.namespace === ns && t.rps === 80),
    );
    const from = Date.now() / 1000;
    const at = await waitForSpan(from, 11);
    const rate = await scalarAt(
      world,
      `sum(rate(request_total{namespace="${ns}", deployment="web", direction="inbound"}[10s]))`,
      at,
    );
    expect(rate).toBeGreaterThan(80 * 0.85);
    expect(rate).toBeLessThan(80 * 1.15);
  }, 60_000);

  it('reports a bad annotation as a problem instead of failing', async () => {
    const ns = uniqueNamespace('world-bad');
    await apply(
      world,
      docs(
        namespaceYaml(ns),
        deploymentYaml(ns, 'web', { annotations: { [A.errorRate]: 'lots' } }),
        serviceYaml(ns, 'web', { app: 'web' }),
      ),
    );
    const problem = await pollFor('the problem is reported', () =>
      world.emulator.problems().find((p) => p.object === `Deployment ${ns}/web`),
    );
    expect(problem.message).toBe(`${A.errorRate}="lots": not a number; using 0`);
  });
});
