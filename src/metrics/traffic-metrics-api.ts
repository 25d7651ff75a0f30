// Client of the SMI TrafficMetrics aggregated API (metrics.smi-spec.io/v1alpha1), reached through
// the Kubernetes API. Paths, shapes and quirks: reference/smi-spec.md §2 — one object per
// workload, `?t=<window>`, values as milli-Quantities, HTTP 500 "unable to lookup metrics" when
// there was no traffic, and a 404 when no APIService serves the group. Every answer is a value.
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';
import type { KubeGetResponse, KubeGetTransport } from './kube-transport.js';
import { parseQuantity } from './quantity.js';
import {
  SMI_METRIC_NAMES,
  type SmiMetricName,
  type TrafficValues,
} from './traffic-metrics-values.js';

export const SMI_METRICS_GROUP = 'metrics.smi-spec.io';
export const SMI_METRICS_VERSION = 'v1alpha1';
export const SMI_METRICS_BASE = `/apis/${SMI_METRICS_GROUP}/${SMI_METRICS_VERSION}`;

export type WorkloadResource = 'deployments' | 'pods' | 'daemonsets' | 'statefulsets';

export interface ObjectReference {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The wire object (smi-sdk-go pkg/apis/metrics/v1alpha1). */
export interface TrafficMetricsObject {
  readonly kind: 'TrafficMetrics';
  readonly apiVersion: string;
  readonly timestamp?: string;
  readonly window?: string;
  readonly resource?: ObjectReference;
  readonly edge?: {
    readonly direction?: 'to' | 'from';
    readonly resource?: ObjectReference | null;
  };
  readonly metrics?: readonly {
    readonly name: string;
    readonly unit?: string;
    readonly value: string;
  }[];
}

export interface TrafficReading {
  /** The window the server used (its `window`, else the one asked for). */
  readonly window: string;
  readonly values: TrafficValues;
  readonly edge?: { readonly direction: 'to' | 'from'; readonly peer: ObjectReference | null };
}

export type ApiAnswer<T> =
  | { readonly kind: 'ok'; readonly data: T }
  | { readonly kind: 'noData'; readonly reason: string }
  /** No APIService serves the group (or it does not serve this resource). */
  | { readonly kind: 'notServed'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: MetricsError };

export class TrafficMetricsApiClient {
  readonly #transport: KubeGetTransport;

  constructor(transport: KubeGetTransport) {
    this.#transport = transport;
  }

  /** Whether the group-version is served, and which resources (GET of the APIResourceList). */
  async discover(): Promise<ApiAnswer<readonly string[]>> {
    return this.#call(SMI_METRICS_BASE, {}, (body) => {
      const list = body as { resources?: { name?: unknown }[] };
      return (list.resources ?? []).map((r) => String(r.name));
    });
  }

  /** TrafficMetrics of one workload over `window` (a Go duration). */
  get(
    namespace: string,
    resource: WorkloadResource,
    name: string,
    window: string,
  ): Promise<ApiAnswer<TrafficReading>> {
    const path = `${SMI_METRICS_BASE}/namespaces/${enc(namespace)}/${resource}/${enc(name)}`;
    return this.#call(path, { t: window }, (body) => reading(body as TrafficMetricsObject, window));
  }

  /** One TrafficMetrics per peer of the workload (`/edges`). */
  edges(
    namespace: string,
    resource: WorkloadResource,
    name: string,
    window: string,
  ): Promise<ApiAnswer<readonly TrafficReading[]>> {
    const path = `${SMI_METRICS_BASE}/namespaces/${enc(namespace)}/${resource}/${enc(name)}/edges`;
    return this.#call(path, { t: window }, (body) => {
      const items = (body as { items?: TrafficMetricsObject[] | null }).items ?? [];
      return items.map((item) => reading(item, window));
    });
  }

  async #call<T>(
    path: string,
    query: Record<string, string>,
    parse: (body: unknown) => T,
  ): Promise<ApiAnswer<T>> {
    let res: KubeGetResponse;
    try {
      res = await this.#transport.get(path, query);
    } catch (cause) {
      return { kind: 'error', error: asMetricsError(cause, path) };
    }
    if (res.status === 200) {
      try {
        return { kind: 'ok', data: parse(JSON.parse(res.body)) };
      } catch (cause) {
        return { kind: 'error', error: asMetricsError(cause, path) };
      }
    }
    const text = errorText(res.body);
    if (res.status === 404) return { kind: 'notServed', reason: `GET ${path}: 404 ${text}` };
    // smi-metrics: a single-object GET with no series (no traffic in the window).
    if (res.status === 500 && /unable to lookup metrics/i.test(text)) {
      return {
        kind: 'noData',
        reason: 'the metrics API has no metrics for the workload (no traffic)',
      };
    }
    const error = new MetricsError(
      METRICS_ERROR_REASONS.queryFailed,
      `GET ${path}: ${res.status} ${text}`,
      { details: { path, status: res.status } },
    );
    return { kind: 'error', error };
  }
}

const enc = encodeURIComponent;

function reading(obj: TrafficMetricsObject, asked: string): TrafficReading {
  if ((obj.kind as string) !== 'TrafficMetrics') {
    throw new MetricsError(
      METRICS_ERROR_REASONS.badResponse,
      `expected a TrafficMetrics object, got kind ${obj.kind}`,
    );
  }
  const values: TrafficValues = {};
  for (const metric of obj.metrics ?? []) {
    if (!(SMI_METRIC_NAMES as readonly string[]).includes(metric.name)) continue;
    const parsed = parseQuantity(`${metric.value as unknown as string | number}`);
    if (!parsed.ok) throw parsed.error;
    // Istio's adapter reports seconds under unit "ms"; nothing can tell, so the unit is trusted.
    values[metric.name as SmiMetricName] = parsed.value;
  }
  const edge =
    obj.edge?.direction === undefined
      ? undefined
      : { direction: obj.edge.direction, peer: obj.edge.resource ?? null };
  return { window: obj.window ?? asked, values, ...(edge === undefined ? {} : { edge }) };
}

/** The message of a Status object, smi-metrics' {"error": ...}, or the first bytes of the body. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON: a proxy page or plain text; the snippet below is the best description.
  }
  return body.slice(0, 200).trim();
}

function asMetricsError(cause: unknown, path: string): MetricsError {
  if (cause instanceof MetricsError) return cause;
  return new MetricsError(METRICS_ERROR_REASONS.badResponse, `GET ${path}: unreadable answer`, {
    cause,
    details: { path },
  });
}
