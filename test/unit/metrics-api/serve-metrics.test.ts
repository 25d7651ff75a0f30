import { describe, expect, it } from '@jest/globals';
import { METRICS_ERROR_REASONS, MetricsError } from '../../../src/metrics/errors.js';
import type { Sample } from '../../../src/metrics/executor.js';
import { TrafficMetricsApiClient } from '../../../src/metrics/traffic-metrics-api.js';
import { MetricsLookup } from '../../../src/metrics-api/lookup.js';
import { parseRoute } from '../../../src/metrics-api/routes.js';
import { serveMetrics, type MetricsRoute } from '../../../src/metrics-api/serve-metrics.js';
import { SERVER_MESH_QUERIES } from '../../../src/metrics-api/server-queries.js';
import { FakeExecutor, FakeKube } from '../metrics/fakes.js';

const B = '/apis/metrics.smi-spec.io/v1alpha1';
const NOW = Date.parse('2024-05-01T10:00:00.250Z');
const endpoint = { address: 'http://prometheus.invalid:9090' };

/** Linkerd-shaped answers: by query kind and whether it selects callers, callees or objects. */
function linkerdPrometheus(): FakeExecutor {
  return new FakeExecutor((query): Sample[] => {
    const latency = /histogram_quantile\(([\d.]+)/.exec(query)?.[1];
    const inbound = query.includes('direction="inbound"');
    const callers = query.includes('dst_deployment="web"');
    if (inbound) {
      const who = { namespace: 'shop', deployment: 'web' };
      const other = { namespace: 'shop', deployment: 'api' };
      if (latency !== undefined) {
        return [
          { labels: who, value: Number(latency) * 100 },
          { labels: other, value: Number.NaN },
        ];
      }
      return [
        { labels: { ...who, classification: 'success' }, value: 700.5 },
        { labels: { ...who, classification: 'failure' }, value: 299.5 },
        { labels: { ...other, classification: 'success' }, value: 0 },
        // A series without the workload label names nothing and is dropped.
        { labels: { namespace: 'shop', deployment: '', classification: 'success' }, value: 5 },
      ];
    }
    const peer = callers
      ? { namespace: 'shop', deployment: 'weightlifter-loadgen' }
      : { dst_namespace: 'shop', dst_deployment: 'db' };
    if (latency !== undefined) return [{ labels: peer, value: 12 }];
    return [
      { labels: { ...peer, classification: 'success' }, value: 40 },
      // Fail-fast 503s of a backend without endpoints carry no dst_deployment.
      { labels: { dst_namespace: 'shop', classification: 'failure' }, value: 3 },
    ];
  });
}

async function serve(
  path: string,
  executor = linkerdPrometheus(),
  mesh = SERVER_MESH_QUERIES.linkerd,
) {
  const route = parseRoute(path) as MetricsRoute;
  const lookup = new MetricsLookup({ executor, endpoint, mesh });
  return serveMetrics(lookup, route, { windowMs: 60_000, selfLink: path, nowMs: NOW });
}

describe('TrafficMetrics answers', () => {
  it('a Deployment: one TrafficMetrics with milli-Quantity values, unit ms, edge from/null', async () => {
    const answer = await serve(`${B}/namespaces/shop/deployments/web`);
    expect(answer).toEqual({
      kind: 'ok',
      body: {
        kind: 'TrafficMetrics',
        apiVersion: 'metrics.smi-spec.io/v1alpha1',
        metadata: {
          name: 'web',
          namespace: 'shop',
          selfLink: `${B}/namespaces/shop/deployments/web`,
          creationTimestamp: '2024-05-01T10:00:00Z',
        },
        timestamp: '2024-05-01T10:00:00Z',
        window: '1m0s',
        resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
        edge: { direction: 'from', side: 'server', resource: null },
        metrics: [
          { name: 'p99_response_latency', unit: 'ms', value: '99' },
          { name: 'p90_response_latency', unit: 'ms', value: '90' },
          { name: 'p50_response_latency', unit: 'ms', value: '50' },
          { name: 'success_count', value: '700500m' },
          { name: 'failure_count', value: '299500m' },
        ],
      },
    });
  });

  it('is read back by the client: success rate 70.05 %, p99 99 ms', async () => {
    const answer = await serve(`${B}/namespaces/shop/deployments/web`);
    const kube = new FakeKube();
    kube.routes.set(`${B}/namespaces/shop/deployments/web`, {
      status: 200,
      body: JSON.stringify(answer.kind === 'ok' ? answer.body : {}),
    });
    const read = await new TrafficMetricsApiClient(kube).get('shop', 'deployments', 'web', '1m');
    expect(read).toEqual({
      kind: 'ok',
      data: {
        window: '1m0s',
        values: {
          p99_response_latency: 99,
          p90_response_latency: 90,
          p50_response_latency: 50,
          success_count: 700.5,
          failure_count: 299.5,
        },
        edge: { direction: 'from', peer: null },
      },
    });
  });

  it('a Deployment without series: 500 "unable to lookup metrics" (no traffic)', async () => {
    const answer = await serve(`${B}/namespaces/shop/deployments/gone`, new FakeExecutor());
    expect(answer).toEqual({ kind: 'status', code: 500, message: 'unable to lookup metrics' });
  });

  it('a failing Prometheus is a 503, never "no traffic"', async () => {
    const failing = new FakeExecutor(() => {
      throw new MetricsError(METRICS_ERROR_REASONS.network, 'prometheus query failed: refused');
    });
    const answer = await serve(`${B}/namespaces/shop/deployments/web`, failing);
    expect(answer).toMatchObject({ kind: 'status', code: 503 });
    if (answer.kind === 'status') expect(answer.message).toContain('refused');
  });

  it('a collection lists every object with series; NaN latency is the sentinel', async () => {
    const answer = await serve(`${B}/namespaces/shop/deployments`);
    expect(answer.kind).toBe('ok');
    const body = (
      answer as {
        body: {
          kind: string;
          resource: object;
          items: {
            metadata: { selfLink: string };
            resource: object;
            metrics: { name: string; value: string }[];
          }[];
        };
      }
    ).body;
    expect(body.kind).toBe('TrafficMetricsList');
    expect(body.resource).toEqual({ kind: 'Deployment', namespace: 'shop' });
    expect(body.items.map((i) => i.resource)).toEqual([
      { kind: 'Deployment', namespace: 'shop', name: 'api' },
      { kind: 'Deployment', namespace: 'shop', name: 'web' },
    ]);
    expect(body.items[0]?.metadata.selfLink).toBe(`${B}/namespaces/shop/deployments/api`);
    expect(body.items[0]?.metrics).toEqual([
      { name: 'p99_response_latency', unit: 'ms', value: '-9223372036854775808m' },
      { name: 'p90_response_latency', unit: 'ms', value: '-9223372036854775808m' },
      { name: 'p50_response_latency', unit: 'ms', value: '-9223372036854775808m' },
      { name: 'success_count', value: '0' },
      { name: 'failure_count', value: '0' },
    ]);
  });

  it('edges: one item per peer, callers "from", callees "to", measured client side', async () => {
    const answer = await serve(`${B}/namespaces/shop/deployments/web/edges`);
    expect(answer.kind).toBe('ok');
    const body = (
      answer as {
        body: {
          kind: string;
          resource: object;
          items: { resource: object; edge: object; metrics: { name: string; value: string }[] }[];
        };
      }
    ).body;
    expect(body.kind).toBe('TrafficMetricsList');
    expect(body.resource).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'web' });
    expect(body.items.map((i) => [i.resource, i.edge])).toEqual([
      [
        { kind: 'Deployment', namespace: 'shop', name: 'web' },
        {
          direction: 'from',
          side: 'client',
          resource: { kind: 'Deployment', namespace: 'shop', name: 'weightlifter-loadgen' },
        },
      ],
      [
        { kind: 'Deployment', namespace: 'shop', name: 'web' },
        {
          direction: 'to',
          side: 'client',
          resource: { kind: 'Deployment', namespace: 'shop', name: 'db' },
        },
      ],
    ]);
    expect(body.items[0]?.metrics.find((m) => m.name === 'success_count')?.value).toBe('40');
  });

  it('edges a mesh cannot tell are a 404 naming the mesh', async () => {
    const answer = await serve(
      `${B}/namespaces/shop/pods/web-1/edges`,
      new FakeExecutor(),
      SERVER_MESH_QUERIES.istio,
    );
    expect(answer).toEqual({
      kind: 'status',
      code: 404,
      message: 'edges of pods are not available for mesh istio',
    });
  });

  it('Istio counts 5xx as failures and sums the other codes as successes', async () => {
    const executor = new FakeExecutor((query) => {
      const who = { destination_workload_namespace: 'shop', destination_workload: 'web' };
      if (query.startsWith('histogram_quantile')) return [{ labels: who, value: 7 }];
      return [
        { labels: { ...who, response_code: '200' }, value: 80 },
        { labels: { ...who, response_code: '404' }, value: 5 },
        { labels: { ...who, response_code: '503' }, value: 15 },
      ];
    });
    const answer = await serve(
      `${B}/namespaces/shop/deployments/web`,
      executor,
      SERVER_MESH_QUERIES.istio,
    );
    const metrics = (answer as { body: { metrics: { name: string; value: string }[] } }).body
      .metrics;
    expect(metrics.slice(3)).toEqual([
      { name: 'success_count', value: '85' },
      { name: 'failure_count', value: '15' },
    ]);
  });

  it('a namespace is cluster-scoped: no namespace in its reference or metadata', async () => {
    const executor = new FakeExecutor((query) =>
      query.startsWith('sum')
        ? [{ labels: { namespace: 'shop', classification: 'success' }, value: 1 }]
        : [],
    );
    const answer = await serve(`${B}/namespaces/shop`, executor);
    expect(answer).toMatchObject({
      kind: 'ok',
      body: { metadata: { name: 'shop' }, resource: { kind: 'Namespace', name: 'shop' } },
    });
    const body = (answer as { body: { metadata: object; resource: object } }).body;
    expect(body.metadata).not.toHaveProperty('namespace');
    expect(body.resource).not.toHaveProperty('namespace');
  });
});
