// The SMI TrafficMetrics API client and its fallback, over an in-memory KubeGetTransport (our own
// interface). The real-apiserver path (no APIService -> fallback) is in
// test/integration/metrics-traffic-metrics-api.test.ts.
import { describe, expect, it } from '@jest/globals';
import {
  SMI_METRICS_BASE,
  TrafficMetricsApiClient,
} from '../../../src/metrics/traffic-metrics-api.js';
import { TrafficMetricsApiSource } from '../../../src/metrics/traffic-metrics-api-source.js';
import { valueResult, type MetricSource } from '../../../src/metrics/source.js';
import { FakeKube, logSink, manualClock } from './fakes.js';

const PATH = `${SMI_METRICS_BASE}/namespaces/shop/deployments/web-v2`;
const ctx = { namespace: 'shop', target: 'web-v2', window: '30s', since: 0, until: 30_000 };

const discovery = JSON.stringify({
  kind: 'APIResourceList',
  groupVersion: 'metrics.smi-spec.io/v1alpha1',
  resources: [{ name: 'deployments', kind: 'TrafficMetrics', verbs: ['get', 'list'] }],
});

function trafficMetrics(metrics: Record<string, string>, window = '30s'): string {
  return JSON.stringify({
    kind: 'TrafficMetrics',
    apiVersion: 'metrics.smi-spec.io/v1alpha1',
    metadata: { name: 'web-v2', namespace: 'shop' },
    timestamp: '2024-05-01T10:00:00Z',
    window,
    resource: { kind: 'Deployment', namespace: 'shop', name: 'web-v2' },
    edge: { direction: 'from', resource: null },
    metrics: Object.entries(metrics).map(([name, value]) => ({
      name,
      value,
      ...(name.endsWith('latency') ? { unit: 'ms' } : {}),
    })),
  });
}

const example = {
  p99_response_latency: '48750m',
  p90_response_latency: '9',
  p50_response_latency: '987m',
  success_count: '1496250m',
  failure_count: '3750m',
};

function served(kube: FakeKube, body: string, status = 200): void {
  kube.routes.set(SMI_METRICS_BASE, { status: 200, body: discovery });
  kube.routes.set(PATH, { status, body });
}

/** A fallback that records calls and answers 42. */
function recordingFallback(): { calls: string[]; fallback: (m: string) => MetricSource } {
  const calls: string[] = [];
  return {
    calls,
    fallback: (metric) => ({
      kind: 'computed',
      measure: () => {
        calls.push(metric);
        return Promise.resolve(valueResult(42));
      },
    }),
  };
}

describe('TrafficMetrics API client', () => {
  it('GETs the deployment through the Kubernetes API with ?t= and parses milli-quantities', async () => {
    const kube = new FakeKube();
    served(kube, trafficMetrics(example));
    const answer = await new TrafficMetricsApiClient(kube).get(
      'shop',
      'deployments',
      'web-v2',
      '30s',
    );
    expect(kube.calls).toEqual([{ path: PATH, query: { t: '30s' } }]);
    expect(answer).toEqual({
      kind: 'ok',
      data: {
        window: '30s',
        edge: { direction: 'from', peer: null },
        values: {
          p99_response_latency: 48.75,
          p90_response_latency: 9,
          p50_response_latency: 0.987,
          success_count: 1496.25,
          failure_count: 3.75,
        },
      },
    });
  });

  it('reads the NaN sentinel as NaN', async () => {
    const kube = new FakeKube();
    served(kube, trafficMetrics({ ...example, p99_response_latency: '-9223372036854775808m' }));
    const answer = await new TrafficMetricsApiClient(kube).get(
      'shop',
      'deployments',
      'web-v2',
      '30s',
    );
    expect(answer.kind === 'ok' && Number.isNaN(answer.data.values.p99_response_latency)).toBe(
      true,
    );
  });

  it('maps 500 "unable to lookup metrics" to no data, other failures to typed errors', async () => {
    const kube = new FakeKube();
    const client = new TrafficMetricsApiClient(kube);
    served(kube, '{"error":"unable to lookup metrics"}', 500);
    expect(await client.get('shop', 'deployments', 'web-v2', '30s')).toMatchObject({
      kind: 'noData',
    });
    served(kube, '{"error":"prometheus: connection refused"}', 500);
    const other = await client.get('shop', 'deployments', 'web-v2', '30s');
    expect(other.kind === 'error' && other.error.message).toContain(
      '500 prometheus: connection refused',
    );
    served(kube, '{"kind":"Status","message":"service unavailable","code":503}', 503);
    const unavailable = await client.get('shop', 'deployments', 'web-v2', '30s');
    expect(unavailable.kind === 'error' && unavailable.error.code).toBe('WL_METRICS_QUERY_FAILED');
    served(kube, trafficMetrics({ ...example, success_count: 'lots' }));
    const garbage = await client.get('shop', 'deployments', 'web-v2', '30s');
    expect(garbage.kind === 'error' && garbage.error.message).toContain(
      'invalid Kubernetes quantity "lots"',
    );
    served(kube, 'not json');
    expect(await client.get('shop', 'deployments', 'web-v2', '30s')).toMatchObject({
      kind: 'error',
    });
  });

  it('reports 404 as not served', async () => {
    const kube = new FakeKube();
    const answer = await new TrafficMetricsApiClient(kube).discover();
    expect(answer).toMatchObject({ kind: 'notServed' });
  });

  it('lists edges with their direction and peer', async () => {
    const kube = new FakeKube();
    const item = JSON.parse(trafficMetrics(example)) as Record<string, unknown>;
    kube.routes.set(`${PATH}/edges`, {
      status: 200,
      body: JSON.stringify({
        kind: 'TrafficMetricsList',
        items: [
          {
            ...item,
            edge: {
              direction: 'to',
              resource: { kind: 'Deployment', namespace: 'shop', name: 'db' },
            },
          },
        ],
      }),
    });
    const answer = await new TrafficMetricsApiClient(kube).edges(
      'shop',
      'deployments',
      'web-v2',
      '1m',
    );
    expect(kube.calls[0]?.query).toEqual({ t: '1m' });
    expect(answer.kind === 'ok' && answer.data[0]?.edge).toEqual({
      direction: 'to',
      peer: { kind: 'Deployment', namespace: 'shop', name: 'db' },
    });
  });
});

