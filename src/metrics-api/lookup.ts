// Answers "what are the figures of these objects / of this object's peers over this window" from
// Prometheus. Every query of one answer is sent at once; a failing query fails the answer (a
// TrafficMetrics object with half its figures missing would read as "no requests").
import { promDuration } from '../metrics/duration.js';
import type { PrometheusEndpoint, QueryExecutor, Sample } from '../metrics/executor.js';
import {
  LATENCY_QUANTILES,
  type LatencyMetric,
  type TrafficValues,
} from '../metrics/traffic-metrics-values.js';
import type { Side } from './objects.js';
import {
  countsQuery,
  groupLabels,
  identify,
  latencyQuery,
  selectParty,
  type NamedReference,
} from './query-builder.js';
import type { MetricsTarget, ServedResource } from './routes.js';
import type { Party, ServerMeshQueries } from './server-queries.js';

export interface Figures {
  readonly ref: NamedReference;
  readonly values: TrafficValues;
}

export interface EdgeFigures extends Figures {
  /** to: the object called `ref`; from: `ref` called the object. */
  readonly direction: 'to' | 'from';
  readonly side: Side;
}

export interface MetricsLookupOptions {
  readonly executor: QueryExecutor;
  readonly endpoint: PrometheusEndpoint;
  readonly mesh: ServerMeshQueries;
}

export class MetricsLookup {
  readonly #opts: MetricsLookupOptions;

  constructor(opts: MetricsLookupOptions) {
    this.#opts = opts;
  }

  get mesh(): ServerMeshQueries {
    return this.#opts.mesh;
  }

  /** Figures of every object of `target` that has series in the window (one, when named). */
  async resources(target: MetricsTarget, windowMs: number): Promise<readonly Figures[]> {
    const series = this.#opts.mesh.resource(target.resource);
    const sel = selection(target);
    const matchers = [...series.matchers, ...selectParty(series.target, sel)];
    return this.#figures(matchers, series.target, target.resource, windowMs);
  }

  /** Undefined when the mesh cannot tell this resource's peers. Throws MetricsError. */
  async edges(
    target: MetricsTarget & { readonly name: string },
    windowMs: number,
  ): Promise<readonly EdgeFigures[] | undefined> {
    const series = this.#opts.mesh.edges(target.resource);
    if (series === undefined) return undefined;
    const sel = selection(target);
    const [callers, callees] = await Promise.all([
      // Requests whose destination is the object: the peer is their source.
      this.#figures(
        [...series.matchers, ...selectParty(series.destination, sel)],
        series.source,
        target.resource,
        windowMs,
      ),
      // Requests the object sent: the peer is their destination.
      this.#figures(
        [...series.matchers, ...selectParty(series.source, sel)],
        series.destination,
        target.resource,
        windowMs,
      ),
    ]);
    const side = series.side;
    return [
      ...callers.map((f) => ({ ...f, direction: 'from' as const, side })),
      ...callees.map((f) => ({ ...f, direction: 'to' as const, side })),
    ];
  }

  async #figures(
    matchers: readonly string[],
    group: Party,
    resource: ServedResource,
    windowMs: number,
  ): Promise<Figures[]> {
    const { executor, endpoint, mesh } = this.#opts;
    const w = promDuration(windowMs);
    const labels = groupLabels(group);
    const quantiles = Object.entries(LATENCY_QUANTILES) as [LatencyMetric, number][];
    const [counts, ...latencies] = await Promise.all([
      executor.instant(
        endpoint,
        countsQuery(mesh.requestsMetric, matchers, labels, mesh.outcomeLabel, w),
      ),
      ...quantiles.map(([, q]) =>
        executor.instant(endpoint, latencyQuery(q, mesh.latencyBucketMetric, matchers, labels, w)),
      ),
    ]);
    const byObject = new Map<string, { ref: NamedReference; values: TrafficValues }>();
    const entry = (sample: Sample): TrafficValues | undefined => {
      const ref = identify(group, resource, sample.labels);
      if (ref === undefined) return undefined;
      const key = `${ref.kind ?? ''}/${ref.namespace ?? ''}/${ref.name}`;
      let found = byObject.get(key);
      if (found === undefined) {
        found = { ref, values: {} };
        byObject.set(key, found);
      }
      return found.values;
    };
    for (const sample of counts) {
      const values = entry(sample);
      if (values === undefined) continue;
      const outcome = mesh.classify(sample) === 'failure' ? 'failure_count' : 'success_count';
      values.success_count ??= 0;
      values.failure_count ??= 0;
      values[outcome] += sample.value;
    }
    quantiles.forEach(([metric], i) => {
      for (const sample of latencies[i] ?? []) {
        const values = entry(sample);
        if (values !== undefined) values[metric] = sample.value;
      }
    });
    return [...byObject.values()].sort((a, b) => compareRefs(a.ref, b.ref));
  }
}

function selection(target: MetricsTarget): { namespace?: string; name?: string } {
  // A namespace is selected by its name through the namespace label.
  if (target.resource === 'namespaces') {
    return target.name === undefined ? {} : { namespace: target.name, name: target.name };
  }
  return {
    ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
    ...(target.name === undefined ? {} : { name: target.name }),
  };
}

function compareRefs(a: NamedReference, b: NamedReference): number {
  const key = (r: NamedReference): string => `${r.namespace ?? ''}/${r.name}/${r.kind ?? ''}`;
  return key(a).localeCompare(key(b));
}
