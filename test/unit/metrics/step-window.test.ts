// Issue 12 item 1: every metric source answers only with data from its step. Asked before
// `since + window`, each says Inconclusive without querying; from then on it measures, and a
// shared answer from before that moment is never handed out. In-memory executor and Kubernetes
// transport (our own interfaces), manual clock.
import { describe, expect, it } from '@jest/globals';
import { evaluateMeasurement } from '../../../src/analysis/evaluate.js';
import type { Metric } from '../../../src/api/canary.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { MetricSourceFactory, type ResolvedTemplate } from '../../../src/metrics/factory.js';
import { BATCH_ANNOTATION } from '../../../src/metrics/prometheus-source.js';
import { SMI_METRICS_BASE } from '../../../src/metrics/traffic-metrics-api.js';
import { FakeExecutor, FakeKube, logSink, targetsIn } from './fakes.js';

const WINDOW_MS = 60_000;
const COALESCE = 20;

const template: ResolvedTemplate = {
  kind: 'AnalysisTemplate',
  name: 'sr',
  namespace: 'shop',
  annotations: { [BATCH_ANNOTATION]: 'deployment' },
  spec: {
    query:
      'sum by (deployment) (rate(response_total{namespace="{{ namespace }}", deployment=~"{{ target }}"}[{{ interval }}]))',
  },
};

const metrics: Record<string, Metric> = {
  inline: {
    name: 'inline',
    thresholdRange: { min: 1 },
    prometheus: { query: 'up{job="{{ target }}"}' },
  },
  template: { name: 'template', thresholdRange: { min: 1 }, templateRef: { name: 'sr' } },
  computed: {
    name: 'computed',
    thresholdRange: { min: 1 },
    trafficMetrics: { metric: 'request-rate' },
  },
};

function setup(trafficMetrics: 'computed' | 'api') {
  const clock = new ManualClock();
  let n = 0;
  const executor = new FakeExecutor((query) => {
    n += 1;
    const targets = targetsIn(query);
    if (targets.length === 0) return [{ labels: {}, value: n }];
    return targets.map((t) => ({
      labels: { namespace: 'shop', deployment: t, classification: 'success' },
      value: n,
    }));
  });
  const kube = new FakeKube();
  const f = new MetricSourceFactory({
    config: { prometheusAddress: 'http://prom:9090', trafficMetrics },
    executor,
    kube,
    logger: logSink().logger,
    clock,
    batcher: { coalesceMs: COALESCE, newTargetCoalesceMs: COALESCE },
  });
  /** Measures the window that ends at `until` (default: now). */
  const measure = async (m: Metric, target: string, since: number, until = clock.now()) => {
    const asked = f
      .forMetric(m, m.templateRef === undefined ? undefined : template)
      .measure({ namespace: 'shop', target, window: '1m', since, until });
    await clock.advance(COALESCE);
    return asked;
  };
  return { clock, executor, kube, measure };
}

describe('a step whose window is not complete yet', () => {
  it.each(Object.keys(metrics))(
    '%s: Inconclusive without a query before since + window, measured from then on',
    async (which) => {
      const m = metrics[which] as Metric;
      const { clock, executor, measure } = setup('computed');
      const since = clock.now() - WINDOW_MS + 1;
      const early = await measure(m, 'web', since);
      expect(early).toEqual({ kind: 'inconclusive', reason: expect.stringContaining('too early') });
      expect(executor.queries).toHaveLength(0);
      for (const noData of ['pass', 'fail', 'inconclusive'] as const) {
        const judged = evaluateMeasurement(early, {
          metric: m.name,
          thresholdRange: { min: 0 },
          noData,
          minRequests: 0,
        });
        expect(judged.result).toBe('Inconclusive');
      }
      await clock.advance(1);
      expect((await measure(m, 'web', since)).kind).toBe('value');
      expect(executor.queries.length).toBeGreaterThan(0);
    },
  );

  it.each(Object.keys(metrics))(
    '%s: Inconclusive without a query for a window that ends after now',
    async (which) => {
      const m = metrics[which] as Metric;
      const { clock, executor, measure } = setup('computed');
      const since = clock.now() - 2 * WINDOW_MS;
      const ahead = await measure(m, 'web', since, clock.now() + 1);
      expect(ahead).toEqual({ kind: 'inconclusive', reason: expect.stringContaining('from now') });
      expect(executor.queries).toHaveLength(0);
    },
  );

  it('SMI TrafficMetrics API: Inconclusive without a GET before since + window', async () => {
    const { clock, kube, measure } = setup('api');
    const early = await measure(metrics.computed as Metric, 'web', clock.now() - WINDOW_MS + 1);
    expect(early.kind).toBe('inconclusive');
    expect(kube.calls).toHaveLength(0);
  });
});

