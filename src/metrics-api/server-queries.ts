// Per-mesh label maps for the server. The client's computed source (src/metrics/mesh-queries.ts)
// only ever asks about Deployments of one namespace; the server also answers pods, namespaces,
// every namespace at once and edges, so it describes each mesh by which labels name the two ends
// of a request, and builds the PromQL from that (query-builder.ts). Metric names, the outcome
// label and its classification are the client's, so both paths agree on what a failure is.
// Labels: reference/smi-spec.md §6.
import { MESH_QUERIES, type MeshName } from '../metrics/mesh-queries.js';
import type { Sample } from '../metrics/executor.js';
import type { Side } from './objects.js';
import type { ServedResource } from './routes.js';

/** How one end of a request (its destination or its source) is labelled. */
export interface Party {
  readonly namespaceLabel: string;
  /** Equal to namespaceLabel for namespaces. */
  readonly nameLabel: string;
  /** Fixed matchers that make nameLabel a workload of the resource's kind. */
  readonly matchers?: readonly string[];
  /** Label holding a peer's kind; absent: the peer has the resource's kind. */
  readonly kindLabel?: string;
}

/** Series that say how a workload serves (resource-level objects). */
export interface ResourceSeries {
  readonly matchers: readonly string[];
  readonly side: Side;
  readonly target: Party;
}

/** Series that name both ends (edges); each is queried once per direction. */
export interface EdgeSeries {
  readonly matchers: readonly string[];
  readonly side: Side;
  readonly source: Party;
  readonly destination: Party;
}

export interface ServerMeshQueries {
  readonly mesh: MeshName;
  readonly requestsMetric: string;
  readonly latencyBucketMetric: string;
  /** The label `classify` reads (grouped by in count queries). */
  readonly outcomeLabel: string;
  classify(sample: Sample): 'success' | 'failure';
  resource(resource: ServedResource): ResourceSeries;
  /** Undefined when the mesh's series cannot tell this resource's peers. */
  edges(resource: ServedResource): EdgeSeries | undefined;
}

const party = (namespaceLabel: string, nameLabel: string, extra: Partial<Party> = {}): Party => ({
  namespaceLabel,
  nameLabel,
  ...extra,
});

/**
 * Inbound series on the destination pod for resources; outbound series of the calling pod (the
 * only ones with dst_* labels) for edges, so edge figures are measured on the client side.
 */
const linkerd: ServerMeshQueries = {
  mesh: 'linkerd',
  requestsMetric: 'response_total',
  latencyBucketMetric: 'response_latency_ms_bucket',
  outcomeLabel: 'classification',
  classify: (sample) => MESH_QUERIES.linkerd.classify(sample),
  resource: (r) => ({
    matchers: ['direction="inbound"'],
    side: 'server',
    target: linkerdParty(r, ''),
  }),
  edges: (r) => ({
    matchers: ['direction="outbound"'],
    side: 'client',
    source: linkerdParty(r, ''),
    destination: linkerdParty(r, 'dst_'),
  }),
};

function linkerdParty(r: ServedResource, prefix: '' | 'dst_'): Party {
  const ns = `${prefix}namespace`;
  if (r === 'namespaces') return party(ns, ns);
  return party(ns, `${prefix}${r === 'pods' ? 'pod' : 'deployment'}`);
}

/**
 * Telemetry v2 as reported by the destination's proxy. Pods are the scraped pod (`pod` and
 * `namespace` from Prometheus's pod discovery), which for reporter="destination" is the callee;
 * no label names the calling pod, so pods have no edges.
 */
const istio: ServerMeshQueries = {
  mesh: 'istio',
  requestsMetric: 'istio_requests_total',
  latencyBucketMetric: 'istio_request_duration_milliseconds_bucket',
  outcomeLabel: 'response_code',
  classify: (sample) => MESH_QUERIES.istio.classify(sample),
  resource: (r) => ({
    matchers: ['reporter="destination"'],
    side: 'server',
    target: r === 'pods' ? party('namespace', 'pod') : istioParty(r, 'destination'),
  }),
  edges: (r) =>
    r === 'pods'
      ? undefined
      : {
          matchers: ['reporter="destination"'],
          side: 'server',
          source: istioParty(r, 'source'),
          destination: istioParty(r, 'destination'),
        },
};

function istioParty(r: ServedResource, end: 'source' | 'destination'): Party {
  const ns = `${end}_workload_namespace`;
  return r === 'namespaces' ? party(ns, ns) : party(ns, `${end}_workload`);
}

/** OSM's WASM stats: recorded by the client's proxy, both ends labelled, kinds included. */
const osm: ServerMeshQueries = {
  mesh: 'osm',
  requestsMetric: 'osm_request_total',
  latencyBucketMetric: 'osm_request_duration_ms_bucket',
  outcomeLabel: 'response_code',
  classify: (sample) => MESH_QUERIES.osm.classify(sample),
  resource: (r) => ({ matchers: [], side: 'client', target: osmParty(r, 'destination') }),
  edges: (r) => ({
    matchers: [],
    side: 'client',
    source: osmParty(r, 'source'),
    destination: osmParty(r, 'destination'),
  }),
};

function osmParty(r: ServedResource, end: 'source' | 'destination'): Party {
  const ns = `${end}_namespace`;
  if (r === 'namespaces') return party(ns, ns);
  if (r === 'pods') return party(ns, `${end}_pod`);
  return party(ns, `${end}_name`, {
    matchers: [`${end}_kind="Deployment"`],
    kindLabel: `${end}_kind`,
  });
}

export const SERVER_MESH_QUERIES: Readonly<Record<MeshName, ServerMeshQueries>> = {
  linkerd,
  istio,
  osm,
};
