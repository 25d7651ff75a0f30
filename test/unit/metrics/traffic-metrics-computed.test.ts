// The computed trafficMetrics: which PromQL each mesh gets, and how counts and quantiles become
// the metric values (against an in-memory executor).
import { describe, expect, it } from '@jest/globals';
import { QueryBatcher } from '../../../src/metrics/batcher.js';
import { MESH_QUERIES, type MeshName } from '../../../src/metrics/mesh-queries.js';
import { ComputedTrafficMetrics } from '../../../src/metrics/traffic-metrics-computed.js';
import type { Sample } from '../../../src/metrics/executor.js';
import { FakeExecutor, targetsIn } from './fakes.js';

const ctx = { namespace: 'shop', target: 'web', window: '1m', since: 0, until: 60_000 };

function computed(
  mesh: MeshName,
  answer: (query: string) => readonly Sample[],
): {
  source: ComputedTrafficMetrics;
  executor: FakeExecutor;
} {
  const executor = new FakeExecutor(answer);
  const batcher = new QueryBatcher(executor, { coalesceMs: 0, newTargetCoalesceMs: 0 });
  const source = new ComputedTrafficMetrics({
    mesh: MESH_QUERIES[mesh],
    endpoint: { address: 'http://prometheus:9090' },
    batcher,
  });
  return { source, executor };
}

/** Linkerd-shaped answers: 700 successes and 300 failures in the window, p99 = 480 ms. */
function linkerdAnswer(query: string): readonly Sample[] {
  if (query.startsWith('histogram_quantile(0.99')) {
    return targetsIn(query).map((t) => ({
      labels: { namespace: 'shop', deployment: t },
      value: 480,
    }));
  }
  if (query.startsWith('histogram_quantile')) return [];
  return targetsIn(query).flatMap((t) => [
    { labels: { namespace: 'shop', deployment: t, classification: 'success' }, value: 700 },
    { labels: { namespace: 'shop', deployment: t, classification: 'failure' }, value: 300 },
  ]);
}

