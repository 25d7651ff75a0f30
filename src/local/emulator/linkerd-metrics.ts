import type { Counter, Histogram, MetricRegistry } from './exposition.js';

/**
 * Linkerd proxy metric families with Linkerd's exact latency buckets (ms), so that
 * histogram_quantile over them behaves as it does against a real linkerd-proxy.
 */
export const LINKERD_LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000,
  20000, 30000, 40000, 50000,
] as const;

export const LINKERD_METRICS = {
  requestTotal: 'request_total',
  responseTotal: 'response_total',
  responseLatencyMs: 'response_latency_ms',
} as const;

export function defineLinkerdFamilies(registry: MetricRegistry): void {
  registry.define(LINKERD_METRICS.requestTotal, 'counter', 'Total count of HTTP requests.');
  registry.define(LINKERD_METRICS.responseTotal, 'counter', 'Total count of HTTP responses.');
  registry.define(
    LINKERD_METRICS.responseLatencyMs,
    'histogram',
    "Elapsed times between a request's headers being received and its response stream completing",
    LINKERD_LATENCY_BUCKETS_MS,
  );
}

/** Series of one status code on one endpoint. */
export interface ResponseSeries {
  readonly total: Counter;
  readonly latency: Histogram;
}

/**
 * One proxy-side view of traffic: an emulated pod's inbound side, or the load generator's
 * outbound side towards one destination workload. Labels are fixed at creation; series per status
 * code are created on first use and cached here, so recording costs no string work.
 */
export class ProxyEndpoint {
  readonly requests: Counter;
  readonly #byStatus = new Map<number, ResponseSeries>();

  constructor(
    private readonly registry: MetricRegistry,
    private readonly owner: string,
    private readonly labels: Readonly<Record<string, string>>,
  ) {
    this.requests = registry.counter(LINKERD_METRICS.requestTotal, owner, labels);
  }

  status(code: number): ResponseSeries {
    let s = this.#byStatus.get(code);
    if (s === undefined) {
      const statusLabels = { ...this.labels, status_code: String(code) };
      s = {
        total: this.registry.counter(LINKERD_METRICS.responseTotal, this.owner, {
          ...statusLabels,
          // Linkerd classifies 5xx (and gRPC errors) as failure, everything else as success.
          classification: code >= 500 ? 'failure' : 'success',
        }),
        latency: this.registry.histogram(
          LINKERD_METRICS.responseLatencyMs,
          this.owner,
          statusLabels,
        ),
      };
      this.#byStatus.set(code, s);
    }
    return s;
  }
}

export interface InboundIdentity {
  readonly namespace: string;
  readonly deployment: string;
  readonly pod: string;
  readonly podTemplateHash: string;
  readonly authority: string;
}

/** Labels as linkerd-viz's Prometheus job leaves them on an inbound series. */
export function inboundLabels(id: InboundIdentity): Record<string, string> {
  return {
    direction: 'inbound',
    authority: id.authority,
    tls: 'true',
    namespace: id.namespace,
    deployment: id.deployment,
    pod: id.pod,
    pod_template_hash: id.podTemplateHash,
  };
}

export interface OutboundIdentity {
  /** The client's namespace and workload (the emulator's load generator). */
  readonly namespace: string;
  readonly deployment: string;
  readonly pod: string;
  /** The apex authority the client called. */
  readonly authority: string;
  readonly dstNamespace: string;
  readonly dstService: string;
  /** Absent when the backend had no ready endpoint (the proxy fails fast with 503). */
  readonly dstDeployment?: string;
}

export function outboundLabels(id: OutboundIdentity): Record<string, string> {
  return {
    direction: 'outbound',
    authority: id.authority,
    tls: 'true',
    namespace: id.namespace,
    deployment: id.deployment,
    pod: id.pod,
    dst_namespace: id.dstNamespace,
    dst_service: id.dstService,
    ...(id.dstDeployment === undefined ? {} : { dst_deployment: id.dstDeployment }),
  };
}