describe('TrafficMetrics API source', () => {
  it('derives success rate and request rate from the counts, latencies as served', async () => {
    const kube = new FakeKube();
    served(kube, trafficMetrics({ ...example, success_count: '700', failure_count: '300' }));
    const { logger } = logSink();
    const source = new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(kube),
      logger,
    });
    expect(await source.measure('success-rate', ctx)).toEqual({
      kind: 'value',
      value: 70,
      requests: 1000,
    });
    expect(await source.measure('request-rate', ctx)).toEqual({
      kind: 'value',
      value: 1000 / 30,
      requests: 1000,
    });
    expect(await source.measure('p99_response_latency', ctx)).toEqual({
      kind: 'value',
      value: 48.75,
      requests: 1000,
    });
    // One GET served all three checks of the tick (plus the discovery GET).
    expect(kube.calls.filter((c) => c.path === PATH)).toHaveLength(1);
    expect(source.status().mode).toBe('api');
  });

  it('falls back to the computed source when the APIService is missing, logging it once', async () => {
    const kube = new FakeKube();
    const sink = logSink();
    const { calls, fallback } = recordingFallback();
    const clock = manualClock();
    const source = new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(kube),
      logger: sink.logger,
      fallback,
      now: clock.now,
      recheckMs: 60_000,
    });
    expect(await source.measure('success-rate', ctx)).toEqual({ kind: 'value', value: 42 });
    expect(await source.measure('p99_response_latency', ctx)).toEqual({ kind: 'value', value: 42 });
    expect(calls).toEqual(['success-rate', 'p99_response_latency']);
    expect(source.status()).toMatchObject({ mode: 'computed' });
    const notices = sink.records.filter((r) => String(r['msg']).includes('not served'));
    expect(notices).toHaveLength(1);
    // Discovery ran once; the verdict stands until recheckMs has passed.
    expect(kube.calls).toHaveLength(1);
    clock.advance(60_000);
    served(kube, trafficMetrics(example));
    expect(await source.measure('p99_response_latency', ctx)).toMatchObject({
      kind: 'value',
      value: 48.75,
    });
    expect(source.status().mode).toBe('api');
    expect(sink.records.filter((r) => String(r['msg']).includes('API served'))).toHaveLength(1);
  });

  it('falls back when the group disappears after discovery said it was served', async () => {
    const kube = new FakeKube();
    kube.routes.set(SMI_METRICS_BASE, { status: 200, body: discovery });
    const { calls, fallback } = recordingFallback();
    const source = new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(kube),
      logger: logSink().logger,
      fallback,
    });
    expect(await source.measure('success-rate', ctx)).toEqual({ kind: 'value', value: 42 });
    expect(calls).toEqual(['success-rate']);
    expect(source.status().mode).toBe('computed');
  });

  it('is an error without a fallback, and on a discovery failure other than 404', async () => {
    const kube = new FakeKube();
    const source = new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(kube),
      logger: logSink().logger,
    });
    const missing = await source.measure('success-rate', ctx);
    expect(missing.kind === 'error' && missing.error.message).toContain('not available');
    const broken = new FakeKube();
    broken.routes.set(SMI_METRICS_BASE, { status: 503, body: 'service unavailable' });
    const { fallback } = recordingFallback();
    const unavailable = await new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(broken),
      logger: logSink().logger,
      fallback,
    }).measure('success-rate', ctx);
    expect(unavailable.kind === 'error' && unavailable.error.message).toContain('503');
  });

  it('answers no data for a workload without traffic', async () => {
    const kube = new FakeKube();
    served(kube, '{"error":"unable to lookup metrics"}', 500);
    const source = new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(kube),
      logger: logSink().logger,
    });
    expect(await source.measure('success-rate', ctx)).toMatchObject({ kind: 'noData' });
  });
});
