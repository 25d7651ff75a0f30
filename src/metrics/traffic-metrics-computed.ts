// `trafficMetrics` computed from Prometheus with the mesh's queries — what the SMI TrafficMetrics
// API would answer, for clusters that do not serve it. Two query shapes per window, both batched
// across namespaces (the mesh's namespace label tells the answers apart): request counts by
// outcome (success-rate, request-rate, success_count, failure_count, and the request count of
// every result) and, per quantile, latency.
import type { TrafficMetricName } from '../api/constants.js';
import type { BatchAnswer, BatchShape, QueryBatcher } from './batcher.js';
import { promDuration } from './duration.js';
import type { MetricsError } from './errors.js';
import { endpointKey, type PrometheusEndpoint } from './executor.js';
import type { MeshQueries } from './mesh-queries.js';
import { targetRegex } from './promql.js';
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

/** Pre-flight's queries are evaluated at the latest multiple of this (probe()). */
export const PROBE_GRID_MS = 10_000;

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

  /**
   * Pre-flight: whether Prometheus runs the queries measure() sends for `metric` over a window of
   * `windowMs`, evaluated at the latest multiple of PROBE_GRID_MS (counted from the epoch), so
   * the pre-flights of Canaries within one such period share one query per shape (the batcher's
   * probe). Undefined: they run; else the first that failed, written for this target alone.
   */
  async probe(
    metric: TrafficMetricName,
    namespace: string,
    target: string,
    windowMs: number,
  ): Promise<{ readonly query: string; readonly error: MetricsError } | undefined> {
    const now = (this.#opts.now ?? Date.now)();
    const until = Math.floor(now / PROBE_GRID_MS) * PROBE_GRID_MS;
    const ask = { namespace, target, since: until - windowMs, until, windowMs };
    const { counts, latency } = this.#shapes(metric, promDuration(windowMs));
    const shapes = latency === undefined ? [counts] : [counts, latency];
    const errors = await Promise.all(shapes.map((shape) => this.#opts.batcher.probe(shape, ask)));
    const failed = errors.findIndex((e) => e !== undefined);
    const [shape, error] = [shapes[failed], errors[failed]];
    if (shape === undefined || error === undefined) return undefined;
    return { query: shape.build(targetRegex([target]), [namespace]), error };
  }

  async measure(metric: TrafficMetricName, ctx: MeasureContext): Promise<MetricResult> {
    const window = stepWindow(ctx, (this.#opts.now ?? Date.now)());
    if (!window.ok) return window.result;
    const { namespace, target, since, until } = ctx;
    const ask = { namespace, target, since, until, windowMs: window.windowMs };
    const shapes = this.#shapes(metric, promDuration(window.windowMs));
    const { batcher } = this.#opts;
    const countsAsked = batcher.query(shapes.counts, ask);
    const latencyAsked = shapes.latency && batcher.query(shapes.latency, ask);
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

  /** The shapes `metric` is measured with: request counts, and latency for a latency metric. */
  #shapes(metric: TrafficMetricName, w: string): { counts: BatchShape; latency?: BatchShape } {
    const { mesh } = this.#opts;
    const counts = this.#shape(`counts`, w, (t, ns) => mesh.counts(ns, t, w));
    if (!isLatencyMetric(metric)) return { counts };
    const q = LATENCY_QUANTILES[metric];
    return {
      counts,
      latency: this.#shape(`latency:${q}`, w, (t, ns) => mesh.latency(q, ns, t, w)),
    };
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
