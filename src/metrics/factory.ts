// The one place that picks a MetricSource for a Canary metric:
//   trafficMetrics  -> the SMI TrafficMetrics API (falling back to the computed source when it is
//                      not served), or the computed source directly, per controller config
//   prometheus      -> an inline query against the metric's or the controller's Prometheus
//   templateRef     -> the template's query (batched when the template declares BATCH_ANNOTATION)
// Misconfiguration (no source, template missing) yields a source whose every measurement is an
// error, so the analysis reports it like any failing check.
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../time/clock.js';
import type { AnalysisTemplateSpec } from '../api/analysis-template.js';
import type { Metric } from '../api/canary.js';
import type { TemplateKind, TrafficMetricName } from '../api/constants.js';
import { mergeVariables } from './query-template.js';
import { createUrlPolicy, type UrlPolicy } from '../outbound/url-policy.js';
import { QueryBatcher, type QueryBatcherOptions } from './batcher.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';
import type { PrometheusAuth, PrometheusEndpoint, QueryExecutor } from './executor.js';
import type { KubeGetTransport } from './kube-transport.js';
import { MESH_QUERIES, type MeshName, type MeshQueries } from './mesh-queries.js';
import { batchProblem } from './promql.js';
import { BATCH_ANNOTATION, PrometheusSource } from './prometheus-source.js';
import { fetchConfigReader, type PrometheusConfigReader } from './scrape-interval.js';
import { failingSource, type MetricSource } from './source.js';
import { TrafficMetricsApiClient } from './traffic-metrics-api.js';
import {
  TrafficMetricsApiSource,
  type TrafficMetricsStatus,
} from './traffic-metrics-api-source.js';
import { ComputedTrafficMetrics } from './traffic-metrics-computed.js';

/** auto: the SMI metrics API when served, else computed; api: the API only; computed: Prometheus only. */
export const TRAFFIC_METRICS_SETTINGS = ['auto', 'api', 'computed'] as const;
export type TrafficMetricsSetting = (typeof TRAFFIC_METRICS_SETTINGS)[number];

export interface MetricsConfig {
  /** The controller's --prometheus-address: used by trafficMetrics and address-less checks. */
  readonly prometheusAddress: string;
  /** Whose queries compute trafficMetrics. @default 'linkerd' */
  readonly mesh?: MeshName;
  /** @default 'auto' */
  readonly trafficMetrics?: TrafficMetricsSetting;
  /**
   * Restricts addresses named by templates and inline checks (not prometheusAddress, which is the
   * operator's). @default the default policy (createUrlPolicy({}): blocked ranges refused)
   */
  readonly addressPolicy?: UrlPolicy;
  /** Batch template and trafficMetrics queries across canaries. @default true */
  readonly batching?: boolean;
}

export interface MetricSourceFactoryDeps {
  readonly config: MetricsConfig;
  readonly executor: QueryExecutor;
  readonly logger: Logger;
  /** The Kubernetes API, for the SMI metrics API (required unless trafficMetrics is 'computed'). */
  readonly kube?: KubeGetTransport;
  /** Time for the batcher's coalescing and for telling a step whose window is not complete. */
  readonly clock?: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  readonly batcher?: QueryBatcherOptions;
  /** Reads a server's scrape configuration (pre-flight). @default fetchConfigReader */
  readonly configReader?: PrometheusConfigReader;
}

/** A template as the reconciler found it in its cache, with its secretRef already resolved. */
export interface ResolvedTemplate {
  readonly kind: TemplateKind;
  readonly name: string;
  readonly namespace?: string;
  readonly spec: AnalysisTemplateSpec;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly auth?: PrometheusAuth;
}

/** How a prometheus or templateRef metric is queried: its query template and where it goes. */
export interface PrometheusQuerySpec {
  readonly query: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly endpoint: PrometheusEndpoint;
  /** The address the Canary or template chose (checked by the address policy), if any. */
  readonly address: string | undefined;
}