describe('computed trafficMetrics', () => {
  it('writes Linkerd queries in batchable form over inbound series', async () => {
    const { source, executor } = computed('linkerd', linkerdAnswer);
    await source.measure('p99_response_latency', ctx);
    expect(executor.queries.map((q) => q.query).sort()).toEqual([
      'histogram_quantile(0.99, sum by (namespace, deployment, le) (rate(response_latency_ms_bucket{namespace="shop", deployment=~"(?:web)", direction="inbound"}[60s])))',
      'sum by (namespace, deployment, classification) (increase(response_total{namespace="shop", deployment=~"(?:web)", direction="inbound"}[60s]))',
    ]);
  });

  it.each<[string, number, number]>([
    ['success-rate', 70, 1000],
    ['request-rate', 1000 / 60, 1000],
    ['success_count', 700, 1000],
    ['failure_count', 300, 1000],
    ['p99_response_latency', 480, 1000],
  ])('derives %s', async (metric, value, requests) => {
    const { source } = computed('linkerd', linkerdAnswer);
    const result = await source.measure(metric as 'success-rate', ctx);
    expect(result.kind).toBe('value');
    if (result.kind !== 'value') return;
    expect(result.value).toBeCloseTo(value, 9);
    expect(result.requests).toBe(requests);
  });

  it('reports no data without traffic, and NaN quantiles as no data', async () => {
    const empty = computed('linkerd', () => []);
    expect(await empty.source.measure('success-rate', ctx)).toMatchObject({ kind: 'noData' });
    const zero = computed('linkerd', (q) =>
      q.startsWith('histogram_quantile')
        ? [{ labels: { namespace: 'shop', deployment: 'web' }, value: Number.NaN }]
        : [
            {
              labels: { namespace: 'shop', deployment: 'web', classification: 'success' },
              value: 0,
            },
          ],
    );
    expect(await zero.source.measure('success-rate', ctx)).toEqual({
      kind: 'noData',
      reason: 'no requests in the window',
      requests: 0,
    });
    expect(await zero.source.measure('p50_response_latency', ctx)).toMatchObject({
      kind: 'noData',
      requests: 0,
    });
  });

  it('classifies 5xx as failures for Istio and OSM', async () => {
    for (const mesh of ['istio', 'osm'] as const) {
      const { groupLabel: label, namespaceLabel } = MESH_QUERIES[mesh];
      const at = { [namespaceLabel]: 'shop' };
      const { source, executor } = computed(mesh, (q) =>
        targetsIn(q).flatMap((t) => [
          { labels: { ...at, [label]: t, response_code: '200' }, value: 90 },
          { labels: { ...at, [label]: t, response_code: '404' }, value: 5 },
          { labels: { ...at, [label]: t, response_code: '503' }, value: 5 },
        ]),
      );
      expect(await source.measure('success-rate', ctx)).toEqual({
        kind: 'value',
        value: 95,
        requests: 100,
      });
      expect(executor.queries[0]?.query).toContain(
        `by (${namespaceLabel}, ${label}, response_code)`,
      );
    }
  });

  it('turns a bad window into an error result and a failed query into an error result', async () => {
    const { source } = computed('linkerd', linkerdAnswer);
    const bad = await source.measure('success-rate', { ...ctx, window: 'soon' });
    expect(bad.kind === 'error' && bad.error.message).toContain('invalid duration');
    const failing = computed('linkerd', () => {
      throw new Error('down');
    });
    expect(await failing.source.measure('success-rate', ctx)).toMatchObject({ kind: 'error' });
  });

  it('selects one namespace with an equality matcher and several with a regex', () => {
    const linkerd = MESH_QUERIES.linkerd;
    expect(linkerd.counts(['shop'], '(?:web)', '1m')).toContain(
      '{namespace="shop", deployment=~"(?:web)"',
    );
    expect(linkerd.latency(0.99, ['pay', 'sh"op'], '(?:web)', '1m')).toContain(
      '{namespace=~"(?:pay|sh\\"op)", deployment=~"(?:web)"',
    );
  });

  it('lets the checks of canaries in several namespaces share two queries, each with its own series', async () => {
    // Two namespaces with a Deployment `web` each: shop's fails 30 %, pay's 10 %.
    const failures: Record<string, number> = { shop: 300, pay: 100 };
    const { source, executor } = computed('linkerd', (q) => {
      if (q.startsWith('histogram_quantile')) return [];
      return Object.entries(failures).flatMap(([namespace, failed]) => [
        {
          labels: { namespace, deployment: 'web', classification: 'success' },
          value: 1000 - failed,
        },
        { labels: { namespace, deployment: 'web', classification: 'failure' }, value: failed },
      ]);
    });
    const [shop, pay] = await Promise.all([
      source.measure('success-rate', { ...ctx, namespace: 'shop' }),
      source.measure('success-rate', { ...ctx, namespace: 'pay' }),
      source.measure('p99_response_latency', { ...ctx, namespace: 'shop' }),
      source.measure('p99_response_latency', { ...ctx, namespace: 'pay' }),
    ]);
    expect(executor.queries).toHaveLength(2);
    expect(executor.queries[0]?.query).toContain('namespace=~"(?:pay|shop)"');
    expect(shop).toEqual({ kind: 'value', value: 70, requests: 1000 });
    expect(pay).toEqual({ kind: 'value', value: 90, requests: 1000 });
  });

  it('lets the checks of many canaries share the two queries of their namespace', async () => {
    const { source, executor } = computed('linkerd', linkerdAnswer);
    const targets = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(
      targets.flatMap((target) => [
        source.measure('success-rate', { ...ctx, target }),
        source.measure('p99_response_latency', { ...ctx, target }),
      ]),
    );
    expect(executor.queries).toHaveLength(2);
    expect(results.every((r) => r.kind === 'value')).toBe(true);
  });
});
