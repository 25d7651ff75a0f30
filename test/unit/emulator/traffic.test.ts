import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BEHAVIOUR, type PodBehaviour } from '../../../dev/local/emulator/annotations.js';
import { MetricRegistry } from '../../../dev/local/emulator/exposition.js';
import { defineLinkerdFamilies } from '../../../dev/local/emulator/linkerd-metrics.js';
import { seededRng } from '../../../dev/local/emulator/rng.js';
import type { LoadTarget } from '../../../dev/local/emulator/topology.js';
import { TrafficEngine } from '../../../dev/local/emulator/traffic.js';

function setup(maxPods = 3) {
  const registry = new MetricRegistry();
  defineLinkerdFamilies(registry);
  const engine = new TrafficEngine({
    registry,
    rng: seededRng(5),
    maxPodsPerDeployment: maxPods,
    loadgen: 'lg',
  });
  return { registry, engine };
}

function target(readyPods: number, behaviour: Partial<PodBehaviour> = {}, rps = 100): LoadTarget {
  return {
    namespace: 'ns',
    service: 'web',
    authority: 'web.ns.svc.cluster.local:80',
    rps,
    backends: [
      {
        service: 'web',
        weight: 1,
        workloads: [
          {
            namespace: 'ns',
            deployment: 'web',
            templateHash: 'h1',
            readyPods,
            behaviour: { ...DEFAULT_BEHAVIOUR, ...behaviour },
          },
        ],
      },
    ],
  };
}

