// The emulator's pod usage served to the local control plane as the resource metrics API
// (metrics.k8s.io/v1beta1), registered like any aggregated API (aggregated-api.ts), so
// kube-controller-manager's HPA controller and `kubectl top pods` read it as they read
// metrics-server in a cluster. Only the aggregator is let in: its front-proxy client certificate
// (the CA and names kube-apiserver publishes in kube-system/extension-apiserver-authentication)
// is the one credential accepted, and kube-apiserver has authorized the request before proxying it.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { loadKubeConfig } from '../../src/kube/client.js';
import { KubeRawClient } from '../../src/kube/raw-client.js';
import { authConfigFrom } from '../../src/metrics-api/auth-config.js';
import { Authenticator } from '../../src/metrics-api/authn.js';
import { sendJson } from '../../src/metrics-api/handler.js';
import { listenHttps, type HttpsListener } from '../../src/metrics-api/https-listener.js';
import { status } from '../../src/metrics-api/objects.js';
import { readAuthConfigMap } from '../../src/metrics-api/run.js';
import {
  serveAggregatedApi,
  type AggregatedApi,
  type KubectlRunner,
  type ServedAggregatedApi,
} from './aggregated-api.js';
import { resourceMetricsAnswer, type PodMetricsSource } from './emulator/resource-metrics-api.js';
import { RESOURCE_METRICS_GROUP, RESOURCE_METRICS_VERSION } from './emulator/resource-usage.js';

export const RESOURCE_METRICS_API: AggregatedApi = {
  group: RESOURCE_METRICS_GROUP,
  version: RESOURCE_METRICS_VERSION,
  namespace: 'kube-system',
  service: 'weightlifter-emulator-metrics',
};

const HEALTH = new Set(['/healthz', '/readyz', '/livez']);

export interface LocalResourceMetricsOptions {
  readonly source: PodMetricsSource;
  /** A kubeconfig that can read kube-system/extension-apiserver-authentication (the admin's). */
  readonly kubeconfig: string;
  /** Where the serving certificate goes (removed by stop()). */
  readonly dir: string;
  readonly logger: Logger;
  readonly availableTimeoutMs?: number;
}

export async function startLocalResourceMetricsApi(
  cp: KubectlRunner,
  opts: LocalResourceMetricsOptions,
): Promise<ServedAggregatedApi<HttpsListener>> {
  const log = opts.logger.child({ component: 'resource-metrics-api' });
  const kube = new KubeRawClient(loadKubeConfig({ kubeconfigPath: opts.kubeconfig }));
  const { requestHeader } = authConfigFrom(await readAuthConfigMap(kube));
  const authenticator = new Authenticator(requestHeader === undefined ? {} : { requestHeader });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://resource-metrics.invalid');
    if (HEALTH.has(url.pathname)) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, status(405, `${req.method ?? ''} is not supported: the API is read-only`));
      return;
    }
    const who = await authenticator.authenticate(req);
    if (who.kind === 'anonymous') {
      sendJson(res, 401, status(401, 'Unauthorized'));
      return;
    }
    const answer = resourceMetricsAnswer(url.pathname, url.searchParams, opts.source);
    sendJson(res, answer.code, answer.body);
  };
  return serveAggregatedApi(cp, RESOURCE_METRICS_API, {
    dir: opts.dir,
    ...(opts.availableTimeoutMs === undefined
      ? {}
      : { availableTimeoutMs: opts.availableTimeoutMs }),
    start: async (certificate) => {
      return listenHttps({
        port: 0,
        tls: {
          cert: await readFile(certificate.serving.cert, 'utf8'),
          key: await readFile(certificate.serving.key, 'utf8'),
        },
        clientCas: requestHeader === undefined ? [] : [requestHeader.caPem],
        handler: (req, res) => {
          handle(req, res).catch((err: unknown) => {
            log.error({ err, path: req.url }, 'resource metrics request failed');
            if (!res.headersSent) sendJson(res, 500, status(500, 'internal error'));
            else res.end();
          });
        },
      });
    },
  });
}
