// The paths of metrics.smi-spec.io/v1alpha1 (reference/smi-spec.md §2.1) and the few an
// aggregated API server answers besides them. Pure: a path in, a route out.
import { SMI_METRICS_BASE, SMI_METRICS_GROUP } from '../metrics/traffic-metrics-api.js';

/** The resources this server serves; the value is the `resource.kind` it answers with. */
export const SERVED_RESOURCES = {
  deployments: 'Deployment',
  pods: 'Pod',
  namespaces: 'Namespace',
} as const;
export type ServedResource = keyof typeof SERVED_RESOURCES;

export const isServedResource = (name: string): name is ServedResource =>
  Object.hasOwn(SERVED_RESOURCES, name);

/** What a request asks about; `namespace` undefined = all namespaces (or cluster-scoped). */
export interface MetricsTarget {
  readonly resource: ServedResource;
  readonly namespace?: string;
  readonly name?: string;
}

export type Route =
  | { readonly kind: 'health'; readonly check: 'healthz' | 'readyz' | 'livez' }
  | { readonly kind: 'apiGroupList' }
  | { readonly kind: 'apiGroup' }
  | { readonly kind: 'apiResourceList' }
  /** OpenAPI v2; the aggregator requeues a 404 here with error logs, so a minimal spec is served. */
  | { readonly kind: 'openapiV2' }
  /** A collection: TrafficMetricsList of every object of `resource` (in `namespace`). */
  | { readonly kind: 'list'; readonly target: MetricsTarget }
  /** One object: TrafficMetrics of `name`. */
  | { readonly kind: 'get'; readonly target: Required<Pick<MetricsTarget, 'name'>> & MetricsTarget }
  /** The object's peers: TrafficMetricsList with one item per edge. */
  | {
      readonly kind: 'edges';
      readonly target: Required<Pick<MetricsTarget, 'name'>> & MetricsTarget;
    }
  | { readonly kind: 'notFound'; readonly message: string };

const HEALTH = new Set(['healthz', 'readyz', 'livez']);

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  const top = path.replace(/^\//, '').split('/')[0] ?? '';
  if (HEALTH.has(top)) return { kind: 'health', check: top as 'healthz' | 'readyz' | 'livez' };
  if (path === '/apis') return { kind: 'apiGroupList' };
  if (path === '/openapi/v2') return { kind: 'openapiV2' };
  if (path === `/apis/${SMI_METRICS_GROUP}`) return { kind: 'apiGroup' };
  if (path === SMI_METRICS_BASE) return { kind: 'apiResourceList' };
  if (!path.startsWith(`${SMI_METRICS_BASE}/`)) {
    return { kind: 'notFound', message: `the server could not find the requested resource` };
  }
  let parts: string[];
  try {
    parts = path
      .slice(SMI_METRICS_BASE.length + 1)
      .split('/')
      .map((p) => decodeURIComponent(p));
  } catch {
    // A malformed %-escape cannot name any object: the path matches nothing.
    return { kind: 'notFound', message: `malformed path ${pathname}` };
  }
  if (parts.some((p) => p === ''))
    return { kind: 'notFound', message: `malformed path ${pathname}` };
  return objectRoute(parts);
}

function objectRoute(parts: readonly string[]): Route {
  const [first, second, third, ...rest] = parts;
  if (first === undefined) return { kind: 'apiResourceList' };
  if (first !== 'namespaces') return namespaced(first, undefined, parts.slice(1));
  // /namespaces, /namespaces/{name}, /namespaces/{name}/edges (the namespace itself), or
  // /namespaces/{ns}/{resource}[/{name}[/edges]] (a namespaced resource in it).
  if (second === undefined) return { kind: 'list', target: { resource: 'namespaces' } };
  if (third === undefined) return { kind: 'get', target: { resource: 'namespaces', name: second } };
  if (third === 'edges' && rest.length === 0) {
    return { kind: 'edges', target: { resource: 'namespaces', name: second } };
  }
  return namespaced(third, second, rest);
}

function namespaced(resource: string, namespace: string | undefined, rest: string[]): Route {
  if (!isServedResource(resource) || resource === 'namespaces') {
    return { kind: 'notFound', message: `Unsupported resource: ${resource}` };
  }
  const [name, sub, ...more] = rest;
  if (name === undefined) {
    return {
      kind: 'list',
      target: { resource, ...(namespace === undefined ? {} : { namespace }) },
    };
  }
  // A named object needs its namespace: there is no cluster-wide GET of a namespaced object.
  if (namespace === undefined || more.length > 0) {
    return { kind: 'notFound', message: 'the server could not find the requested resource' };
  }
  if (sub === undefined) return { kind: 'get', target: { resource, namespace, name } };
  if (sub === 'edges') return { kind: 'edges', target: { resource, namespace, name } };
  return { kind: 'notFound', message: `Unsupported subresource: ${sub}` };
}
