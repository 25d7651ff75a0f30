// GETs through the Kubernetes API that keep the status and the raw body. The SMI metrics server
// answers errors with its own JSON ({"error": "unable to lookup metrics"}), which the raw client's
// Status parsing would drop — and "500 unable to lookup metrics" (no traffic) must be told apart
// from any other 500.
import {
  HttpMethod,
  ServerConfiguration,
  createConfiguration,
  type KubeConfig,
} from '@kubernetes/client-node';
import { SharedDispatcher } from '../kube/shared-dispatcher.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';

export interface KubeGetResponse {
  readonly status: number;
  readonly body: string;
}

export interface KubeGetTransport {
  /** Any HTTP status is an answer; throws MetricsError only when no answer arrived. */
  get(path: string, query?: Readonly<Record<string, string>>): Promise<KubeGetResponse>;
}

export function kubeGetTransport(
  kc: KubeConfig,
  opts: { timeoutMs?: number } = {},
): KubeGetTransport {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) {
    throw new MetricsError(
      METRICS_ERROR_REASONS.misconfigured,
      'kubeconfig has no current cluster',
    );
  }
  const server = new ServerConfiguration<Record<string, string>>(cluster.server, {});
  const http = createConfiguration({ baseServer: server, authMethods: { default: kc } }).httpApi;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // One connection pool, not a TLS handshake per request (see shared-dispatcher.ts).
  const dispatcher = new SharedDispatcher();
  return {
    async get(path, query = {}) {
      const ctx = server.makeRequestContext(path, HttpMethod.GET);
      for (const [k, v] of Object.entries(query)) ctx.setQueryParam(k, v);
      ctx.setHeaderParam('Accept', 'application/json');
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      try {
        await kc.applySecurityAuthentication(ctx);
        dispatcher.apply(ctx);
        const res = await http.send(ctx).toPromise();
        return { status: res.httpStatusCode, body: await res.body.text() };
      } catch (cause) {
        const timedOut =
          typeof cause === 'object' &&
          cause !== null &&
          'name' in cause &&
          cause.name === 'TimeoutError';
        throw new MetricsError(
          timedOut ? METRICS_ERROR_REASONS.timeout : METRICS_ERROR_REASONS.network,
          `GET ${path}: no answer from the Kubernetes API`,
          { cause, details: { path } },
        );
      }
    },
  };
}
