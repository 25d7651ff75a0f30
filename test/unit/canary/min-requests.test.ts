// Issue 12 item 3: what `minRequests` does, as the CRD and docs/metrics.md say it. It applies to every
// check whose source reports a request count — every trafficMetrics check, from the SMI
// TrafficMetrics API or computed from Prometheus — and not to inline `prometheus` queries or
// templates (one value, no count). 0 requests follow `noData`; 1 to minRequests-1 requests are
// Inconclusive whatever `noData` says. Real MetricSourceFactory over in-memory fakes of our own
// QueryExecutor / KubeGetTransport.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import type { ControllerCaches } from '../../../src/canary/caches.js';
import { runChecks } from '../../../src/analysis/checks.js';
import { MetricSourceFactory } from '../../../src/metrics/factory.js';
import { SMI_METRICS_BASE } from '../../../src/metrics/traffic-metrics-api.js';
import { FakeExecutor, FakeKube, logSink, targetsIn } from '../metrics/fakes.js';
import { memoryCaches, stopCaches } from './canary-fixtures.js';

const TRAFFIC = ['success-rate', 'request-rate', 'p99_response_latency', 'failure_count'];

function canary(noData: 'pass' | 'fail' | 'inconclusive'): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { namespace: 'shop', name: 'web' },
    spec: {
      targetRef: { name: 'web' },
      service: { port: 80 },
      analysis: {
        interval: '30s',
        minRequests: 20,
        noData,
        metrics: [
          ...TRAFFIC.map((metric) => ({
            name: metric,
            trafficMetrics: { metric },
            thresholdRange: { min: 0 },
          })),
          { name: 'inline', prometheus: { query: 'vector(1)' }, thresholdRange: { min: 0 } },
        ],
      },
    },
  } as unknown as Canary;
}

let caches: ControllerCaches | undefined;
afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

/** `requests` requests to the canary in the window, 1 in 10 failing, p99 = 12 ms. */
function computedExecutor(requests: number): FakeExecutor {
  return new FakeExecutor((query) => {
    const targets = targetsIn(query);
    if (targets.length === 0) return [{ labels: {}, value: 1 }];
    if (query.startsWith('histogram_quantile')) {
      return requests === 0
        ? []
        : targets.map((t) => ({ labels: { namespace: 'shop', deployment: t }, value: 12 }));
    }
    return targets.flatMap((t) => [
      {
        labels: { namespace: 'shop', deployment: t, classification: 'success' },
        value: requests * 0.9,
      },
      {
        labels: { namespace: 'shop', deployment: t, classification: 'failure' },
        value: requests * 0.1,
      },
    ]);
  });
}

function apiServing(requests: number): FakeKube {
  const kube = new FakeKube();
  kube.routes.set(SMI_METRICS_BASE, {
    status: 200,
    body: JSON.stringify({ kind: 'APIResourceList', resources: [{ name: 'deployments' }] }),
  });
  kube.routes.set(`${SMI_METRICS_BASE}/namespaces/shop/deployments/web`, {
    status: 200,
    body: JSON.stringify({
      kind: 'TrafficMetrics',
      window: '30s',
      resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
      metrics: [
        { name: 'success_count', value: String(requests * 0.9) },
        { name: 'failure_count', value: String(requests * 0.1) },
        { name: 'p99_response_latency', value: '12', unit: 'ms' },
        { name: 'p90_response_latency', value: '10', unit: 'ms' },
        { name: 'p50_response_latency', value: '5', unit: 'ms' },
      ],
    }),
  });
  return kube;
}

async function check(
  source: 'api' | 'computed',
  requests: number,
  noData: 'pass' | 'fail' | 'inconclusive',
) {
  caches = await memoryCaches({});
  const metricSources = new MetricSourceFactory({
    config: {
      prometheusAddress: 'http://prom:9090',
      trafficMetrics: source === 'api' ? 'api' : 'computed',
    },
    executor: computedExecutor(requests),
    kube: apiServing(requests),
    logger: logSink().logger,
    batcher: { coalesceMs: 0, newTargetCoalesceMs: 0 },
  });
  const results = await runChecks(
    { caches, metricSources, controllerNamespace: 'weightlifter-system' },
    canary(noData),
    // The step began long before these checks; their windows end now.
    { since: 0, until: Date.now() },
  );
  return Object.fromEntries(results.map((r) => [r.metric, r]));
}

describe.each(['api', 'computed'] as const)('minRequests with trafficMetrics from %s', (source) => {
  it.each(['pass', 'fail', 'inconclusive'] as const)(
    'fewer requests than minRequests: every trafficMetrics check is Inconclusive (noData: %s); an inline query has no count and is judged',
    async (noData) => {
      const results = await check(source, 10, noData);
      for (const metric of TRAFFIC) {
        expect(results[metric]).toMatchObject({
          result: 'Inconclusive',
          message: expect.stringContaining('10 requests < minRequests 20'),
        });
      }
      expect(results.inline).toMatchObject({ result: 'Successful', value: 1 });
    },
  );

  it('at minRequests the checks are judged by their thresholds', async () => {
    const results = await check(source, 20, 'inconclusive');
    for (const metric of TRAFFIC) expect(results[metric]?.result).toBe('Successful');
  });

  it.each([
    ['pass', 'Successful'],
    ['fail', 'Failed'],
    ['inconclusive', 'Inconclusive'],
  ] as const)('no requests at all follow noData: %s -> %s', async (noData, expected) => {
    const results = await check(source, 0, noData);
    expect(results['success-rate']).toMatchObject({
      result: expected,
      message: expect.stringContaining(`(noData: ${noData})`),
    });
  });
});