describe('shared answers across canaries and steps', () => {
  it.each(['template', 'computed'])(
    "%s: a canary never gets another canary's round from before its step's window was complete",
    async (which) => {
      const m = metrics[which] as Metric;
      const { clock, executor, measure } = setup('computed');
      const long = clock.now() - 10 * WINDOW_MS;
      await measure(m, 'b', long); // b is known: rounds opened for a cover b too
      const bSince = clock.now(); // b's next weight starts
      await clock.advance(5_000);
      const a = await measure(m, 'a', long);
      expect(a.kind).toBe('value');
      const sent = executor.queries.length;
      await clock.advance(bSince + WINDOW_MS - clock.now());
      const b = await measure(m, 'b', bSince);
      expect(executor.queries.length).toBeGreaterThan(sent);
      // b's value comes from a query sent after a's (the executor counts its queries).
      expect(b.kind === 'value' && a.kind === 'value' && b.value > a.value).toBe(true);
    },
  );

  it('SMI TrafficMetrics API: a reading made before since + window is not reused', async () => {
    const { clock, kube, measure } = setup('api');
    const path = `${SMI_METRICS_BASE}/namespaces/shop/deployments/web`;
    kube.routes.set(SMI_METRICS_BASE, {
      status: 200,
      body: JSON.stringify({
        kind: 'APIResourceList',
        groupVersion: 'metrics.smi-spec.io/v1alpha1',
        resources: [{ name: 'deployments', kind: 'TrafficMetrics', verbs: ['get'] }],
      }),
    });
    kube.routes.set(path, { status: 200, body: reading('1m') });
    const sr = metrics.computed as Metric;
    const successRate: Metric = { ...sr, name: 'sr', trafficMetrics: { metric: 'success-rate' } };
    await measure(sr, 'web', clock.now() - 2 * WINDOW_MS);
    const since = clock.now() - WINDOW_MS + 1;
    await clock.advance(1);
    // Another check of the same workload would share that reading within its own step only.
    expect((await measure(successRate, 'web', since)).kind).toBe('value');
    expect(kube.calls.filter((c) => c.path === path)).toHaveLength(2);
  });

  it('SMI TrafficMetrics API: an answer over a window reaching back before the step is Inconclusive', async () => {
    const { clock, kube, measure } = setup('api');
    const path = `${SMI_METRICS_BASE}/namespaces/shop/deployments/web`;
    kube.routes.set(SMI_METRICS_BASE, {
      status: 200,
      body: JSON.stringify({
        kind: 'APIResourceList',
        groupVersion: 'metrics.smi-spec.io/v1alpha1',
        resources: [{ name: 'deployments', kind: 'TrafficMetrics', verbs: ['get'] }],
      }),
    });
    kube.routes.set(path, { status: 200, body: reading('5m') });
    const result = await measure(metrics.computed as Metric, 'web', clock.now() - 2 * WINDOW_MS);
    expect(result).toEqual({
      kind: 'inconclusive',
      reason: expect.stringContaining('reaches back before the step began'),
    });
  });
});

function reading(window: string): string {
  return JSON.stringify({
    kind: 'TrafficMetrics',
    apiVersion: 'metrics.smi-spec.io/v1alpha1',
    metadata: { name: 'web', namespace: 'shop' },
    timestamp: '2024-05-01T10:00:00Z',
    window,
    resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
    edge: { direction: 'from', resource: null },
    metrics: [
      { name: 'success_count', value: '90' },
      { name: 'failure_count', value: '10' },
      { name: 'p99_response_latency', value: '10', unit: 'ms' },
      { name: 'p90_response_latency', value: '10', unit: 'ms' },
      { name: 'p50_response_latency', value: '10', unit: 'ms' },
    ],
  });
}
