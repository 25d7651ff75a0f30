// The local control plane is a real Kubernetes control plane: the real kube-apiserver answers
// (version, RBAC), the real kube-controller-manager turns Deployments into ReplicaSets, kwok runs
// the pods, and stopping it — or killing the process that started it — leaves nothing behind.
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   client-node's V1* models are plain data classes (no methods, no private state) and its API is
   meant to be called with object literals. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  RbacAuthorizationV1Api,
  VersionApi,
  type V1Deployment,
} from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { READY_ANNOTATION } from '../../dev/local/kwok-stages.js';
import { startControlPlane } from '../../dev/local/control-plane.js';
import { waitUntil } from '../../dev/local/wait.js';
import { kubeConfig, kubeconfigFor, kubectl, testCluster } from './helpers/env.js';
import { processesMentioning } from './helpers/processes.js';

const NS = 'control-plane-test';
/** Waits poll a real system with their own deadlines; this only bounds a test as a whole. */
const SLOW = 60_000;
const START_AND_STOP = 120_000;

const statusOf = async (request: Promise<unknown>): Promise<number> => {
  try {
    await request;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
};

const deployment = (
  name: string,
  replicas: number,
  annotations: Record<string, string> = {},
): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, annotations },
      spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }] },
    },
  },
});

let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  const kc = kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
}, SLOW);

afterAll(async () => {
  await core.deleteNamespace({ name: NS });
});

describe('the kube-apiserver', () => {
  it('reports the version it was built from', async () => {
    const version = await kubeConfig().makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.37.2');
    expect(version.major).toBe('1');
    expect(version.minor).toBe('37');
  });

  it('is ready through kubectl and the generated kubeconfig', async () => {
    const readyz = await kubectl(['get', '--raw', '/readyz']);
    expect(readyz).toMatchObject({ code: 0, stdout: 'ok' });
  });

  it('authenticates the controller identity from its client certificate', async () => {
    const review = await kubectl(
      ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}'],
      {
        kubeconfig: testCluster().controllerKubeconfig,
      },
    );
    expect(review.code).toBe(0);
    expect(review.stdout).toContain('system:serviceaccount:weightlifter-system:weightlifter ');
    expect(review.stdout).toContain('system:serviceaccounts:weightlifter-system');
  });

  it('authorizes with RBAC: the controller may not list secrets cluster-wide', async () => {
    const asController = kubeConfig(testCluster().controllerKubeconfig).makeApiClient(CoreV1Api);
    expect(await statusOf(asController.listSecretForAllNamespaces({}))).toBe(403);
    expect(await statusOf(core.listSecretForAllNamespaces({}))).toBe(200);
  });

  it(
    'grants a minted user exactly what a RoleBinding gives it',
    async () => {
      const user = 'control-plane-test-viewer';
      const asUser = kubeConfig(await kubeconfigFor(user)).makeApiClient(CoreV1Api);
      expect(await statusOf(asUser.listNamespacedPod({ namespace: NS }))).toBe(403);

      const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace: NS,
        body: {
          metadata: { name: 'pod-reader' },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: NS,
        body: {
          metadata: { name: 'pod-reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
        },
      });
      // RBAC reads through an informer cache: poll briefly for the binding to take effect.
      await waitUntil(
        async () => (await statusOf(asUser.listNamespacedPod({ namespace: NS }))) === 200,
        {
          what: 'the RoleBinding to take effect',
          timeoutMs: 10_000,
        },
      );
      expect(await statusOf(asUser.listNamespacedPod({ namespace: 'default' }))).toBe(403);
      expect(await statusOf(asUser.listNamespacedSecret({ namespace: NS }))).toBe(403);
    },
    SLOW,
  );
});

