// What test/integration/global-setup.ts started, as test files see it (through process.env, the
// only channel from Jest's global setup to its workers).
import { join } from 'node:path';
import { kubectlFor, type KubectlResult } from '../../../dev/local/kubectl.js';
import { mintKubeconfig } from '../../../dev/local/kubeconfig.js';
import { loadKubeConfig, type KubeConfig } from '../../../src/kube/kubeconfig.js';
import { KubeRawClient } from '../../../src/kube/raw-client.js';

export const TEST_ENV = {
  kubeconfig: 'WEIGHTLIFTER_TEST_KUBECONFIG',
  controllerKubeconfig: 'WEIGHTLIFTER_TEST_CONTROLLER_KUBECONFIG',
  binDir: 'WEIGHTLIFTER_TEST_BIN_DIR',
  server: 'WEIGHTLIFTER_TEST_SERVER',
  podsRunByKwok: 'WEIGHTLIFTER_TEST_PODS_RUN_BY_KWOK',
  caCert: 'WEIGHTLIFTER_TEST_CA_CERT',
  caKey: 'WEIGHTLIFTER_TEST_CA_KEY',
  dir: 'WEIGHTLIFTER_TEST_DIR',
} as const;

export interface TestCluster {
  /** Admin kubeconfig (user weightlifter-admin, group system:masters). */
  readonly kubeconfig: string;
  /** The controller's identity: system:serviceaccount:weightlifter-system:weightlifter. */
  readonly controllerKubeconfig: string;
  /** Holds kubectl (and kube-apiserver, etcd, ...). */
  readonly binDir: string;
  readonly server: string;
  /** True when kube-scheduler + kwok make pods Running/Ready (else drive Deployment status). */
  readonly podsRunByKwok: boolean;
  readonly ca: { readonly cert: string; readonly key: string };
  /** The control plane's temp dir (removed at teardown). */
  readonly dir: string;
}

function need(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: integration tests need the local control plane that ` +
        'test/integration/global-setup.ts starts. Run them with `npm run test:integration` ' +
        '(or `npm test`), not through a bare jest invocation without the integration project.',
    );
  }
  return value;
}

export function testCluster(): TestCluster {
  return {
    kubeconfig: need(TEST_ENV.kubeconfig),
    controllerKubeconfig: need(TEST_ENV.controllerKubeconfig),
    binDir: need(TEST_ENV.binDir),
    server: need(TEST_ENV.server),
    podsRunByKwok: need(TEST_ENV.podsRunByKwok) === 'true',
    ca: { cert: need(TEST_ENV.caCert), key: need(TEST_ENV.caKey) },
    dir: need(TEST_ENV.dir),
  };
}

/** The KubeConfig of a kubeconfig file (default: the admin one). */
export function kubeConfig(path = testCluster().kubeconfig): KubeConfig {
  return loadKubeConfig({ kubeconfigPath: path });
}

/** A raw API client for a kubeconfig file (default: the admin one). */
export function rawClient(path = testCluster().kubeconfig): KubeRawClient {
  return new KubeRawClient(kubeConfig(path));
}

/** kubectl against the test cluster; a non-zero exit is returned, not thrown. */
export function kubectl(
  args: readonly string[],
  opts: { kubeconfig?: string; input?: string } = {},
): Promise<KubectlResult> {
  const c = testCluster();
  return kubectlFor(
    join(c.binDir, 'kubectl'),
    c.kubeconfig,
    join(c.dir, 'kubectl-cache'),
  )(args, opts);
}

/** A new client-certificate identity (e.g. an unprivileged user for RBAC tests). */
export function kubeconfigFor(user: string, groups: readonly string[] = []): Promise<string> {
  const c = testCluster();
  return mintKubeconfig({
    dir: join(c.dir, 'kubeconfigs'),
    ca: c.ca,
    server: c.server,
    user,
    groups,
  });
}