/** Sum of a family's samples whose line contains every fragment. */
function sum(text: string, metric: string, ...fragments: string[]): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{`) && fragments.every((f) => l.includes(f)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('TrafficEngine', () => {
  it('issues rate × time requests, spread evenly over the pods', () => {
    const { registry, engine } = setup();
    engine.replaceNamespace('ns', [target(2, {}, 7)]);
    for (let i = 0; i < 100; i++) engine.tick(0.25); // 25 s at 7 rps
    const text = registry.render();
    expect(sum(text, 'request_total', 'direction="inbound"')).toBe(175);
    expect(sum(text, 'request_total', 'direction="outbound"', 'dst_deployment="web"')).toBe(175);
    const perPod = text
      .split('\n')
      .filter((l) => l.startsWith('request_total{direction="inbound"'))
      .map((l) => Number(l.split(' ')[1]));
    expect(perPod).toHaveLength(2);
    expect(Math.abs((perPod[0] ?? 0) - (perPod[1] ?? 0))).toBeLessThanOrEqual(1);
  });

  it('fails a canary only while its backend has at least error-rate-from-weight of the route', () => {
    const { registry, engine } = setup();
    const workload = (deployment: string, behaviour: Partial<PodBehaviour>) => ({
      namespace: 'ns',
      deployment,
      templateHash: 'h1',
      readyPods: 1,
      behaviour: { ...DEFAULT_BEHAVIOUR, ...behaviour },
    });
    const split = (canaryWeight: number): LoadTarget => ({
      namespace: 'ns',
      service: 'web',
      authority: 'web.ns.svc.cluster.local:80',
      rps: 1000,
      split: 'web',
      backends: [
        {
          service: 'web-primary',
          weight: 100 - canaryWeight,
          workloads: [workload('web-primary', {})],
        },
        {
          service: 'web-canary',
          weight: canaryWeight,
          workloads: [workload('web', { errorRate: 1, errorRateFromWeight: 60 })],
        },
      ],
    });
    const failures = () =>
      sum(registry.render(), 'response_total', 'direction="inbound"', 'classification="failure"');
    const canaryRequests = () =>
      sum(registry.render(), 'request_total', 'direction="inbound"', 'deployment="web"');
    engine.replaceNamespace('ns', [split(40)]);
    for (let i = 0; i < 10; i++) engine.tick(0.2);
    expect(canaryRequests()).toBeGreaterThan(0);
    expect(failures()).toBe(0);
    engine.replaceNamespace('ns', [split(60)]);
    const before = canaryRequests();
    for (let i = 0; i < 10; i++) engine.tick(0.2);
    expect(failures()).toBe(canaryRequests() - before);
    expect(failures()).toBeGreaterThan(0);
  });

  it('fails about error-rate of the requests with the error status', () => {
    const { registry, engine } = setup();
    engine.replaceNamespace('ns', [target(1, { errorRate: 0.3, errorStatus: 503 })]);
    for (let i = 0; i < 100; i++) engine.tick(0.2); // 2000 requests
    const text = registry.render();
    const failed = sum(
      text,
      'response_total',
      'direction="inbound"',
      'classification="failure"',
      'status_code="503"',
    );
    const all = sum(text, 'response_total', 'direction="inbound"');
    expect(all).toBe(2000);
    expect(failed / all).toBeGreaterThan(0.27);
    expect(failed / all).toBeLessThan(0.33);
  });

  it('records latencies around latency-ms in the Linkerd buckets', () => {
    const { registry, engine } = setup();
    engine.replaceNamespace('ns', [target(1, { latencyMs: 250, latencyJitter: 0.1 })]);
    for (let i = 0; i < 10; i++) engine.tick(1);
    const text = registry.render();
    const inb = ['direction="inbound"', 'status_code="200"'];
    expect(sum(text, 'response_latency_ms_bucket', ...inb, 'le="200"')).toBe(0);
    expect(sum(text, 'response_latency_ms_bucket', ...inb, 'le="300"')).toBe(1000);
    const mean =
      sum(text, 'response_latency_ms_sum', ...inb) / sum(text, 'response_latency_ms_count', ...inb);
    expect(mean).toBeGreaterThan(240);
    expect(mean).toBeLessThan(260);
  });

  it('answers 503 from the client proxy when a backend has no ready pod', () => {
    const { registry, engine } = setup();
    engine.replaceNamespace('ns', [target(0)]);
    engine.tick(1);
    const text = registry.render();
    expect(sum(text, 'request_total', 'direction="inbound"')).toBe(0);
    expect(
      sum(
        text,
        'response_total',
        'direction="outbound"',
        'status_code="503"',
        'classification="failure"',
      ),
    ).toBe(100);
    expect(text).not.toContain('dst_deployment');
  });

  it('caps emulated pods per Deployment without changing the rate', () => {
    const { registry, engine } = setup(2);
    engine.replaceNamespace('ns', [target(10)]);
    engine.tick(1);
    const text = registry.render();
    expect(
      text.split('\n').filter((l) => l.startsWith('request_total{direction="inbound"')),
    ).toHaveLength(2);
    expect(sum(text, 'request_total', 'direction="inbound"')).toBe(100);
  });

  it('drops the series of pods and targets that went away', () => {
    const { registry, engine } = setup();
    engine.replaceNamespace('ns', [target(2)]);
    engine.tick(1);
    engine.replaceNamespace('ns', [target(1)]);
    expect(
      registry
        .render()
        .split('\n')
        .filter((l) => l.startsWith('request_total{direction="inbound"')),
    ).toHaveLength(1);
    engine.replaceNamespace('ns', []);
    expect(registry.seriesCount).toBe(0);
    expect(engine.targets()).toEqual([]);
  });

  it('honours rate overrides, keeps counting across topology updates, and resets observations', () => {
    const { engine } = setup();
    engine.replaceNamespace('ns', [target(1, {}, 10)]);
    engine.setRate('ns', 'web', 50);
    engine.tick(1);
    engine.replaceNamespace('ns', [target(1, {}, 10)]);
    engine.tick(1);
    expect(engine.observedSplit('ns', 'web')).toEqual({ web: 100 });
    engine.setRate('ns', 'web', undefined);
    engine.resetObserved('ns', 'web');
    engine.tick(1);
    expect(engine.observedSplit('ns', 'web')).toEqual({ web: 10 });
    expect(() => {
      engine.setRate('ns', 'web', -1);
    }).toThrow(RangeError);
  });

  it("counts the requests each Deployment's pods served, across topology updates", () => {
    const { engine } = setup();
    engine.replaceNamespace('ns', [target(3, {}, 20)]);
    engine.tick(1);
    engine.replaceNamespace('ns', [target(2, {}, 20)]);
    engine.tick(1.5);
    expect(engine.servedRequests()).toEqual(new Map([['ns/web', 50]]));
    // No ready pod: nothing served (the client proxy answers 503), the count stays.
    engine.replaceNamespace('ns', [target(0, {}, 20)]);
    engine.tick(1);
    expect(engine.servedRequests()).toEqual(new Map([['ns/web', 50]]));
    // Gone from every target: forgotten; back again: counted from 0.
    engine.replaceNamespace('ns', []);
    expect(engine.servedRequests()).toEqual(new Map());
    engine.replaceNamespace('ns', [target(1, {}, 20)]);
    engine.tick(1);
    expect(engine.servedRequests()).toEqual(new Map([['ns/web', 20]]));
  });
});
