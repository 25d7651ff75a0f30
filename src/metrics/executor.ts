// The seam between metric sources and Prometheus's HTTP API. Sources and the batcher depend on
// this interface only, so unit tests use an in-memory executor; prometheus-executor.ts is the real
// one (prometheus-query).
import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';

/** Credentials from an analysis template's secretRef, resolved by the caller. */
export type PrometheusAuth =
  { readonly bearerToken: string } | { readonly username: string; readonly password: string };

export interface PrometheusEndpoint {
  /** Base URL of the Prometheus HTTP API, e.g. http://prometheus.linkerd-viz:9090. */
  readonly address: string;
  readonly auth?: PrometheusAuth;
  /**
   * The address policy's DNS lookup (UrlPolicy.lookupFor) when a Canary or template chose the
   * address: every connection goes only to addresses the policy allows.
   */
  readonly lookup?: LookupFunction;
}

/** One element of an instant vector (a scalar result becomes one sample without labels). */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface QueryExecutor {
  /**
   * Evaluates an instant query at `at` (epoch ms; default now). Throws MetricsError (never
   * anything else).
   */
  instant(endpoint: PrometheusEndpoint, query: string, at?: number): Promise<readonly Sample[]>;
  /**
   * Evaluates a range query from `start` to `end` (epoch ms, inclusive) every `stepMs`, for
   * compare checks. Throws MetricsError. Absent on an executor that cannot (compare checks then
   * answer Error).
   */
  range?(
    endpoint: PrometheusEndpoint,
    query: string,
    range: QueryRange,
  ): Promise<readonly RangeSeries[]>;
}

export interface QueryRange {
  readonly start: number;
  readonly end: number;
  readonly stepMs: number;
}

/** One series of a range vector: its labels and its points' values, in time order. */
export interface RangeSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

/**
 * A stable key for an endpoint: same address and same credentials share a connection and a
 * batch. Credentials enter only as a digest, so keys can be logged.
 */
export function endpointKey(endpoint: PrometheusEndpoint): string {
  const auth = endpoint.auth;
  const digest = (text: string): string =>
    createHash('sha256').update(text).digest('hex').slice(0, 16);
  const who =
    auth === undefined
      ? ''
      : 'bearerToken' in auth
        ? `bearer:${digest(auth.bearerToken)}`
        : `basic:${digest(`${auth.username}\0${auth.password}`)}`;
  const guarded = endpoint.lookup === undefined ? '' : '#guarded';
  return `${endpoint.address.replace(/\/+$/, '')}#${who}${guarded}`;
}

/**
 * Credentials from a template's secretRef Secret (`data` as the API returns it, base64): key
 * `token` (bearer), else `username` + `password` (basic). Undefined when it holds neither.
 */
export function prometheusAuthFromSecret(
  data: Readonly<Record<string, string>> | undefined,
): PrometheusAuth | undefined {
  const read = (key: string): string | undefined => {
    const value = data?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8').trim();
  };
  const token = read('token');
  if (token !== undefined && token !== '') return { bearerToken: token };
  const username = read('username');
  const password = read('password');
  if (username !== undefined && password !== undefined) return { username, password };
  return undefined;
}