/** What pre-flight (src/analysis/preflight.ts) needs to reach the servers measure() would. */
export interface MetricsPreflightAccess {
  readonly executor: QueryExecutor;
  readonly configReader: PrometheusConfigReader;
  readonly trafficMetrics: TrafficMetricsSetting;
  /** The SMI metrics API; undefined when trafficMetrics is 'computed'. */
  readonly api: TrafficMetricsApiClient | undefined;
  /** The computed trafficMetrics' server and queries, and their probe through the batcher. */
  readonly computed: {
    readonly endpoint: PrometheusEndpoint;
    readonly mesh: MeshQueries;
    readonly probe: ComputedTrafficMetrics['probe'];
  };
}

export class MetricSourceFactory {
  readonly #deps: MetricSourceFactoryDeps;
  readonly #logger: Logger;
  readonly #batcher: QueryBatcher | undefined;
  readonly #computed: ComputedTrafficMetrics;
  readonly #api: TrafficMetricsApiSource | undefined;
  readonly #apiClient: TrafficMetricsApiClient | undefined;
  readonly #warned = new Set<string>();
  readonly #now: () => number;
  readonly #policy: UrlPolicy;

  constructor(deps: MetricSourceFactoryDeps) {
    this.#deps = deps;
    this.#policy = deps.config.addressPolicy ?? createUrlPolicy({});
    this.#logger = deps.logger.child({ component: 'metrics' });
    const clock = deps.clock ?? systemClock;
    this.#now = () => clock.now();
    const batcher = new QueryBatcher(deps.executor, {
      logger: this.#logger,
      clock,
      ...deps.batcher,
    });
    // trafficMetrics always go through the batcher (with batching off, rounds cover one target).
    this.#batcher = deps.config.batching === false ? undefined : batcher;
    this.#computed = new ComputedTrafficMetrics({
      mesh: MESH_QUERIES[deps.config.mesh ?? 'linkerd'],
      endpoint: { address: deps.config.prometheusAddress },
      batcher:
        deps.config.batching === false
          ? new QueryBatcher(deps.executor, { maxTargets: 1, clock, ...deps.batcher })
          : batcher,
      now: this.#now,
    });
    const setting = deps.config.trafficMetrics ?? 'auto';
    if (setting !== 'computed') {
      if (deps.kube === undefined) {
        throw new MetricsError(
          METRICS_ERROR_REASONS.misconfigured,
          `trafficMetrics "${setting}" needs a Kubernetes client`,
        );
      }
      this.#apiClient = new TrafficMetricsApiClient(deps.kube);
      this.#api = new TrafficMetricsApiSource({
        client: this.#apiClient,
        logger: this.#logger,
        ...(setting === 'auto'
          ? { fallback: (m: TrafficMetricName) => this.#computed.source(m) }
          : {}),
        now: this.#now,
      });
    }
  }

  /** Epoch ms now, by the clock the sources use (compare checks' windows). */
  now(): number {
    return this.#now();
  }

  /** Where trafficMetrics come from right now, for the Canary's status and logs. */
  trafficMetricsStatus(): TrafficMetricsStatus {
    return (
      this.#api?.status() ?? { mode: 'computed', reason: 'configured: computed from Prometheus' }
    );
  }

  /** The source for one metric of a Canary. `template` is required for templateRef metrics. */
  forMetric(metric: Metric, template?: ResolvedTemplate): MetricSource {
    if (metric.trafficMetrics !== undefined) {
      const name = metric.trafficMetrics.metric;
      return this.#api?.source(name) ?? this.#computed.source(name);
    }
    if (metric.prometheus !== undefined) {
      const spec = this.#inlineQuery(metric, metric.prometheus);
      return new PrometheusSource({
        query: spec.query,
        variables: spec.variables,
        endpoint: spec.endpoint,
        executor: this.#deps.executor,
        now: this.#now,
        ...this.#addressCheck(spec.address),
      });
    }
    if (metric.templateRef !== undefined) {
      const ref = metric.templateRef;
      if (template === undefined) {
        const message = `${ref.kind ?? 'AnalysisTemplate'} ${ref.name} not found`;
        return failingSource(
          'prometheus',
          new MetricsError(METRICS_ERROR_REASONS.misconfigured, message),
        );
      }
      return this.#templateSource(metric, template);
    }
    const message = `metric ${metric.name} has no source (trafficMetrics, prometheus or templateRef)`;
    return failingSource('none', new MetricsError(METRICS_ERROR_REASONS.misconfigured, message));
  }

  /**
   * The query of an inline prometheus metric, or of a templateRef metric with its resolved
   * template, with the endpoint it is sent to; undefined for other metrics.
   */
  prometheusQuery(metric: Metric, template?: ResolvedTemplate): PrometheusQuerySpec | undefined {
    if (metric.prometheus !== undefined) return this.#inlineQuery(metric, metric.prometheus);
    if (metric.templateRef === undefined || template === undefined) return undefined;
    return this.#templateQuery(metric, template);
  }

  #inlineQuery(metric: Metric, inline: NonNullable<Metric['prometheus']>): PrometheusQuerySpec {
    const { query, address } = inline;
    return {
      query,
      variables: metric.templateVariables ?? {},
      endpoint: this.#endpoint(address),
      address,
    };
  }

  #templateQuery(metric: Metric, template: ResolvedTemplate): PrometheusQuerySpec {
    const address = template.spec.provider?.address;
    return {
      query: template.spec.query,
      variables: mergeVariables(template.spec.variables, metric.templateVariables),
      endpoint: {
        ...this.#endpoint(address),
        ...(template.auth === undefined ? {} : { auth: template.auth }),
      },
      address,
    };
  }

  /** The operator's Prometheus, or the chosen address behind the policy's lookup. */
  #endpoint(address: string | undefined): PrometheusEndpoint {
    if (address === undefined) return { address: this.#deps.config.prometheusAddress };
    return { address, lookup: this.#policy.lookupFor(address) };
  }

  /** The operator's verdict on a metrics address a Canary or template chose. */
  async checkAddress(address: string | undefined): Promise<MetricsError | undefined> {
    if (address === undefined) return undefined;
    const verdict = await this.#policy.check(address);
    if (verdict.allowed) return undefined;
    const message = `metrics address ${address} not allowed by the address policy: ${verdict.reason}`;
    return new MetricsError(METRICS_ERROR_REASONS.addressNotAllowed, message, {
      details: { address, rule: verdict.rule },
    });
  }

  /** The executor, config reader and trafficMetrics paths, as measure() uses them. */
  preflightAccess(): MetricsPreflightAccess {
    return {
      executor: this.#deps.executor,
      configReader: this.#deps.configReader ?? fetchConfigReader,
      trafficMetrics: this.#deps.config.trafficMetrics ?? 'auto',
      api: this.#apiClient,
      computed: {
        endpoint: { address: this.#deps.config.prometheusAddress },
        mesh: MESH_QUERIES[this.#deps.config.mesh ?? 'linkerd'],
        probe: (...args) => this.#computed.probe(...args),
      },
    };
  }

  #templateSource(metric: Metric, template: ResolvedTemplate): MetricSource {
    const spec = this.#templateQuery(metric, template);
    const { endpoint, address } = spec;
    const label = template.annotations?.[BATCH_ANNOTATION];
    let batch: { batcher: QueryBatcher; label: string } | undefined;
    if (label !== undefined && this.#batcher !== undefined) {
      const problem = batchProblem(template.spec.query, label);
      if (problem === undefined) batch = { batcher: this.#batcher, label };
      else this.#warnOnce(template, label, problem);
    }
    return new PrometheusSource({
      query: spec.query,
      variables: spec.variables,
      endpoint,
      executor: this.#deps.executor,
      now: this.#now,
      ...(batch === undefined ? {} : { batch }),
      ...this.#addressCheck(address),
    });
  }

  #addressCheck(address: string | undefined): {
    checkAddress?: () => Promise<MetricsError | undefined>;
  } {
    if (address === undefined) return {};
    return { checkAddress: () => this.checkAddress(address) };
  }

  #warnOnce(template: ResolvedTemplate, label: string, problem: string): void {
    const key = `${template.kind}/${template.namespace ?? ''}/${template.name}/${problem}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#logger.warn(
      {
        template: `${template.kind}/${template.name}`,
        annotation: BATCH_ANNOTATION,
        label,
        problem,
      },
      'template cannot be batched; querying it per canary',
    );
  }
}