describe('kube-controller-manager and kwok', () => {
  it('runs pods', () => {
    // Without kube-scheduler and kwok no pod ever runs; hack/build-binaries.sh builds both.
    expect({ podsRunByKwok: testCluster().podsRunByKwok }).toEqual({ podsRunByKwok: true });
  });

  it(
    'gives a Deployment a ReplicaSet and, with kwok, ready pods and Available=True',
    async () => {
      await apps.createNamespacedDeployment({ namespace: NS, body: deployment('web', 2) });
      await waitUntil(
        async () => {
          const d = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
          const available = d.status?.conditions?.find((c) => c.type === 'Available')?.status;
          return d.status?.readyReplicas === 2 && available === 'True';
        },
        { what: 'deployment web: 2 ready replicas, Available=True', timeoutMs: 30_000 },
      );
      const sets = await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=web' });
      expect(sets.items).toHaveLength(1);
      expect(sets.items[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'Deployment',
        name: 'web',
      });
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' });
      expect(pods.items.map((p) => [p.spec?.nodeName, p.status?.phase])).toEqual([
        ['kwok-node-0', 'Running'],
        ['kwok-node-0', 'Running'],
      ]);
    },
    SLOW,
  );

  it(
    'publishes the ready pods of a Service in an EndpointSlice',
    async () => {
      await core.createNamespacedService({
        namespace: NS,
        body: {
          metadata: { name: 'web' },
          spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
        },
      });
      const slices = kubeConfig().makeApiClient(DiscoveryV1Api);
      await waitUntil(
        async () => {
          const list = await slices.listNamespacedEndpointSlice({
            namespace: NS,
            labelSelector: 'kubernetes.io/service-name=web',
          });
          const ready = list.items
            .flatMap((s) => s.endpoints ?? [])
            .filter((e) => e.conditions?.ready === true);
          return ready.length === 2;
        },
        { what: 'an EndpointSlice with 2 ready endpoints for service web', timeoutMs: 30_000 },
      );
    },
    SLOW,
  );

  it(
    `keeps pods annotated ${READY_ANNOTATION}: "false" running but unready, and follows the annotation`,
    async () => {
      await apps.createNamespacedDeployment({
        namespace: NS,
        body: deployment('unready', 1, { [READY_ANNOTATION]: 'false' }),
      });
      const podOf = async () =>
        (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=unready' })).items[0];
      const readyOf = (p: Awaited<ReturnType<typeof podOf>>) =>
        p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      await waitUntil(async () => (await podOf())?.status?.phase === 'Running', {
        what: 'the unready pod to run',
        timeoutMs: 30_000,
      });
      expect(readyOf(await podOf())).toBe('False');
      const d = await apps.readNamespacedDeployment({ name: 'unready', namespace: NS });
      expect(d.status?.readyReplicas ?? 0).toBe(0);

      const name = (await podOf())?.metadata?.name ?? '';
      const flip = await kubectl([
        'annotate',
        '-n',
        NS,
        'pod',
        name,
        '--overwrite',
        `${READY_ANNOTATION}=true`,
      ]);
      expect(flip.code).toBe(0);
      await waitUntil(async () => readyOf(await podOf()) === 'True', {
        what: 'the pod to become ready',
        timeoutMs: 30_000,
      });
      await kubectl([
        'annotate',
        '-n',
        NS,
        'pod',
        name,
        '--overwrite',
        `${READY_ANNOTATION}=false`,
      ]);
      await waitUntil(async () => readyOf(await podOf()) === 'False', {
        what: 'the pod to become unready',
        timeoutMs: 30_000,
      });
    },
    SLOW,
  );
});

describe('teardown', () => {
  it(
    'a second control plane mints identities, and stop() ends every child and removes the temp dir',
    async () => {
      const cp = await startControlPlane({ crdDirs: [] });
      expect(cp.server).not.toBe(testCluster().server);
      const minted = await cp.kubeconfigFor('teardown-user', ['teardown-group']);
      const whoami = await cp.kubectl(
        ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}'],
        { kubeconfig: minted },
      );
      expect(whoami).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^teardown-user .*teardown-group/) as unknown,
      });
      const children = processesMentioning(cp.dir);
      // etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and the watchdog.
      expect(children.length).toBeGreaterThanOrEqual(6);
      await cp.stop();
      expect(processesMentioning(cp.dir)).toEqual([]);
      expect(existsSync(cp.dir)).toBe(false);
      await cp.stop(); // idempotent
    },
    START_AND_STOP,
  );

  const childScript = fileURLToPath(new URL('./helpers/control-plane-child.ts', import.meta.url));

  /** Starts helpers/control-plane-child.ts in its own Node process; resolves with its temp dir. */
  async function startInChild(): Promise<{
    pid: number;
    dir: string;
    exited: Promise<NodeJS.Signals | number | null>;
  }> {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
      child.on('exit', (code, signal) => {
        resolve(signal ?? code);
      });
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => {
        reject(new Error(`control-plane child exited (${String(code)}) before it was ready`));
      });
    });
    const { dir } = JSON.parse(line) as { dir: string };
    if (child.pid === undefined) throw new Error('control-plane child has no pid');
    return { pid: child.pid, dir, exited };
  }

  const gone = (dir: string) => () =>
    Promise.resolve(processesMentioning(dir).length === 0 && !existsSync(dir));

  it(
    'cleans up when the process that started it gets SIGTERM',
    async () => {
      const { pid, dir, exited } = await startInChild();
      expect(processesMentioning(dir).length).toBeGreaterThanOrEqual(3);
      process.kill(pid, 'SIGTERM');
      // The hook stops everything, then re-raises SIGTERM so the process ends as it would have.
      expect(await exited).toBe('SIGTERM');
      expect(processesMentioning(dir)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    },
    START_AND_STOP,
  );

  it(
    'cleans up through the watchdog when the process that started it is SIGKILLed',
    async () => {
      const { pid, dir, exited } = await startInChild();
      expect(processesMentioning(dir).length).toBeGreaterThanOrEqual(3);
      process.kill(pid, 'SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await waitUntil(gone(dir), {
        what: `the watchdog to clean up ${dir}`,
        timeoutMs: 20_000,
        intervalMs: 250,
      });
    },
    START_AND_STOP,
  );
});
