// Registers a `weightlifter metrics-api` server running on this machine with the local control
// plane, the way a cluster would, but with every byte on loopback: an ExternalName Service naming
// `localhost` (kube-apiserver's service resolver dials it directly; there is no kube-proxy and
// Endpoints refuse loopback IPs) and an APIService v1alpha1.metrics.smi-spec.io with a caBundle.
// The aggregator verifies the serving certificate against `<service>.<namespace>.svc`, so the
// certificate made here carries that SAN as well as localhost and 127.0.0.1.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino, type Logger } from 'pino';
import type { MeshName } from '../../src/metrics/mesh-queries.js';
import type { RequestInfo } from '../../src/metrics-api/handler.js';
import { runMetricsApi } from '../../src/metrics-api/run.js';
import type { MetricsApiServer } from '../../src/metrics-api/server.js';
import type { ControlPlane } from './control-plane.js';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import type { KubectlResult } from './kubectl.js';
import type { KeyPair } from './pki.js';
import { waitUntil } from './wait.js';

const run = promisify(execFile);

export const METRICS_API_SERVICE = {
  apiService: 'v1alpha1.metrics.smi-spec.io',
  namespace: 'weightlifter-system',
  service: 'weightlifter-metrics-api',
} as const;

/** What registration needs of a control plane (ControlPlane satisfies it). */
export interface KubectlRunner {
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string }): Promise<KubectlResult>;
}

export interface ServingCertificate {
  readonly ca: KeyPair;
  readonly serving: KeyPair;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException & { stderr?: string };
    const hint = e.code === 'ENOENT' ? ' (install it: apt-get install openssl)' : '';
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.OPENSSL_FAILED,
      `openssl failed${hint}: ${e.stderr ?? e.message}`,
      { cause, details: { args } },
    );
  }
}

/** A throwaway CA and a serving certificate for the Service's DNS name, localhost and 127.0.0.1. */
export async function createServingCertificate(
  dir: string,
  opts: { namespace?: string; service?: string } = {},
): Promise<ServingCertificate> {
  const namespace = opts.namespace ?? METRICS_API_SERVICE.namespace;
  const service = opts.service ?? METRICS_API_SERVICE.service;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, 'metrics-api-ca.crt'), key: join(dir, 'metrics-api-ca.key') };
  const serving = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  await openssl([
    ...['req', '-x509', '-new', ...CURVE, '-keyout', ca.key, '-out', ca.cert, '-days', '30'],
    ...['-subj', '/CN=weightlifter-metrics-api-ca'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
  ]);
  const dns = [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  await openssl([
    ...['req', '-x509', '-new', ...CURVE, '-keyout', serving.key, '-out', serving.cert],
    ...['-days', '30', '-CA', ca.cert, '-CAkey', ca.key, '-subj', `/CN=${service}`],
    ...['-addext', 'basicConstraints=critical,CA:FALSE'],
    ...['-addext', 'keyUsage=critical,digitalSignature,keyEncipherment'],
    ...['-addext', 'extendedKeyUsage=serverAuth'],
    ...[
      '-addext',
      `subjectAltName=${[...dns, 'localhost'].map((d) => `DNS:${d}`).join(',')},IP:127.0.0.1`,
    ],
  ]);
  return { ca, serving };
}

export interface RegistrationOptions {
  /** The port the server listens on at localhost. */
  readonly port: number;
  /** PEM file of the CA that signed the serving certificate. */
  readonly caCertFile: string;
  readonly namespace?: string;
  readonly service?: string;
}

/** Applies the Namespace, the ExternalName Service and the APIService. */
export async function registerMetricsApi(
  cp: KubectlRunner,
  opts: RegistrationOptions,
): Promise<void> {
  const namespace = opts.namespace ?? METRICS_API_SERVICE.namespace;
  const service = opts.service ?? METRICS_API_SERVICE.service;
  const caBundle = (await readFile(opts.caCertFile)).toString('base64');
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace },
      spec: {
        type: 'ExternalName',
        externalName: 'localhost',
        ports: [{ name: 'https', port: opts.port, targetPort: opts.port }],
      },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: METRICS_API_SERVICE.apiService },
      spec: {
        group: 'metrics.smi-spec.io',
        version: 'v1alpha1',
        service: { namespace, name: service, port: opts.port },
        caBundle,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  ];
  const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
  const r = await cp.kubectl(['apply', '-f', '-'], { input });
  if (r.code !== 0) {
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.KUBECTL_FAILED,
      `registering the metrics API failed: ${r.stderr}`,
      { details: { code: r.code } },
    );
  }
}

/** Waits until the aggregator reports the APIService Available=True. */
export async function waitForMetricsApiAvailable(
  cp: KubectlRunner,
  timeoutMs = 60_000,
): Promise<void> {
  let last = '';
  await waitUntil(
    async () => {
      const r = await cp.kubectl([
        'get',
        'apiservice',
        METRICS_API_SERVICE.apiService,
        '-o',
        'jsonpath={range .status.conditions[?(@.type=="Available")]}{.status} {.message}{end}',
      ]);
      last = r.stdout.trim() || r.stderr.trim();
      return r.code === 0 && last.startsWith('True');
    },
    {
      what: `APIService ${METRICS_API_SERVICE.apiService} Available (last: ${last})`,
      timeoutMs,
      intervalMs: 500,
    },
  ).catch((err: unknown) => {
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.NOT_READY,
      `APIService ${METRICS_API_SERVICE.apiService} did not become Available: ${last}`,
      { cause: err },
    );
  });
}

/** Removes the APIService first, so discovery never points at a server that is gone. */
export async function unregisterMetricsApi(
  cp: KubectlRunner,
  opts: { namespace?: string; service?: string } = {},
): Promise<void> {
  const namespace = opts.namespace ?? METRICS_API_SERVICE.namespace;
  const service = opts.service ?? METRICS_API_SERVICE.service;
  for (const args of [
    ['delete', 'apiservice', METRICS_API_SERVICE.apiService, '--ignore-not-found'],
    ['delete', 'service', service, '-n', namespace, '--ignore-not-found'],
  ]) {
    const r = await cp.kubectl(args);
    if (r.code !== 0) {
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.KUBECTL_FAILED,
        `${args.join(' ')}: ${r.stderr}`,
      );
    }
  }
}

export interface LocalMetricsApi {
  readonly server: MetricsApiServer;
  readonly certificate: ServingCertificate;
  /** Unregisters first (so discovery never points at a dead server), then stops the server. */
  stop(): Promise<void>;
}

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
  const certificate = await createServingCertificate(opts.dir);
  const server = await runMetricsApi({
    port: 0,
    tlsCertFile: certificate.serving.cert,
    tlsKeyFile: certificate.serving.key,
    prometheusUrl: opts.prometheusUrl,
    mesh: opts.mesh ?? 'linkerd',
    kubeconfigPath: opts.kubeconfig,
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.onRequest === undefined ? {} : { onRequest: opts.onRequest }),
  });
  const stop = async (): Promise<void> => {
    try {
      await unregisterMetricsApi(cp);
    } finally {
      await server.close();
      await rm(opts.dir, { recursive: true, force: true });
    }
  };
  try {
    await registerMetricsApi(cp, { port: server.port, caCertFile: certificate.ca.cert });
    await waitForMetricsApiAvailable(cp, opts.availableTimeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, certificate, stop };
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
