// A trafficMetrics check result names its origin, so a Canary's status shows whether the SMI
// TrafficMetrics API answered or the figures were computed from Prometheus (and why). Real
// MetricSourceFactory over in-memory fakes of our own QueryExecutor / KubeGetTransport.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import { runChecks } from '../../../src/analysis/checks.js';
import type { ControllerCaches } from '../../../src/canary/caches.js';
import { MetricSourceFactory } from '../../../src/metrics/factory.js';
import { SMI_METRICS_BASE } from '../../../src/metrics/traffic-metrics-api.js';
import { FakeExecutor, FakeKube, logSink } from '../metrics/fakes.js';
import { memoryCaches, stopCaches } from '../canary/canary-fixtures.js';

const canary = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { namespace: 'shop', name: 'web' },
  spec: {
    targetRef: { name: 'web' },
    service: { port: 80 },
    analysis: {
      interval: '30s',
      metrics: [
        { name: 'sr', trafficMetrics: { metric: 'success-rate' }, thresholdRange: { min: 99 } },
        { name: 'q', prometheus: { query: 'vector(1)' }, thresholdRange: { min: 0 } },
      ],
    },
  },
} as unknown as Canary;

let caches: ControllerCaches | undefined;
afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

async function checksWith(kube: FakeKube, trafficMetrics: 'auto' | 'computed') {
  caches = await memoryCaches({});
  const metricSources = new MetricSourceFactory({
    config: { prometheusAddress: 'http://prom:9090', trafficMetrics },
    executor: new FakeExecutor(() => [{ labels: {}, value: 1 }]),
    kube,
    logger: logSink().logger,
    batcher: { coalesceMs: 0, newTargetCoalesceMs: 0 },
  });
  return runChecks(
    { caches, metricSources, controllerNamespace: 'weightlifter-system' },
    canary,
    // The step began long before these checks; their windows end now.
    { since: 0, until: Date.now() },
  );
}

describe('runChecks: trafficMetrics origin in the result message', () => {
  it('says the figures were computed from Prometheus, and why, when the API is not served', async () => {
    const [sr, q] = await checksWith(new FakeKube(), 'auto');
    expect(sr?.message).toMatch(
      /\(computed from Prometheus: SMI TrafficMetrics API not served \(GET \/apis\/metrics\.smi-spec\.io\/v1alpha1: 404 .*\)\)$/,
    );
    expect(q?.message).not.toContain('Prometheus:');
  });

  it('says "computed from Prometheus" without a reason when configured so', async () => {
    const [sr] = await checksWith(new FakeKube(), 'computed');
    expect(sr?.message).toMatch(/\(computed from Prometheus\)$/);
  });

  it('says the figures came from the SMI API when it is served', async () => {
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
          { name: 'success_count', value: '990' },
          { name: 'failure_count', value: '10' },
        ],
      }),
    });
    const [sr] = await checksWith(kube, 'auto');
    expect(sr?.value).toBe(99);
    expect(sr?.message).toMatch(/\(from the SMI TrafficMetrics API\)$/);
  });
});
