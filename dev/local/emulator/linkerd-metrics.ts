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

/**
 * `linkerd`: the label set linkerd-viz's Prometheus stores (authority, tls, pod_template_hash,
 * status_code on latency too). `lean`: only what canary queries select on (direction, namespace,
 * deployment, pod, classification, status_code on response_total, dst_*), one latency histogram
 * per inbound endpoint and none outbound — a third of the exposition, for benchmarks with
 * thousands of workloads.
 */
export type LabelStyle = 'linkerd' | 'lean';

/** Series of one status code on one endpoint. */
export interface ResponseSeries {
  readonly total: Counter;
  /** Absent on outbound endpoints in the lean style. */
  readonly latency: Histogram | undefined;
}

/**
 * One proxy-side view of traffic: an emulated pod's inbound side, or the load generator's
 * outbound side towards one destination workload. Labels are fixed at creation; series per status
 * code are created on first use and cached here, so recording costs no string work.
 */
export class ProxyEndpoint {
  readonly requests: Counter;
  readonly #byStatus = new Map<number, ResponseSeries>();
  /** The endpoint's one latency histogram in the lean style. */
  #sharedLatency: Histogram | undefined;

  constructor(
    private readonly registry: MetricRegistry,
    private readonly owner: string,
    private readonly labels: Readonly<Record<string, string>>,
    private readonly style: LabelStyle = 'linkerd',
    private readonly withLatency = true,
  ) {
    this.requests = registry.counter(LINKERD_METRICS.requestTotal, owner, labels);
  }

  status(code: number): ResponseSeries {
    let s = this.#byStatus.get(code);
    if (s === undefined) {
      const statusLabels = { ...this.labels, status_code: String(code) };
      const latency = !this.withLatency
        ? undefined
        : this.style === 'lean'
          ? (this.#sharedLatency ??= this.registry.histogram(
              LINKERD_METRICS.responseLatencyMs,
              this.owner,
              this.labels,
            ))
          : this.registry.histogram(LINKERD_METRICS.responseLatencyMs, this.owner, statusLabels);
      s = {
        total: this.registry.counter(LINKERD_METRICS.responseTotal, this.owner, {
          ...statusLabels,
          // Linkerd classifies 5xx (and gRPC errors) as failure, everything else as success.
          classification: code >= 500 ? 'failure' : 'success',
        }),
        latency,
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
export function inboundLabels(
  id: InboundIdentity,
  style: LabelStyle = 'linkerd',
): Record<string, string> {
  if (style === 'lean') {
    return {
      direction: 'inbound',
      namespace: id.namespace,
      deployment: id.deployment,
      pod: id.pod,
    };
  }
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

export function outboundLabels(
  id: OutboundIdentity,
  style: LabelStyle = 'linkerd',
): Record<string, string> {
  return {
    direction: 'outbound',
    ...(style === 'lean' ? {} : { authority: id.authority, tls: 'true' }),
    namespace: id.namespace,
    deployment: id.deployment,
    pod: id.pod,
    dst_namespace: id.dstNamespace,
    dst_service: id.dstService,
    ...(id.dstDeployment === undefined ? {} : { dst_deployment: id.dstDeployment }),
  };
}
