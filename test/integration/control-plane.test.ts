// The local control plane is a real Kubernetes control plane: the real kube-apiserver answers
// (version, RBAC), the real kube-controller-manager turns Deployments into ReplicaSets, kwok runs
// the pods, and stopping it — or killing the process that started it — leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { READY_ANNOTATION } from '../../dev/local/kwok-stages.js';
import { startControlPlane } from '../../dev/local/control-plane.js';
import { waitUntil } from '../../dev/local/wait.js';
import { KubeApiError } from '../../src/kube/errors.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import type { DeploymentJson } from '../../src/workload/k8s-types.js';
import { kubeconfigFor, kubectl, rawClient, testCluster } from './helpers/env.js';
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
    if (err instanceof KubeApiError) return err.status;
    throw err;
  }
};

const deployment = (
  name: string,
  replicas: number,
  annotations: Record<string, string> = {},
): DeploymentJson => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
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

interface Pod extends KubeObject {
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}
interface EndpointSlice extends KubeObject {
  endpoints?: { conditions?: { ready?: boolean } }[];
}
interface List<T> {
  items: T[];
}

const core = (path: string): string => `/api/v1/namespaces/${NS}${path}`;
const apps = (path: string): string => `/apis/apps/v1/namespaces/${NS}${path}`;
const listOf = <T>(raw: KubeRawClient, path: string, labelSelector?: string) =>
  raw.get<List<T>>(path, labelSelector === undefined ? {} : { labelSelector });

let admin: KubeRawClient;

beforeAll(async () => {
  admin = rawClient();
  await admin.create('/api/v1/namespaces', { metadata: { name: NS } });
}, SLOW);

afterAll(async () => {
  await admin.delete(`/api/v1/namespaces/${NS}`);
});

describe('the kube-apiserver', () => {
  it('reports the version it was built from', async () => {
    const version = await admin.get<{ gitVersion: string; major: string; minor: string }>(
      '/version',
    );
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
    const asController = rawClient(testCluster().controllerKubeconfig);
    expect(await statusOf(asController.get('/api/v1/secrets'))).toBe(403);
    expect(await statusOf(admin.get('/api/v1/secrets'))).toBe(200);
  });

  it(
    'grants a minted user exactly what a RoleBinding gives it',
    async () => {
      const user = 'control-plane-test-viewer';
      const asUser = rawClient(await kubeconfigFor(user));
      expect(await statusOf(asUser.get(core('/pods')))).toBe(403);

      const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}`;
      await admin.create(`${rbac}/roles`, {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      });
      await admin.create(`${rbac}/rolebindings`, {
        metadata: { name: 'pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      });
      // RBAC reads through an informer cache: poll briefly for the binding to take effect.
      await waitUntil(async () => (await statusOf(asUser.get(core('/pods')))) === 200, {
        what: 'the RoleBinding to take effect',
        timeoutMs: 10_000,
      });
      expect(await statusOf(asUser.get('/api/v1/namespaces/default/pods'))).toBe(403);
      expect(await statusOf(asUser.get(core('/secrets')))).toBe(403);
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
      await admin.create(apps('/deployments'), deployment('web', 2));
      await waitUntil(
        async () => {
          const d = await admin.get<DeploymentJson>(apps('/deployments/web'));
          const available = d.status?.conditions?.find((c) => c.type === 'Available')?.status;
          return d.status?.readyReplicas === 2 && available === 'True';
        },
        { what: 'deployment web: 2 ready replicas, Available=True', timeoutMs: 30_000 },
      );
      const sets = await listOf<KubeObject>(admin, apps('/replicasets'), 'app=web');
      expect(sets.items).toHaveLength(1);
      expect(sets.items[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'Deployment',
        name: 'web',
      });
      const pods = await listOf<Pod>(admin, core('/pods'), 'app=web');
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
      await admin.create(core('/services'), {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
      await waitUntil(
        async () => {
          const list = await listOf<EndpointSlice>(
            admin,
            `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`,
            'kubernetes.io/service-name=web',
          );
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
      await admin.create(
        apps('/deployments'),
        deployment('unready', 1, { [READY_ANNOTATION]: 'false' }),
      );
      const podOf = async () => (await listOf<Pod>(admin, core('/pods'), 'app=unready')).items[0];
      const readyOf = (p: Awaited<ReturnType<typeof podOf>>) =>
        p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      await waitUntil(async () => (await podOf())?.status?.phase === 'Running', {
        what: 'the unready pod to run',
        timeoutMs: 30_000,
      });
      expect(readyOf(await podOf())).toBe('False');
      const d = await admin.get<DeploymentJson>(apps('/deployments/unready'));
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
