// From settings to a running server: TLS files, the delegated-auth ConfigMap, Prometheus. Shared
// by the CLI (`weightlifter metrics-api`) and the local world's integration tests.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadKubeConfig } from '../kube/client.js';
import { KubeRawClient } from '../kube/raw-client.js';
import type { MeshName } from '../metrics/mesh-queries.js';
import { PrometheusQueryExecutor } from '../metrics/prometheus-executor.js';
import { AUTH_CONFIGMAP, authConfigFrom, type AuthOverrides } from './auth-config.js';
import { MetricsApiError, METRICS_API_ERROR_REASONS } from './errors.js';
import type { RequestInfo } from './handler.js';
import { MetricsLookup } from './lookup.js';
import { startMetricsApiServer, type MetricsApiServer } from './server.js';
import { SERVER_MESH_QUERIES } from './server-queries.js';

export interface MetricsApiSettings {
  readonly host?: string;
  readonly port: number;
  /** A directory holding tls.crt and tls.key (a mounted kubernetes.io/tls Secret). */
  readonly certDir?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  readonly prometheusUrl: string;
  readonly mesh: MeshName;
  /** undefined: in-cluster config or $KUBECONFIG / ~/.kube/config. */
  readonly kubeconfigPath?: string;
  /** The front-proxy CA bundle; default: the ConfigMap's requestheader-client-ca-file. */
  readonly clientCaFile?: string;
  readonly allowedNames?: readonly string[];
  readonly acceptTokens?: boolean;
  readonly logger: Logger;
  readonly onRequest?: (info: RequestInfo) => void;
}

export async function runMetricsApi(settings: MetricsApiSettings): Promise<MetricsApiServer> {
  const tls = await readTls(settings);
  const kube = new KubeRawClient(loadKubeConfig({ kubeconfigPath: settings.kubeconfigPath }));
  const overrides: AuthOverrides = {
    ...(settings.clientCaFile === undefined
      ? {}
      : { requestHeaderCaPem: await readText(settings.clientCaFile, '--client-ca') }),
    ...(settings.allowedNames === undefined ? {} : { allowedNames: settings.allowedNames }),
  };
  const auth = authConfigFrom(await readAuthConfigMap(kube), overrides);
  const lookup = new MetricsLookup({
    executor: new PrometheusQueryExecutor({ logger: settings.logger }),
    endpoint: { address: settings.prometheusUrl },
    mesh: SERVER_MESH_QUERIES[settings.mesh],
  });
  return startMetricsApiServer({
    ...(settings.host === undefined ? {} : { host: settings.host }),
    port: settings.port,
    tls,
    auth,
    reviews: kube,
    ...(settings.acceptTokens === undefined ? {} : { acceptTokens: settings.acceptTokens }),
    lookup,
    logger: settings.logger,
    ...(settings.onRequest === undefined ? {} : { onRequest: settings.onRequest }),
  });
}

/** The delegated-auth ConfigMap kube-apiserver publishes (auth-config.ts reads it). */
export async function readAuthConfigMap(kube: KubeRawClient): Promise<Record<string, string>> {
  const path = `/api/v1/namespaces/${AUTH_CONFIGMAP.namespace}/configmaps/${AUTH_CONFIGMAP.name}`;
  try {
    const cm = await kube.get<{ data?: Record<string, string> }>(path);
    return cm.data ?? {};
  } catch (cause) {
    throw new MetricsApiError(
      METRICS_API_ERROR_REASONS.authConfig,
      `cannot read ${AUTH_CONFIGMAP.namespace}/${AUTH_CONFIGMAP.name} (the server's identity ` +
        'needs the extension-apiserver-authentication-reader Role in kube-system)',
      { cause },
    );
  }
}

async function readTls(s: MetricsApiSettings): Promise<{ cert: string; key: string }> {
  if (s.certDir !== undefined && (s.tlsCertFile !== undefined || s.tlsKeyFile !== undefined)) {
    throw new MetricsApiError(
      METRICS_API_ERROR_REASONS.badConfig,
      'give either --cert-dir or --tls-cert/--tls-key, not both',
    );
  }
  const certFile = s.certDir === undefined ? s.tlsCertFile : join(s.certDir, 'tls.crt');
  const keyFile = s.certDir === undefined ? s.tlsKeyFile : join(s.certDir, 'tls.key');
  if (certFile === undefined || keyFile === undefined) {
    throw new MetricsApiError(
      METRICS_API_ERROR_REASONS.badConfig,
      'a serving certificate is required: --cert-dir (tls.crt, tls.key) or --tls-cert and --tls-key',
    );
  }
  return {
    cert: await readText(certFile, 'serving certificate'),
    key: await readText(keyFile, 'serving key'),
  };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new MetricsApiError(METRICS_API_ERROR_REASONS.badTls, `cannot read ${what} ${path}`, {
      cause,
      details: { path },
    });
  }
}
