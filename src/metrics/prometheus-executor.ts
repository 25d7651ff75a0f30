// QueryExecutor over the prometheus-query package. One driver per endpoint; queries are POSTed
// (a batched query's target regex can be long); environment proxies are ignored (axios would
// otherwise route a loopback Prometheus through HTTP_PROXY); redirects are never followed (a
// server must not bounce us past the address policy); an endpoint a Canary or template chose
// connects through the policy's lookup (a fresh connection per query, never a pooled socket).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import { PrometheusConnectionOptions, PrometheusDriver, type QueryResult } from 'prometheus-query';
import { METRICS_ERROR_REASONS, MetricsError, type MetricsErrorReason } from './errors.js';
import {
  endpointKey,
  type PrometheusEndpoint,
  type QueryExecutor,
  type QueryRange,
  type RangeSeries,
  type Sample,
} from './executor.js';

export interface PrometheusExecutorOptions {
  /** Deadline for one query. @default 10_000 */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  /** Called once per query sent (telemetry, tests counting queries). */
  readonly onQuery?: (endpoint: PrometheusEndpoint, outcome: 'ok' | MetricsErrorReason) => void;
}

/** What prometheus-query throws: a plain object, not an Error. */
interface DriverFailure {
  errorType?: string;
  error?: string;
  httpStatus?: number;
}

export class PrometheusQueryExecutor implements QueryExecutor {
  readonly #drivers = new Map<string, PrometheusDriver>();
  readonly #opts: PrometheusExecutorOptions;
  #sent = 0;

  constructor(opts: PrometheusExecutorOptions = {}) {
    this.#opts = opts;
  }

  /** Queries sent so far by this executor. */
  get queriesSent(): number {
    return this.#sent;
  }

  async instant(
    endpoint: PrometheusEndpoint,
    query: string,
    at?: number,
  ): Promise<readonly Sample[]> {
    const result = await this.#send(endpoint, (driver) =>
      at === undefined ? driver.instantQuery(query) : driver.instantQuery(query, new Date(at)),
    );
    return toSamples(endpoint, result);
  }

  async range(
    endpoint: PrometheusEndpoint,
    query: string,
    range: QueryRange,
  ): Promise<readonly RangeSeries[]> {
    const { start, end, stepMs } = range;
    const result = await this.#send(endpoint, (driver) =>
      driver.rangeQuery(query, new Date(start), new Date(end), stepMs / 1000),
    );
    return toSeries(endpoint, result);
  }

  /** One query: counted, reported to onQuery, its failure turned into a MetricsError. */
  async #send(
    endpoint: PrometheusEndpoint,
    ask: (driver: PrometheusDriver) => Promise<QueryResult>,
  ): Promise<QueryResult> {
    this.#sent += 1;
    let result: QueryResult;
    try {
      result = await ask(this.#driver(endpoint));
    } catch (cause) {
      const error = toMetricsError(endpoint, cause);
      this.#opts.onQuery?.(endpoint, error.reason);
      throw error;
    }
    this.#opts.onQuery?.(endpoint, 'ok');
    return result;
  }

  #driver(endpoint: PrometheusEndpoint): PrometheusDriver {
    const key = endpointKey(endpoint);
    let driver = this.#drivers.get(key);
    if (driver === undefined) {
      const auth = endpoint.auth;
      const options = Object.assign(new PrometheusConnectionOptions(), {
        endpoint: endpoint.address,
        preferPost: true,
        timeout: this.#opts.timeoutMs ?? 10_000,
        requestInterceptor: { onFulfilled: transport(endpoint.lookup) },
        responseInterceptor: { onFulfilled: spellInfinity },
        warningHook: (warnings: unknown) => {
          this.#opts.logger?.warn({ address: endpoint.address, warnings }, 'prometheus warnings');
        },
      });
      if (auth !== undefined && 'bearerToken' in auth) {
        options.headers = { Authorization: `Bearer ${auth.bearerToken}` };
      } else if (auth !== undefined) {
        options.auth = { username: auth.username, password: auth.password };
      }
      driver = new PrometheusDriver(options);
      this.#drivers.set(key, driver);
    }
    return driver;
  }
}

