// The seam between metric sources and Prometheus's HTTP API. Sources and the batcher depend on
// this interface only, so unit tests use an in-memory executor; prometheus-executor.ts is the real
// one (prometheus-query).

/** Credentials from an analysis template's secretRef, resolved by the caller. */
export type PrometheusAuth =
  { readonly bearerToken: string } | { readonly username: string; readonly password: string };

export interface PrometheusEndpoint {
  /** Base URL of the Prometheus HTTP API, e.g. http://prometheus.linkerd-viz:9090. */
  readonly address: string;
  readonly auth?: PrometheusAuth;
}

/** One element of an instant vector (a scalar result becomes one sample without labels). */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface QueryExecutor {
  /** Evaluates an instant query now. Throws MetricsError (never anything else). */
  instant(endpoint: PrometheusEndpoint, query: string): Promise<readonly Sample[]>;
}

/** A stable key for an endpoint: same address and credentials share a connection and a batch. */
export function endpointKey(endpoint: PrometheusEndpoint): string {
  const auth = endpoint.auth;
  const who = auth === undefined ? '' : 'bearerToken' in auth ? 'bearer' : `basic:${auth.username}`;
  return `${endpoint.address.replace(/\/+$/, '')}#${who}`;
}
