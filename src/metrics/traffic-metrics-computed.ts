// `trafficMetrics` computed from Prometheus with the mesh's queries — what the SMI TrafficMetrics
// API would answer, for clusters that do not serve it. Two query shapes per window, both batched
// across namespaces (the mesh's namespace label tells the answers apart): request counts by outcome (success-rate, request-rate, success_count,
// failure_count, and the request count of every result) and, per quantile, latency.
import type { TrafficMetricName } from '../api/constants.js';
import type { BatchAnswer, BatchShape, QueryBatcher } from './batcher.js';
import { promDuration } from './duration.js';
import { endpointKey, type PrometheusEndpoint } from './executor.js';
import type { MeshQueries } from './mesh-queries.js';
import {
  errorResult,
  stepWindow,
  type MeasureContext,
  type MetricResult,
  type MetricSource,
} from './source.js';
import {
  LATENCY_QUANTILES,
  isLatencyMetric,
  trafficMetricResult,
  type TrafficValues,
} from './traffic-metrics-values.js';

export interface ComputedTrafficMetricsOptions {
  readonly mesh: MeshQueries;
  readonly endpoint: PrometheusEndpoint;
  readonly batcher: QueryBatcher;
  /** Epoch ms now, to tell a step whose window is not complete yet. @default Date.now */
  readonly now?: () => number;
}

export class ComputedTrafficMetrics {
  readonly #opts: ComputedTrafficMetricsOptions;

  constructor(opts: ComputedTrafficMetricsOptions) {
    this.#opts = opts;
  }

  /** A MetricSource for one trafficMetrics metric. */
  source(metric: TrafficMetricName): MetricSource {
    return {
      kind: `traffic-metrics-computed:${this.#opts.mesh.mesh}`,
      measure: (ctx) => this.measure(metric, ctx),
    };
  }

  async measure(metric: TrafficMetricName, ctx: MeasureContext): Promise<MetricResult> {
    const window = stepWindow(ctx, (this.#opts.now ?? Date.now)());
    if (!window.ok) return window.result;
    const w = promDuration(window.windowMs);
    const { namespace, target, since, until } = ctx;
    const ask = { namespace, target, since, until, windowMs: window.windowMs };
    const { mesh } = this.#opts;
    const countsShape = this.#shape(`counts`, w, (t, ns) => mesh.counts(ns, t, w));
    const countsAsked = this.#opts.batcher.query(countsShape, ask);
    const latencyAsked = isLatencyMetric(metric)
      ? this.#opts.batcher.query(
          this.#shape(`latency:${LATENCY_QUANTILES[metric]}`, w, (t, ns) =>
            mesh.latency(LATENCY_QUANTILES[metric], ns, t, w),
          ),
          ask,
        )
      : undefined;
    const counts = await countsAsked;
    const latency = await latencyAsked;
    const values: TrafficValues = {};
    if (latency !== undefined && isLatencyMetric(metric)) {
      if (!latency.ok) return errorResult(latency.error);
      const [first] = latency.samples;
      if (first !== undefined) values[metric] = first.value;
    } else if (!counts.ok) {
      return errorResult(counts.error);
    }
    // A latency result keeps its value when only the counts query failed: it just has no
    // request count then, so minRequests cannot apply.
    Object.assign(values, this.#counts(counts));
    return trafficMetricResult(metric, values, window.windowMs / 1000);
  }

  #counts(answer: BatchAnswer): TrafficValues {
    if (!answer.ok || answer.samples.length === 0) return {};
    let success = 0;
    let failure = 0;
    for (const sample of answer.samples) {
      if (this.#opts.mesh.classify(sample) === 'failure') failure += sample.value;
      else success += sample.value;
    }
    return { success_count: success, failure_count: failure };
  }

  #shape(
    what: string,
    window: string,
    build: (t: string, namespaces: readonly string[]) => string,
  ): BatchShape {
    const { endpoint, mesh } = this.#opts;
    return {
      key: `${endpointKey(endpoint)}\n${mesh.mesh}:${what}\n${window}`,
      endpoint,
      groupLabel: mesh.groupLabel,
      namespaceLabel: mesh.namespaceLabel,
      build,
    };
  }
}
