// The TrafficMetrics answers (reference/smi-spec.md §2.1): a named object is one TrafficMetrics of
// all its inbound traffic (edge {direction: from, resource: null}); a collection is a
// TrafficMetricsList of every object with traffic; /edges is one item per peer. A named object
// without series in the window is smi-metrics' 500 "unable to lookup metrics".
import { SMI_METRICS_BASE, type ObjectReference } from '../metrics/traffic-metrics-api.js';
import { formatGoDuration } from './go-duration.js';
import type { MetricsLookup } from './lookup.js';
import { rfc3339, trafficMetrics, trafficMetricsList, type StatusCode } from './objects.js';
import { SERVED_RESOURCES, type Route } from './routes.js';

export type MetricsRoute = Extract<Route, { kind: 'list' | 'get' | 'edges' }>;

export const NO_METRICS_MESSAGE = 'unable to lookup metrics';

export type MetricsAnswer =
  | { readonly kind: 'ok'; readonly body: object }
  | {
      readonly kind: 'status';
      readonly code: StatusCode;
      readonly message: string;
      readonly error?: unknown;
    };

export interface ServeContext {
  readonly windowMs: number;
  readonly selfLink: string;
  readonly nowMs: number;
}

export async function serveMetrics(
  lookup: MetricsLookup,
  route: MetricsRoute,
  ctx: ServeContext,
): Promise<MetricsAnswer> {
  try {
    return await answer(lookup, route, ctx);
  } catch (error) {
    // Prometheus unreachable or answering errors: a failure, never "no traffic".
    const message = error instanceof Error ? error.message : 'metrics lookup failed';
    return { kind: 'status', code: 503, message: `metrics lookup failed: ${message}`, error };
  }
}

async function answer(
  lookup: MetricsLookup,
  route: MetricsRoute,
  ctx: ServeContext,
): Promise<MetricsAnswer> {
  const { target } = route;
  const timestamp = rfc3339(ctx.nowMs);
  const window = formatGoDuration(ctx.windowMs);
  const kind = SERVED_RESOURCES[target.resource];
  const common = { timestamp, window };
  const resourceSide = lookup.mesh.resource(target.resource).side;
  if (route.kind === 'edges') {
    const self = {
      kind,
      ...(route.target.namespace === undefined ? {} : { namespace: route.target.namespace }),
      name: route.target.name,
    };
    const edges = await lookup.edges(route.target, ctx.windowMs);
    if (edges === undefined) {
      return {
        kind: 'status',
        code: 404,
        message: `edges of ${target.resource} are not available for mesh ${lookup.mesh.mesh}`,
      };
    }
    const items = edges.map((e) =>
      trafficMetrics({
        ...common,
        resource: self,
        selfLink: ctx.selfLink,
        edge: { direction: e.direction, side: e.side, resource: e.ref },
        values: e.values,
      }),
    );
    return { kind: 'ok', body: trafficMetricsList(ctx.selfLink, self, items) };
  }
  const found = await lookup.resources(target, ctx.windowMs);
  const item = (f: (typeof found)[number], selfLink: string) =>
    trafficMetrics({
      ...common,
      resource: f.ref,
      selfLink,
      edge: { direction: 'from', side: resourceSide, resource: null },
      values: f.values,
    });
  if (route.kind === 'get') {
    const only = found.find(
      (f) => f.ref.name === target.name && f.ref.namespace === target.namespace,
    );
    if (only === undefined) return { kind: 'status', code: 500, message: NO_METRICS_MESSAGE };
    return { kind: 'ok', body: item(only, ctx.selfLink) };
  }
  const listRef: ObjectReference = {
    kind,
    ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
  };
  const items = found.map((f) => item(f, objectLink(f.ref, target.resource)));
  return { kind: 'ok', body: trafficMetricsList(ctx.selfLink, listRef, items) };
}

function objectLink(ref: ObjectReference & { name: string }, resource: string): string {
  const base = SMI_METRICS_BASE;
  const name = encodeURIComponent(ref.name);
  if (ref.namespace === undefined) return `${base}/${resource}/${name}`;
  return `${base}/namespaces/${encodeURIComponent(ref.namespace)}/${resource}/${name}`;
}
