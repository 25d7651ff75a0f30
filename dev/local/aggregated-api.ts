// Serves an aggregated API from this machine to the local control plane, the way a cluster would,
// but with every byte on loopback: an ExternalName Service naming `localhost` (kube-apiserver's
// service resolver dials it directly; there is no kube-proxy and Endpoints refuse loopback IPs)
// and an APIService with a caBundle. The aggregator verifies the serving certificate against
// `<service>.<namespace>.svc`, so the certificate made here carries that SAN as well as localhost
// and 127.0.0.1. Used for the SMI TrafficMetrics API (metrics-api-registration.ts) and the
// emulator's resource metrics API (resource-metrics.ts).
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import type { KubectlResult } from './kubectl.js';
import { CURVE, openssl, type KeyPair } from './pki.js';
import { waitUntil } from './wait.js';

/** One group/version served by a server on localhost, and the Service the APIService names. */
export interface AggregatedApi {
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly service: string;
}

/** The APIService's name: `<version>.<group>`. */
export const apiServiceName = (api: Pick<AggregatedApi, 'group' | 'version'>): string =>
  `${api.version}.${api.group}`;

/** What registration needs of a control plane (ControlPlane satisfies it). */
export interface KubectlRunner {
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string }): Promise<KubectlResult>;
}

export interface ServingCertificate {
  readonly ca: KeyPair;
  readonly serving: KeyPair;
}

/** A throwaway CA and a serving certificate for the Service's DNS name, localhost and 127.0.0.1. */
export async function createServingCertificate(
  dir: string,
  api: Pick<AggregatedApi, 'namespace' | 'service'>,
): Promise<ServingCertificate> {
  const { namespace, service } = api;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, 'metrics-api-ca.crt'), key: join(dir, 'metrics-api-ca.key') };
  const serving = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  await openssl([
    ...['req', '-x509', '-new', ...CURVE, '-keyout', ca.key, '-out', ca.cert, '-days', '30'],
    ...['-subj', `/CN=${service}-ca`],
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

async function kubectlOrThrow(
  cp: KubectlRunner,
  args: string[],
  what: string,
  input?: string,
): Promise<void> {
  const r = await cp.kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) {
    throw new LocalClusterError(LOCAL_ERROR_CODES.KUBECTL_FAILED, `${what}: ${r.stderr}`, {
      details: { code: r.code, args },
    });
  }
}

/** Applies the Namespace, the ExternalName Service and the APIService. */
export async function registerAggregatedApi(
  cp: KubectlRunner,
  api: AggregatedApi,
  opts: {
    /** The port the server listens on at localhost. */
    readonly port: number;
    /** PEM file of the CA that signed the serving certificate. */
    readonly caCertFile: string;
  },
): Promise<void> {
  const { namespace, service } = api;
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
      metadata: { name: apiServiceName(api) },
      spec: {
        group: api.group,
        version: api.version,
        service: { namespace, name: service, port: opts.port },
        caBundle,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  ];
  const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
  await kubectlOrThrow(
    cp,
    ['apply', '-f', '-'],
    `registering ${apiServiceName(api)} failed`,
    input,
  );
}

/** Waits until the aggregator reports the APIService Available=True. */
export async function waitForAggregatedApiAvailable(
  cp: KubectlRunner,
  api: Pick<AggregatedApi, 'group' | 'version'>,
  timeoutMs = 60_000,
): Promise<void> {
  const name = apiServiceName(api);
  let last = '';
  await waitUntil(
    async () => {
      const r = await cp.kubectl([
        'get',
        'apiservice',
        name,
        '-o',
        'jsonpath={range .status.conditions[?(@.type=="Available")]}{.status} {.message}{end}',
      ]);
      last = r.stdout.trim() || r.stderr.trim();
      return r.code === 0 && last.startsWith('True');
    },
    { what: `APIService ${name} Available (last: ${last})`, timeoutMs, intervalMs: 500 },
  ).catch((err: unknown) => {
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.NOT_READY,
      `APIService ${name} did not become Available: ${last}`,
      { cause: err },
    );
  });
}

/** Removes the APIService first, so discovery never points at a server that is gone. */
export async function unregisterAggregatedApi(
  cp: KubectlRunner,
  api: AggregatedApi,
): Promise<void> {
  for (const args of [
    ['delete', 'apiservice', apiServiceName(api), '--ignore-not-found'],
    ['delete', 'service', api.service, '-n', api.namespace, '--ignore-not-found'],
  ]) {
    await kubectlOrThrow(cp, args, args.join(' '));
  }
}

/** A server on 127.0.0.1 that can be registered: its port, and how to stop it. */
export interface LocalServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface ServedAggregatedApi<S extends LocalServer> {
  readonly server: S;
  readonly certificate: ServingCertificate;
  /** Unregisters first (so discovery never points at a dead server), then stops the server. */
  stop(): Promise<void>;
}

/**
 * The whole local setup: a serving certificate in `dir`, the server `start` makes with it,
 * registration, and the wait for Available=True. A failure on the way stops what was started.
 */
export async function serveAggregatedApi<S extends LocalServer>(
  cp: KubectlRunner,
  api: AggregatedApi,
  opts: {
    /** Where the certificate goes (removed by stop()). */
    readonly dir: string;
    readonly start: (certificate: ServingCertificate) => Promise<S>;
    readonly availableTimeoutMs?: number;
  },
): Promise<ServedAggregatedApi<S>> {
  const certificate = await createServingCertificate(opts.dir, api);
  let server: S;
  try {
    server = await opts.start(certificate);
  } catch (err) {
    await rm(opts.dir, { recursive: true, force: true });
    throw err;
  }
  const stop = async (): Promise<void> => {
    try {
      await unregisterAggregatedApi(cp, api);
    } finally {
      await server.close();
      await rm(opts.dir, { recursive: true, force: true });
    }
  };
  try {
    await registerAggregatedApi(cp, api, { port: server.port, caCertFile: certificate.ca.cert });
    await waitForAggregatedApiAvailable(cp, api, opts.availableTimeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, certificate, stop };
}
