// The shipped ClusterAnalysisTemplates (analysis-templates/*.yaml): one success-rate and one p99
// latency template per mesh, rendering cleanly, using the mesh's real metric names, and — where
// they declare it — batchable. test/integration/metrics-templates.test.ts applies them to the
// real API server.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { ClusterAnalysisTemplate } from '../../../src/api/analysis-template.js';
import { renderQuery } from '../../../src/metrics/query-template.js';
import { BATCH_ANNOTATION } from '../../../src/metrics/prometheus-source.js';
import { batchProblem } from '../../../src/metrics/promql.js';
import { loadCrd, rootSchema } from '../api/crd-schema.js';

const dir = fileURLToPath(new URL('../../../analysis-templates/', import.meta.url));

function templates(): ClusterAnalysisTemplate[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(dir + f, 'utf8')).map(
        (d) => d.toJS() as ClusterAnalysisTemplate,
      ),
    );
}

/** Metric names per mesh: reference/smi-spec.md §6, reference/flagger.md §5.1. */
const MESH_METRICS: Record<string, [string, string]> = {
  linkerd: ['response_total{', 'response_latency_ms_bucket{'],
  osm: ['osm_request_total{', 'osm_request_duration_ms_bucket{'],
  istio: ['istio_requests_total{', 'istio_request_duration_milliseconds_bucket{'],
  consul: ['envoy_cluster_upstream_rq_xx{', 'envoy_cluster_upstream_rq_time_bucket{'],
  'traefik-mesh': [
    'traefik_service_requests_total{',
    'traefik_service_request_duration_seconds_bucket{',
  ],
};

describe('shipped analysis templates', () => {
  const all = templates();

  it('has a success-rate and a p99 latency ClusterAnalysisTemplate for each mesh', () => {
    const expected = Object.keys(MESH_METRICS).flatMap((m) => [
      `${m}-request-success-rate`,
      `${m}-request-latency-p99`,
    ]);
    expect(all.map((t) => t.metadata.name).sort()).toEqual(expected.sort());
    for (const t of all) {
      expect(t.apiVersion).toBe('weightlifter.io/v1alpha1');
      expect(t.kind).toBe('ClusterAnalysisTemplate');
    }
  });

  it.each(Object.entries(MESH_METRICS))(
    '%s uses the mesh’s metric names',
    (mesh, [counter, histogram]) => {
      const rate = all.find((t) => t.metadata.name === `${mesh}-request-success-rate`);
      const p99 = all.find((t) => t.metadata.name === `${mesh}-request-latency-p99`);
      expect(rate?.spec.query).toContain(counter);
      expect(p99?.spec.query).toContain(histogram);
      expect(p99?.spec.query).toMatch(/^histogram_quantile\(0\.99,/);
    },
  );

  it('only uses spec fields the CRD defines', () => {
    const spec = rootSchema(loadCrd('clusteranalysistemplate.yaml')).properties?.spec;
    const allowed = Object.keys(spec?.properties ?? {});
    for (const t of all) for (const key of Object.keys(t.spec)) expect(allowed).toContain(key);
  });

  it.each(templates().map((t) => [t.metadata.name ?? '', t] as const))(
    '%s renders strictly',
    (_name, t) => {
      const rendered = renderQuery(t.spec.query, {
        namespace: 'shop',
        target: 'web',
        interval: '1m',
        variables: t.spec.variables ?? {},
      });
      expect(rendered.ok).toBe(true);
      if (!rendered.ok) return;
      expect(rendered.query).toContain('web');
      expect(rendered.query).not.toContain('{{');
      expect(rendered.query).toContain('[1m]');
    },
  );

  it.each(templates().map((t) => [t.metadata.name ?? '', t] as const))(
    '%s is batchable when it says so',
    (_name, t) => {
      const label = t.metadata.annotations?.[BATCH_ANNOTATION];
      if (label === undefined) {
        expect(t.metadata.name).toMatch(/^traefik-mesh-/);
        return;
      }
      expect(batchProblem(t.spec.query, label)).toBeUndefined();
    },
  );
});
