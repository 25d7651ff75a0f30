// One pre-flight's calls to the metrics servers, each made at most once per pre-flight: metrics of
// one Canary often share a server, a query (trafficMetrics) or the SMI API's answer. Nothing
// outlives the pre-flight, so a check that broke since the last run is found again.
import { METRICS_ERROR_REASONS, MetricsError } from '../metrics/errors.js';
import { endpointKey, type PrometheusEndpoint, type Sample } from '../metrics/executor.js';
import type { MetricsPreflightAccess } from '../metrics/factory.js';
import { parseScrapeConfig, type ScrapeIntervals } from '../metrics/scrape-interval.js';
import type { ApiAnswer, TrafficReading } from '../metrics/traffic-metrics-api.js';

export type Answer<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MetricsError };

const asMetricsError = (cause: unknown): MetricsError =>
  cause instanceof MetricsError
    ? cause
    : new MetricsError(METRICS_ERROR_REASONS.queryFailed, 'prometheus query failed', { cause });

export class PreflightRun {
  readonly access: MetricsPreflightAccess;
  readonly #signal: AbortSignal | undefined;
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(access: MetricsPreflightAccess, signal?: AbortSignal) {
    this.access = access;
    this.#signal = signal;
  }

  #once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let pending = this.#memo.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      pending = make();
      this.#memo.set(key, pending);
    }
    return pending;
  }

  /** The query's answer now, through the executor the checks use. */
  query(endpoint: PrometheusEndpoint, query: string): Promise<Answer<readonly Sample[]>> {
    return this.#once(`query\n${endpointKey(endpoint)}\n${query}`, async () => {
      try {
        return { ok: true, value: await this.access.executor.instant(endpoint, query) };
      } catch (cause) {
        return { ok: false, error: asMetricsError(cause) };
      }
    });
  }

  /** The server's scrape intervals, read from its loaded configuration. */
  scrapeIntervals(endpoint: PrometheusEndpoint): Promise<Answer<ScrapeIntervals>> {
    return this.#once(`config\n${endpointKey(endpoint)}`, async () => {
      try {
        const yaml = await this.access.configReader.configYaml(endpoint, this.#signal);
        return { ok: true, value: parseScrapeConfig(yaml) };
      } catch (cause) {
        return { ok: false, error: asMetricsError(cause) };
      }
    });
  }

  /** Every scrape configuration this pre-flight read successfully (fail-fast's cadence). */
  async scrapeIntervalsRead(): Promise<ScrapeIntervals[]> {
    const reads = [...this.#memo].filter(([key]) => key.startsWith('config\n'));
    const answers = await Promise.all(
      reads.map(([, answer]) => answer as Promise<Answer<ScrapeIntervals>>),
    );
    return answers.flatMap((a) => (a.ok ? [a.value] : []));
  }

  /** The `job` labels of the series named `names` (scraped within the lookback window). */
  async jobsOf(endpoint: PrometheusEndpoint, names: readonly string[]): Promise<Answer<string[]>> {
    if (names.length === 0) return { ok: true, value: [] };
    // Names are [A-Za-z0-9_:] only (see promql-names.ts): nothing to escape in the regex.
    const answer = await this.query(
      endpoint,
      `count by (job) ({__name__=~"${[...names].sort().join('|')}"})`,
    );
    if (!answer.ok) return answer;
    return {
      ok: true,
      value: answer.value.map((s) => s.labels['job'] ?? '').filter((j) => j !== ''),
    };
  }

  /** Whether the SMI metrics API is served, asked now (never the sources' cached verdict). */
  discoverApi(): Promise<ApiAnswer<readonly string[]> | undefined> {
    const api = this.access.api;
    return this.#once('api-discovery', () => api?.discover() ?? Promise.resolve(undefined));
  }

  /** The TrafficMetrics of one Deployment over `window`. */
  readApi(namespace: string, target: string, window: string): Promise<ApiAnswer<TrafficReading>> {
    const api = this.access.api;
    return this.#once(`api\n${namespace}\n${target}\n${window}`, () =>
      api === undefined
        ? Promise.resolve({ kind: 'notServed', reason: 'trafficMetrics are computed' } as const)
        : api.get(namespace, 'deployments', target, window),
    );
  }
}
