// GETs through the Kubernetes API that keep the status and the raw body. The SMI metrics server
// answers errors with its own JSON ({"error": "unable to lookup metrics"}), which the raw client's
// Status parsing would drop — and "500 unable to lookup metrics" (no traffic) must be told apart
// from any other 500.
import type { KubeConfig } from '../kube/kubeconfig.js';
import { KubeTransport } from '../kube/transport.js';
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
  let transport: KubeTransport;
  try {
    transport = new KubeTransport(kc);
  } catch (cause) {
    throw new MetricsError(
      METRICS_ERROR_REASONS.misconfigured,
      'kubeconfig names no usable server',
      {
        cause,
      },
    );
  }
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async get(path, query = {}) {
      try {
        return await transport.send({
          method: 'GET',
          path,
          query,
          headers: { Accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
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
