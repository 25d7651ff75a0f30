import { freePort, LOOPBACK, retryOnPortClash } from './ports.js';
import { PROXY_CLIENT_NAME, type KeyPair, type Pki } from './pki.js';
import type { Child, ProcessGroup } from './processes.js';
import { httpGet } from './http.js';
import { waitUntil } from './wait.js';

export interface ApiServer {
  readonly child: Child;
  readonly server: string;
}

/** Files of an audit log the API server writes (JSON lines, one event per stage). */
export interface AuditLogFiles {
  readonly path: string;
  readonly policyFile: string;
}

/**
 * Metadata of every request, once it is answered (no RequestReceived stage): enough to count
 * requests per user and verb without logging bodies.
 */
export const DEFAULT_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;

/** Flags after envtest's defaults, plus what RBAC, tokens and the aggregation layer need. */
export function apiServerArgs(
  pki: Pki,
  port: number,
  etcdUrl: string,
  audit?: AuditLogFiles,
): string[] {
  const server = `https://${LOOPBACK}:${port}`;
  const auditArgs =
    audit === undefined
      ? []
      : [
          `--audit-policy-file=${audit.policyFile}`,
          `--audit-log-path=${audit.path}`,
          '--audit-log-format=json',
          // One file, never rotated: by default the API server rotates it at 100 MB, and a reader
          // of the file alone (the bench) lost every request before the last rotation.
          '--audit-log-maxsize=0',
        ];
  return [
    ...auditArgs,
    `--advertise-address=${LOOPBACK}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${port}`,
    `--etcd-servers=${etcdUrl}`,
    `--tls-cert-file=${pki.serving.cert}`,
    `--tls-private-key-file=${pki.serving.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    `--cert-dir=${pki.dir}`,
    // Each Canary brings three ClusterIP Services: a /24 would stop at about 80 Canaries, the
    // benchmark creates thousands.
    '--service-cluster-ip-range=10.0.0.0/16',
    // The reconciler would publish 127.0.0.1 as the `kubernetes` Service endpoint, which
    // Endpoints validation refuses (loopback); nothing in-cluster needs that endpoint.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    '--authorization-mode=RBAC',
    // ServiceAccount: pods here are kwok's fakes and nothing runs in-cluster, so no token has to be
    // mounted; the plugin would only race the serviceaccount controller in fresh namespaces.
    // TaintNodesByCondition: it taints new nodes not-ready, and removing that taint is the job of
    // the node-lifecycle controller, which we do not run (kwok keeps the fake node Ready).
    '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition',
    `--service-account-issuer=${server}/`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    // Aggregation layer (an APIService such as TrafficMetrics authenticates the proxied user).
    `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
    `--requestheader-allowed-names=${PROXY_CLIENT_NAME}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.proxyClient.cert}`,
    `--proxy-client-key-file=${pki.proxyClient.key}`,
    '--profiling=false',
  ];
}

export async function startApiServer(
  procs: ProcessGroup,
  binary: string,
  pki: Pki,
  etcdUrl: string,
  admin: KeyPair,
  timeoutMs: number,
  audit?: AuditLogFiles,
): Promise<ApiServer> {
  return retryOnPortClash(async () => {
    const port = await freePort();
    const child = procs.start({
      name: 'kube-apiserver',
      command: binary,
      args: apiServerArgs(pki, port, etcdUrl, audit),
    });
    const server = `https://${LOOPBACK}:${port}`;
    // /readyz covers etcd, RBAC bootstrap policy and the other post-start hooks.
    await waitUntil(
      async () =>
        (await httpGet(`${server}/readyz`, { ca: pki.ca.cert, client: admin })).status === 200,
      {
        what: 'kube-apiserver /readyz',
        timeoutMs,
        intervalMs: 100,
        watch: [child],
      },
    );
    return { child, server };
  });
}
