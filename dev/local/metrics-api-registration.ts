// Registers a `weightlifter metrics-api` server running on this machine with the local control
// plane as the aggregated API metrics.smi-spec.io/v1alpha1 (aggregated-api.ts: an ExternalName
// Service naming localhost, an APIService with a caBundle, the wait for Available=True).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { MeshName } from '../../src/metrics/mesh-queries.js';
import type { RequestInfo } from '../../src/metrics-api/handler.js';
import { runMetricsApi } from '../../src/metrics-api/run.js';
import type { MetricsApiServer } from '../../src/metrics-api/server.js';
import {
  serveAggregatedApi,
  type KubectlRunner,
  type ServedAggregatedApi,
} from './aggregated-api.js';
import type { ControlPlane } from './control-plane.js';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';

export const METRICS_API_SERVICE = {
  apiService: 'v1alpha1.metrics.smi-spec.io',
  group: 'metrics.smi-spec.io',
  version: 'v1alpha1',
  namespace: 'weightlifter-system',
  service: 'weightlifter-metrics-api',
} as const;

export type LocalMetricsApi = ServedAggregatedApi<MetricsApiServer>;

export interface LocalMetricsApiOptions {
  readonly prometheusUrl: string;
  /** The server's identity for delegated authn/authz (needs deploy/metrics-api/rbac.yaml). */
  readonly kubeconfig: string;
  /** Where the certificate goes (removed by stop()). */
  readonly dir: string;
  readonly mesh?: MeshName;
  readonly logger?: Logger;
  readonly onRequest?: (info: RequestInfo) => void;
  readonly availableTimeoutMs?: number;
}

/** Serving certificate, server on 127.0.0.1, registration, Available: the whole local setup. */
export async function startLocalMetricsApi(
  cp: KubectlRunner,
  opts: LocalMetricsApiOptions,
): Promise<LocalMetricsApi> {
  return serveAggregatedApi(cp, METRICS_API_SERVICE, {
    dir: opts.dir,
    ...(opts.availableTimeoutMs === undefined
      ? {}
      : { availableTimeoutMs: opts.availableTimeoutMs }),
    start: (certificate) =>
      runMetricsApi({
        port: 0,
        tlsCertFile: certificate.serving.cert,
        tlsKeyFile: certificate.serving.key,
        prometheusUrl: opts.prometheusUrl,
        mesh: opts.mesh ?? 'linkerd',
        kubeconfigPath: opts.kubeconfig,
        logger: opts.logger ?? pino({ level: 'silent' }),
        ...(opts.onRequest === undefined ? {} : { onRequest: opts.onRequest }),
      }),
  });
}

/** The server's ServiceAccount, as deploy/metrics-api/service-account.yaml creates it. */
export const METRICS_API_SERVICE_ACCOUNT = {
  namespace: 'weightlifter-system',
  name: 'weightlifter-metrics-api',
} as const;

/**
 * A kubeconfig holding a real token of a ServiceAccount (TokenRequest), the identity a pod has.
 * Client certificates cannot carry it: "system:serviceaccount:weightlifter-system:weightlifter-
 * metrics-api" is longer than the 64 characters X.509 allows in a CN.
 */
export async function serviceAccountKubeconfig(
  cp: Pick<ControlPlane, 'server' | 'dir' | 'ca' | 'kubectl'>,
  account: { namespace: string; name: string } = METRICS_API_SERVICE_ACCOUNT,
): Promise<string> {
  const token = await cp.kubectl(['create', 'token', account.name, '-n', account.namespace]);
  if (token.code !== 0) {
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.KUBECTL_FAILED,
      `kubectl create token ${account.name} -n ${account.namespace} failed: ${token.stderr}`,
    );
  }
  const path = join(cp.dir, `${account.namespace}-${account.name}.kubeconfig`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'local',
        cluster: {
          server: cp.server,
          'certificate-authority-data': (await readFile(cp.ca.cert)).toString('base64'),
        },
      },
    ],
    users: [{ name: account.name, user: { token: token.stdout.trim() } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: account.name } }],
    'current-context': 'local',
  };
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}
