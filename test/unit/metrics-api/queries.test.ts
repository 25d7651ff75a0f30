import { describe, expect, it } from '@jest/globals';
import { MESH_QUERIES, MESHES } from '../../../src/metrics/mesh-queries.js';
import { FakeExecutor } from '../metrics/fakes.js';
import { MetricsLookup } from '../../../src/metrics-api/lookup.js';
import { SERVER_MESH_QUERIES } from '../../../src/metrics-api/server-queries.js';

const endpoint = { address: 'http://prometheus.invalid:9090' };

async function queriesFor(
  mesh: (typeof MESHES)[number],
  ask: (lookup: MetricsLookup) => Promise<unknown>,
): Promise<string[]> {
  const executor = new FakeExecutor();
  await ask(new MetricsLookup({ executor, endpoint, mesh: SERVER_MESH_QUERIES[mesh] }));
  return executor.queries.map((q) => q.query);
}

/** `label op "value"` matchers of a query, with a regex on a plain name read as equality. */
function matchers(query: string): string[] {
  return [...query.matchAll(/(\w+)\s*(=~|!=|=)\s*"([^"]*)"/g)].map(([, l, op, v]) =>
    op === '=~' && /^[\w-]+$/.test(v ?? '') ? `${l}="${v}"` : `${l}${op}"${v}"`,
  );
}

describe('server queries', () => {
  it('Linkerd: one count query by outcome and one latency query per quantile', async () => {
    const queries = await queriesFor('linkerd', (l) =>
      l.resources({ resource: 'deployments', namespace: 'shop', name: 'web' }, 30_000),
    );
    expect(queries).toEqual([
      'sum by (namespace, deployment, classification) (increase(response_total{direction="inbound", namespace="shop", deployment="web"}[30s]))',
      'histogram_quantile(0.5, sum by (namespace, deployment, le) (rate(response_latency_ms_bucket{direction="inbound", namespace="shop", deployment="web"}[30s])))',
      'histogram_quantile(0.9, sum by (namespace, deployment, le) (rate(response_latency_ms_bucket{direction="inbound", namespace="shop", deployment="web"}[30s])))',
      'histogram_quantile(0.99, sum by (namespace, deployment, le) (rate(response_latency_ms_bucket{direction="inbound", namespace="shop", deployment="web"}[30s])))',
    ]);
  });

  it.each(MESHES)(
    '%s: a Deployment is selected by the same series as the client computed source',
    async (mesh) => {
      const [ours = ''] = await queriesFor(mesh, (l) =>
        l.resources({ resource: 'deployments', namespace: 'shop', name: 'web' }, 60_000),
      );
      const client = MESH_QUERIES[mesh].counts(['shop'], 'web', '1m');
      const metric = (q: string) => /increase\((\w+)\{/.exec(q)?.[1];
      expect(metric(ours)).toBe(metric(client));
      expect(matchers(ours)).toEqual(expect.arrayContaining(matchers(client)));
      expect(ours).toContain('[60s]');
    },
  );

  it('lists select every named object and escape what they embed', async () => {
    const [all = '', inNs = ''] = [
      ...(await queriesFor('linkerd', (l) => l.resources({ resource: 'pods' }, 10_000))),
      ...(await queriesFor('linkerd', (l) =>
        l.resources({ resource: 'namespaces', name: 'a"b' }, 10_000),
      )),
    ].filter((q) => q.startsWith('sum'));
    expect(all).toContain('{direction="inbound", pod!=""}');
    expect(inNs).toContain('{direction="inbound", namespace="a\\"b"}');
  });

  it('Linkerd edges: callers by destination labels, callees by source labels (outbound)', async () => {
    const queries = await queriesFor('linkerd', (l) =>
      l.edges({ resource: 'deployments', namespace: 'shop', name: 'web' }, 30_000),
    );
    const counts = queries.filter((q) => q.startsWith('sum'));
    expect(counts).toEqual([
      'sum by (namespace, deployment, classification) (increase(response_total{direction="outbound", dst_namespace="shop", dst_deployment="web"}[30s]))',
      'sum by (dst_namespace, dst_deployment, classification) (increase(response_total{direction="outbound", namespace="shop", deployment="web"}[30s]))',
    ]);
  });

  it('OSM names the peer kind; Istio cannot tell the peers of a pod', async () => {
    const osm = await queriesFor('osm', (l) =>
      l.edges({ resource: 'deployments', namespace: 'shop', name: 'web' }, 30_000),
    );
    expect(osm[0]).toContain('sum by (source_namespace, source_name, source_kind, response_code)');
    expect(osm[0]).toContain('destination_kind="Deployment"');
    const lookup = new MetricsLookup({
      executor: new FakeExecutor(),
      endpoint,
      mesh: SERVER_MESH_QUERIES.istio,
    });
    expect(await lookup.edges({ resource: 'pods', namespace: 'shop', name: 'p' }, 1000)).toBe(
      undefined,
    );
  });
});
