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
    // Against healthy's rate from the same scrapes (both RPS), not against RPS itself: a starved
    // jest process delays ticks and scrapes for every series alike (see the split test below).
    const ratio = await scalarAt(
      world,
      `sum(rate(response_total{namespace="${ns}", deployment=~"faulty", direction="inbound"}[10s])) / ` +
        `sum(rate(response_total{namespace="${ns}", deployment="healthy", direction="inbound"}[10s]))`,
      evalAt,
    );
    expect(ratio).toBeGreaterThan(0.95);
    expect(ratio).toBeLessThan(1.05);
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
    // Each request faulty serves is one on the loadgen's edge to it: the same count, same scrapes.
    const edgeOverInbound = await scalarAt(
      world,
      `sum(rate(response_total{namespace="${ns}", direction="outbound", deployment="weightlifter-loadgen", dst_namespace="${ns}", dst_deployment="faulty", dst_service="faulty"}[10s])) / ` +
        `sum(rate(response_total{namespace="${ns}", deployment="faulty", direction="inbound"}[10s]))`,
      evalAt,
    );
    expect(edgeOverInbound).toBeGreaterThan(0.99);
    expect(edgeOverInbound).toBeLessThan(1.01);
  });
});

describe('TrafficSplit weights move traffic', () => {
  const ns = uniqueNamespace('world-split');
  // 1,000 requests take 2 s.
  const RPS = 500;

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
  const emulatedApex = () =>
    world.emulator.targets().find((t) => t.namespace === ns && t.service === 'podinfo');
  const routes = async (what: string, weights: number[], rps: number) => {
    await pollFor(what, () => {
      const t = emulatedApex();
      const now = t?.backends.map((b) => b.weight);
      return JSON.stringify(now) === JSON.stringify(weights) && t?.rps === rps ? true : undefined;
    });
  };

  // Counted exactly, not read from rate()[10s]. The emulator ticks and serves /metrics from this
  // jest process; when it is starved of CPU, scrapes time out (1 s) or return a counter a stalled
  // tick behind, and rate() over 10 s of 1 s scrapes extrapolates across the gap: a timing error
  // of 1.5 s is already 15 %. Stopping the apex's load (rate 0) makes every later scrape hold the
  // final counts, which must then equal the emulator's own ledger request for request.
  const inbound = (deployment: string, at: number) =>
    scalarAt(
      world,
      `sum(request_total{namespace="${ns}", deployment="${deployment}", direction="inbound"})`,
      at,
    );
  /** Stops the apex's load and returns the inbound totals of a scrape made after that. */
  const freeze = async () => {
    world.emulator.setRate(ns, 'podinfo', 0);
    const frozenAt = Date.now() / 1000;
    // A successful scrape of the emulator after the load stopped, whatever series it holds: before
    // any request reached the primary it has no series, which the totals then say (undefined).
    // Waiting for a newer sample of the primary's own series never ended in that case (a fresh CI
    // run whose first freeze came before the emulator's first tick of load timed out).
    const proxy = 'up{job="linkerd-proxy"}';
    const at = await pollFor('a scrape after the load stopped', async () => {
      const now = Date.now() / 1000;
      const after = await scalarAt(
        world,
        `min(timestamp(${proxy}) > ${(frozenAt + 0.05).toFixed(3)} and ${proxy} == 1)`,
        now,
      );
      return after === undefined ? undefined : now;
    });
    return { primary: await inbound('podinfo-primary', at), canary: await inbound('podinfo', at) };
  };
  /** Sends at least `n` requests through the apex (starting and ending frozen); the ledger's counts. */
  const send = async (n: number) => {
    world.emulator.resetObserved(ns, 'podinfo');
    world.emulator.setRate(ns, 'podinfo', undefined); // back to the rps annotation
    await pollFor(`${n} requests through the apex`, () => {
      const o = world.emulator.observedSplit(ns, 'podinfo');
      return (o['podinfo-primary'] ?? 0) + (o['podinfo-canary'] ?? 0) >= n ? true : undefined;
    });
    const frozen = await freeze();
    const o = world.emulator.observedSplit(ns, 'podinfo');
    const primary = o['podinfo-primary'] ?? 0;
    const canary = o['podinfo-canary'] ?? 0;
    return { primary, canary, total: primary + canary, frozen };
  };

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
    await routes('the emulator routes 100/0 at the rps annotation', [100, 0], RPS);
    const start = await freeze();

    const before = await send(500);
    expect(before.canary).toBe(0);
    // Prometheus saw each of them, on the primary; the canary is ready but has not even a series.
    expect((before.frozen.primary ?? 0) - (start.primary ?? 0)).toBe(before.primary);
    expect(before.frozen.canary).toBeUndefined();

    // v1alpha1 weights are Quantities; with conversion None every version serves the same object.
    // Changed while no load runs, so no request counted below was routed by the old weights.
    await apply(world, split('v1alpha1', '500m', '500m'));
    await routes('the emulator routes 50/50', [0.5, 0.5], 0);

    // The canary's share of n >= 1000 requests at p = 0.5 has sd sqrt(0.25 / 1000) = 0.0158, so
    // ±0.075 is 4.74 sd: a false failure once in ~600,000 runs (exact binomial: 1.7e-6). The old
    // ±0.05 over >= 500 requests was 2.24 sd: one run in 45 to 50 failed, idle machine or not.
    const after = await send(1000);
    expect(Math.abs(after.canary / after.total - 0.5)).toBeLessThanOrEqual(0.075);
    expect((after.frozen.primary ?? 0) - (before.frozen.primary ?? 0)).toBe(after.primary);
    expect(after.frozen.canary).toBe(after.canary);
  }, 120_000);
});

describe('the emulator API', () => {
  it('serves no resource metrics API unless asked to (WorldOptions.resourceMetrics)', async () => {
    expect(world.resourceMetrics).toBeUndefined();
    const r = await world.controlPlane.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('the server could not find the requested resource'),
    });
  });

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
      docs(
        namespaceYaml(ns),
        deploymentYaml(ns, 'web'),
        serviceYaml(ns, 'web', { app: 'web' }, 5),
        deploymentYaml(ns, 'ref'),
        serviceYaml(ns, 'ref', { app: 'ref' }, 20),
      ),
    );
    await waitForReadyPods(world, ns, { web: 1, ref: 1 });
    world.emulator.setRate(ns, 'web', 80);
    await pollFor('the emulator drives web at 80 rps', () =>
      world.emulator.targets().find((t) => t.namespace === ns && t.rps === 80),
    );
    // Measured against ref (20 rps by its annotation) in the same scrapes, so the ratio is 4 up to
    // one request whatever the scrape timing; alone, rate()[10s] is only a timing estimate (see the
    // split test). The annotation's 5 rps would read 0.25.
    // Over 4 s: 320 requests to 80, so one request either way is 1.25 %.
    const from = Date.now() / 1000;
    const at = await waitForSpan(from, 6);
    const ratio = await scalarAt(
      world,
      `sum(rate(request_total{namespace="${ns}", deployment="web", direction="inbound"}[4s])) / ` +
        `sum(rate(request_total{namespace="${ns}", deployment="ref", direction="inbound"}[4s]))`,
      at,
    );
    expect(ratio).toBeGreaterThan(4 * 0.95);
    expect(ratio).toBeLessThan(4 * 1.05);
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
