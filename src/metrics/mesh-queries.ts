// Per-mesh PromQL for the computed `trafficMetrics` (the same figures the SMI metrics API would
// serve). Every query is written in batchable form: the target is a regex matcher and the answer
// is grouped by the labels that name the workload and its namespace, so several canaries, of one
// namespace or of several, share one query (see batcher.ts). Label and metric names:
// reference/smi-spec.md §6 and Flagger's builtin observers (reference/flagger.md §5.1).
import type { Sample } from './executor.js';
import { escapeString, targetRegex } from './promql.js';

export const MESHES = ['linkerd', 'istio', 'osm'] as const;
export type MeshName = (typeof MESHES)[number];

export interface MeshQueries {
  readonly mesh: MeshName;
  /** The label naming the workload (Deployment) in every answer. */
  readonly groupLabel: string;
  /** The label naming the workload's namespace in every answer. */
  readonly namespaceLabel: string;
  /**
   * Request counts over the window, one series per (namespace, workload, outcome class), for the
   * workloads matching `targets` (a regex body, see targetRegex) in any of `namespaces`.
   */
  counts(namespaces: readonly string[], targets: string, window: string): string;
  /** success / failure for one series of `counts`. */
  classify(sample: Sample): 'success' | 'failure';
  /** The q-quantile of response latency in milliseconds, one series per (namespace, workload). */
  latency(quantile: number, namespaces: readonly string[], targets: string, window: string): string;
}

/** `label="ns"` for one namespace, `label=~"(?:a|b)"` for several. */
function inNamespaces(label: string, namespaces: readonly string[]): string {
  const [only] = namespaces;
  return namespaces.length === 1 && only !== undefined
    ? `${label}="${escapeString(only)}"`
    : `${label}=~"${targetRegex(namespaces)}"`;
}

const is5xx = (code: string | undefined): boolean => code?.startsWith('5') ?? false;

/** Inbound series of the destination pods' proxies; `classification` is success or failure. */
const linkerd: MeshQueries = {
  mesh: 'linkerd',
  groupLabel: 'deployment',
  namespaceLabel: 'namespace',
  counts: (ns, t, w) =>
    `sum by (namespace, deployment, classification) (increase(response_total{${inNamespaces('namespace', ns)}, deployment=~"${t}", direction="inbound"}[${w}]))`,
  classify: (s) => (s.labels.classification === 'failure' ? 'failure' : 'success'),
  latency: (q, ns, t, w) =>
    `histogram_quantile(${q}, sum by (namespace, deployment, le) (rate(response_latency_ms_bucket{${inNamespaces('namespace', ns)}, deployment=~"${t}", direction="inbound"}[${w}])))`,
};

/** Telemetry v2, reported by the destination; 5xx are failures (as in Flagger). */
const istio: MeshQueries = {
  mesh: 'istio',
  groupLabel: 'destination_workload',
  namespaceLabel: 'destination_workload_namespace',
  counts: (ns, t, w) =>
    `sum by (destination_workload_namespace, destination_workload, response_code) (increase(istio_requests_total{reporter="destination", ${inNamespaces('destination_workload_namespace', ns)}, destination_workload=~"${t}"}[${w}]))`,
  classify: (s) => (is5xx(s.labels.response_code) ? 'failure' : 'success'),
  latency: (q, ns, t, w) =>
    `histogram_quantile(${q}, sum by (destination_workload_namespace, destination_workload, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", ${inNamespaces('destination_workload_namespace', ns)}, destination_workload=~"${t}"}[${w}])))`,
};

/** OSM's WASM stats (recorded by the client side, labelled with the destination). */
const osm: MeshQueries = {
  mesh: 'osm',
  groupLabel: 'destination_name',
  namespaceLabel: 'destination_namespace',
  counts: (ns, t, w) =>
    `sum by (destination_namespace, destination_name, response_code) (increase(osm_request_total{${inNamespaces('destination_namespace', ns)}, destination_kind="Deployment", destination_name=~"${t}"}[${w}]))`,
  classify: (s) => (is5xx(s.labels.response_code) ? 'failure' : 'success'),
  latency: (q, ns, t, w) =>
    `histogram_quantile(${q}, sum by (destination_namespace, destination_name, le) (rate(osm_request_duration_ms_bucket{${inNamespaces('destination_namespace', ns)}, destination_kind="Deployment", destination_name=~"${t}"}[${w}])))`,
};

export const MESH_QUERIES: Readonly<Record<MeshName, MeshQueries>> = { linkerd, istio, osm };

export function isMeshName(value: string): value is MeshName {
  return (MESHES as readonly string[]).includes(value);
}