/** Per request: no proxy, no redirect, and the policy's lookup when the endpoint has one. */
function transport(lookup: LookupFunction | undefined): <T extends object>(config: T) => T {
  const agents =
    lookup === undefined
      ? {}
      : {
          httpAgent: new HttpAgent({ keepAlive: false, lookup }),
          httpsAgent: new HttpsAgent({ keepAlive: false, lookup }),
        };
  return (config) => Object.assign(config, { proxy: false, maxRedirects: 0 }, agents);
}

/**
 * Prometheus writes infinities as "+Inf"/"-Inf", which the driver's parseFloat turns into NaN —
 * and a p99 beyond the last finite bucket must read as +Inf (a failed latency check), not as "no
 * data". Rewritten to the spelling parseFloat understands before the driver parses the answer.
 */
function spellInfinity<T extends { data?: unknown }>(response: T): T {
  const data = (response.data as { data?: { result?: unknown } } | undefined)?.data;
  const result = data?.result;
  const fix = (pair: unknown): void => {
    if (!Array.isArray(pair)) return;
    if (pair[1] === '+Inf') pair[1] = 'Infinity';
    else if (pair[1] === '-Inf') pair[1] = '-Infinity';
  };
  if (Array.isArray(result)) {
    if (result.length === 2 && typeof result[1] === 'string') fix(result);
    for (const item of result) {
      const entry = item as { value?: unknown; values?: unknown } | null;
      fix(entry?.value);
      if (Array.isArray(entry?.values)) entry.values.forEach(fix);
    }
  }
  return response;
}

function toMetricsError(endpoint: PrometheusEndpoint, cause: unknown): MetricsError {
  const failure: DriverFailure = typeof cause === 'object' && cause !== null ? cause : {};
  const reason =
    failure.errorType === 'timeout_error'
      ? METRICS_ERROR_REASONS.timeout
      : failure.errorType === 'network_error' || failure.errorType === 'ssl_error'
        ? METRICS_ERROR_REASONS.network
        : failure.errorType === 'http_error'
          ? METRICS_ERROR_REASONS.queryFailed
          : METRICS_ERROR_REASONS.badResponse;
  const status = failure.httpStatus === undefined ? '' : ` (HTTP ${failure.httpStatus})`;
  const what = failure.error ?? (cause instanceof Error ? cause.message : 'unknown failure');
  return new MetricsError(reason, `prometheus query failed${status}: ${what}`, {
    cause,
    details: { address: endpoint.address, httpStatus: failure.httpStatus },
  });
}

function toSamples(endpoint: PrometheusEndpoint, result: QueryResult): readonly Sample[] {
  const type: string = result.resultType;
  if (type === 'scalar') {
    // Scalars arrive as the raw [time, "value"] pair.
    const pair = result.result as unknown as [number, string];
    return [{ labels: {}, value: Number.parseFloat(pair[1]) }];
  }
  if (type !== 'vector') {
    throw new MetricsError(
      METRICS_ERROR_REASONS.badResponse,
      `prometheus returned a ${type}; an instant vector or scalar was expected`,
      { details: { address: endpoint.address } },
    );
  }
  return (result.result as { metric: { labels: object } | null; value: { value: number } }[]).map(
    (v) => ({ labels: (v.metric?.labels ?? {}) as Record<string, string>, value: v.value.value }),
  );
}

function toSeries(endpoint: PrometheusEndpoint, result: QueryResult): readonly RangeSeries[] {
  const type: string = result.resultType;
  if (type !== 'matrix') {
    throw new MetricsError(
      METRICS_ERROR_REASONS.badResponse,
      `prometheus returned a ${type} for a range query; a matrix was expected`,
      { details: { address: endpoint.address } },
    );
  }
  return (
    result.result as { metric: { labels: object } | null; values: { value: number }[] }[]
  ).map((v) => ({
    labels: (v.metric?.labels ?? {}) as Record<string, string>,
    values: v.values.map((p) => p.value),
  }));
}
