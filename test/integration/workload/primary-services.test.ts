// Workload objects on the real kube-apiserver (+ kube-controller-manager for GC): the primary
// Deployment and its config copies, the three Services, promotion, the takeover rule for a
// pre-existing apex Service, and handing the apex back.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import { OwnershipError } from '../../../src/kube/diff-patch.js';
import { isNotFound } from '../../../src/kube/errors.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import {
  BUILTIN,
  collectionPath,
  objectPath,
  type ResourceRef,
} from '../../../src/kube/resources.js';
import { targetRevision } from '../../../src/workload/config-tracking.js';
import type { WorkloadDeps } from '../../../src/workload/deps.js';
import { TakeoverRefusedError, conditionReasonOf } from '../../../src/workload/errors.js';
import type { ConfigJson, DeploymentJson, ServiceJson } from '../../../src/workload/k8s-types.js';
import { ensurePrimary, promotePrimary } from '../../../src/workload/primary.js';
import {
  ensureApexService,
  ensureBackendServices,
  releaseApexService,
} from '../../../src/workload/services.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from '../kube-fixtures.js';
import {
  CANARIES,
  cached,
  createCanary,
  deployment,
  retryConflicts,
  startCaches,
  workloadDeps,
  type Caches,
} from './harness.js';

jest.setTimeout(150_000);

const NS = 'workload-primary';
let raw: KubeRawClient;
let caches: Caches;
let deps: WorkloadDeps;

const get = <T>(ref: ResourceRef, name: string) => raw.get<T>(objectPath(ref, NS, name));
const create = (ref: ResourceRef, body: unknown) =>
  raw.create<KubeObject>(collectionPath(ref, NS), body);
const gone = (ref: ResourceRef, name: string) =>
  get(ref, name).then(
    () => false,
    (e: unknown) => {
      if (isNotFound(e)) return true;
      throw e;
    },
  );
/** Waits until the caches hold an object at least as new as `rv`. */
const seen = (
  reader: {
    getByName(ns: string, n: string): { metadata?: { resourceVersion?: string } } | undefined;
  },
  name: string,
  rv: string | undefined,
) =>
  cached(
    `${name} at ${rv ?? '?'}`,
    () => reader.getByName(NS, name),
    (o) => Number(o.metadata?.resourceVersion) >= Number(rv),
  );

function podinfo(image: string, withNodeSelector: boolean): DeploymentJson {
  const d = deployment('podinfo', {
    replicas: 2,
    env: [
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'a' } } },
      { name: 'K', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'settings' } }],
    ...(withNodeSelector ? { nodeSelector: { disk: 'ssd' } } : {}),
  });
  const c = d.spec?.template?.spec?.containers?.[0];
  if (c !== undefined) c['image'] = image;
  return d;
}

let canary: Canary;

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  caches = await startCaches(raw, NS);
  deps = workloadDeps(raw, caches);
  await create(BUILTIN.configMaps, {
    metadata: { name: 'settings', labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } },
    data: { a: '1' },
  });
  await create(BUILTIN.secrets, {
    metadata: { name: 'creds' },
    type: 'Opaque',
    data: { k: 'djE=' },
  });
  const t = (await create(BUILTIN.deployments, podinfo('podinfo:1', true))) as DeploymentJson;
  canary = await createCanary(raw, NS, 'podinfo');
  await seen(caches.deployments, 'podinfo', t.metadata?.resourceVersion);
  await cached('configs', () => caches.secrets.getByName(NS, 'creds'));
  await cached('configs', () => caches.configMaps.getByName(NS, 'settings'));
});

afterAll(async () => {
  await caches.stop();
  await deleteNamespace(raw, NS);
});

describe('primary Deployment', () => {
  it('is created as an owned copy with distinct labels and -primary configs', async () => {
    const target = caches.deployments.getByName(NS, 'podinfo');
    if (target === undefined) throw new Error('no target');
    const rev = targetRevision(target, caches);
    expect(await ensurePrimary(deps, canary)).toEqual({
      action: 'created',
      revision: rev.revision,
    });

    const p = await get<DeploymentJson>(BUILTIN.deployments, 'podinfo-primary');
    expect(p.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Canary',
        name: 'podinfo',
        uid: canary.metadata.uid,
        controller: true,
      }),
    ]);
    expect(p.spec?.selector).toEqual({ matchLabels: { app: 'podinfo-primary' } });
    expect(p.spec?.replicas).toBe(2);
    expect(p.metadata?.annotations?.['weightlifter.io/revision']).toBe(rev.revision);
    const tmpl = p.spec?.template;
    expect(tmpl?.metadata?.labels).toEqual({ app: 'podinfo-primary' });
    expect(tmpl?.spec?.containers?.[0]?.env).toEqual([
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'settings-primary', key: 'a' } } },
      { name: 'K', valueFrom: { secretKeyRef: { name: 'creds-primary', key: 'k' } } },
    ]);
    expect(tmpl?.spec?.volumes?.[0]?.configMap?.name).toBe('settings-primary');

    const cm = await get<ConfigJson>(BUILTIN.configMaps, 'settings-primary');
    expect(cm.data).toEqual({ a: '1' });
    expect(cm.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'weightlifter' });
    expect(cm.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ uid: canary.metadata.uid, controller: false }),
    ]);
    const secret = await get<ConfigJson>(BUILTIN.secrets, 'creds-primary');
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({ k: 'djE=' });
  });

  it('is left alone once it exists', async () => {
    const live = await cached('primary cached', () =>
      caches.deployments.getByName(NS, 'podinfo-primary'),
    );
    // generation, not resourceVersion: the Deployment controller keeps writing the status.
    const generation = live.metadata?.generation;
    expect((await ensurePrimary(deps, canary)).action).toBe('unchanged');
    expect(
      (await get<DeploymentJson>(BUILTIN.deployments, 'podinfo-primary')).metadata?.generation,
    ).toBe(generation);
  });

  it('is not an error when the cache has not seen our own create yet (409 AlreadyExists)', async () => {
    const live = await get<DeploymentJson>(BUILTIN.deployments, 'podinfo-primary');
    // The cache lags behind the API server: it does not hold the primary yet.
    const lagging = {
      ...deps,
      caches: {
        ...caches,
        deployments: {
          getByName: (ns: string | undefined, name: string) =>
            name === 'podinfo-primary' ? undefined : caches.deployments.getByName(ns, name),
          list: (ns?: string) => caches.deployments.list(ns),
        },
      },
    };
    expect(await ensurePrimary(lagging, canary)).toEqual({ action: 'unchanged', revision: null });
    expect(
      (await get<DeploymentJson>(BUILTIN.deployments, 'podinfo-primary')).metadata?.generation,
    ).toBe(live.metadata?.generation);
  });

  it('promotion copies the new template and config data, replacing removed fields', async () => {
    const cm = await raw.patch<ConfigJson>(objectPath(BUILTIN.configMaps, NS, 'settings'), {
      data: { a: '2' },
    });
    // What a GitOps apply of the next version does: new image, nodeSelector removed.
    const t = await raw.patch<DeploymentJson>(objectPath(BUILTIN.deployments, NS, 'podinfo'), {
      spec: {
        template: {
          spec: {
            nodeSelector: null,
            containers: podinfo('podinfo:2', false).spec?.template?.spec?.containers ?? [],
          },
        },
      },
    });
    await seen(caches.configMaps, 'settings', cm.metadata?.resourceVersion);
    const target = await seen(caches.deployments, 'podinfo', t.metadata?.resourceVersion);
    const rev = targetRevision(target, caches).revision;

    const before = (await get<DeploymentJson>(BUILTIN.deployments, 'podinfo-primary')).metadata
      ?.generation;
    expect(await promotePrimary(deps, canary, 'some-older-revision')).toEqual({
      action: 'revisionChanged',
      revision: rev,
    });
    expect(
      (await get<DeploymentJson>(BUILTIN.deployments, 'podinfo-primary')).metadata?.generation,
    ).toBe(before);

    expect(await retryConflicts(() => promotePrimary(deps, canary, rev))).toEqual({
      action: 'patched',
      revision: rev,
    });
    const p = await get<DeploymentJson>(BUILTIN.deployments, 'podinfo-primary');
    expect(p.spec?.template?.spec?.containers?.[0]?.['image']).toBe('podinfo:2');
    expect(p.spec?.template?.spec?.['nodeSelector']).toBeUndefined();
    expect(p.spec?.template?.metadata?.annotations?.['weightlifter.io/revision']).toBe(rev);
    expect((await get<ConfigJson>(BUILTIN.configMaps, 'settings-primary')).data).toEqual({
      a: '2',
    });

    await seen(caches.deployments, 'podinfo-primary', p.metadata?.resourceVersion);
    await cached(
      'copy cached',
      () => caches.configMaps.getByName(NS, 'settings-primary'),
      (c) => c.data?.['a'] === '2',
    );
    expect(await retryConflicts(() => promotePrimary(deps, canary, rev))).toEqual({
      action: 'unchanged',
      revision: rev,
    });
  });

  it('refuses to overwrite a user object named <config>-primary', async () => {
    await create(BUILTIN.configMaps, { metadata: { name: 'other' }, data: { x: '1' } });
    const mine = await create(BUILTIN.configMaps, {
      metadata: { name: 'other-primary' },
      data: { mine: 'yes' },
    });
    const d = deployment('app2', {
      env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'other', key: 'x' } } }],
    });
    await create(BUILTIN.deployments, d);
    const c2 = await createCanary(raw, NS, 'app2');
    await cached('app2 cached', () => caches.deployments.getByName(NS, 'app2'));
    await cached('copy cached', () => caches.configMaps.getByName(NS, 'other-primary'));
    await expect(ensurePrimary(deps, c2)).rejects.toThrow(OwnershipError);
    expect(
      (await get<ConfigJson>(BUILTIN.configMaps, 'other-primary')).metadata?.resourceVersion,
    ).toBe(mine.metadata?.resourceVersion);
    expect(await gone(BUILTIN.deployments, 'app2-primary')).toBe(true);
  });
});

describe('Services', () => {
  it('creates -primary, -canary and the apex with owner references', async () => {
    expect(await ensureBackendServices(deps, canary)).toEqual({
      primary: 'created',
      canary: 'created',
    });
    expect(await ensureApexService(deps, canary)).toBe('created');
    const sel = async (n: string) => (await get<ServiceJson>(BUILTIN.services, n)).spec?.selector;
    expect(await sel('podinfo')).toEqual({ app: 'podinfo-primary' });
    expect(await sel('podinfo-primary')).toEqual({ app: 'podinfo-primary' });
    expect(await sel('podinfo-canary')).toEqual({ app: 'podinfo' });
    const apex = await get<ServiceJson>(BUILTIN.services, 'podinfo');
    expect(apex.spec?.ports).toEqual([
      { name: 'http', port: 9898, targetPort: 9898, protocol: 'TCP' },
    ]);
    expect(apex.metadata?.ownerReferences?.[0]).toMatchObject({
      uid: canary.metadata.uid,
      controller: true,
    });
  });

  it('is converged: nothing sent on the next reconcile', async () => {
    for (const n of ['podinfo', 'podinfo-primary', 'podinfo-canary']) {
      await cached(`${n} cached`, () => caches.services.getByName(NS, n));
    }
    expect(await ensureBackendServices(deps, canary)).toEqual({
      primary: 'unchanged',
      canary: 'unchanged',
    });
    expect(await ensureApexService(deps, canary)).toBe('unchanged');
  });

  it('repairs selector drift on an owned Service, removing added keys', async () => {
    const s = await raw.patch<ServiceJson>(objectPath(BUILTIN.services, NS, 'podinfo-canary'), {
      spec: { selector: { app: 'x', extra: 'y' } },
    });
    await seen(caches.services, 'podinfo-canary', s.metadata?.resourceVersion);
    expect((await ensureBackendServices(deps, canary)).canary).toBe('patched');
    expect((await get<ServiceJson>(BUILTIN.services, 'podinfo-canary')).spec?.selector).toEqual({
      app: 'podinfo',
    });
  });

  it('refuses a pre-existing apex Service without the takeover annotation', async () => {
    await create(BUILTIN.deployments, deployment('legacy'));
    const svc = await create(BUILTIN.services, {
      metadata: { name: 'legacy', annotations: { note: 'mine' } },
      spec: { selector: { app: 'legacy' }, ports: [{ name: 'web', port: 80, targetPort: 9898 }] },
    });
    const legacy = await createCanary(raw, NS, 'legacy');
    await cached('legacy cached', () => caches.deployments.getByName(NS, 'legacy'));
    await seen(caches.services, 'legacy', svc.metadata?.resourceVersion);
    const err = await ensureApexService(deps, legacy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TakeoverRefusedError);
    expect(conditionReasonOf(err)).toBe('NotOwned');
    expect((err as Error).message).toMatch(/weightlifter\.io\/takeover="true"/);
    expect((await get<ServiceJson>(BUILTIN.services, 'legacy')).metadata?.resourceVersion).toBe(
      svc.metadata?.resourceVersion,
    );
  });

  it('takes it over with the annotation (selector only, no owner reference) and gives it back', async () => {
    const legacy = await raw.get<Canary>(objectPath(CANARIES, NS, 'legacy'));
    const annotated = await raw.patch<ServiceJson>(objectPath(BUILTIN.services, NS, 'legacy'), {
      metadata: { annotations: { 'weightlifter.io/takeover': 'true' } },
    });
    await seen(caches.services, 'legacy', annotated.metadata?.resourceVersion);
    expect(await ensureApexService(deps, legacy)).toBe('takenOver');
    const taken = await get<ServiceJson>(BUILTIN.services, 'legacy');
    expect(taken.spec?.selector).toEqual({ app: 'legacy-primary' });
    expect(taken.spec?.ports).toEqual([
      { name: 'web', port: 80, targetPort: 9898, protocol: 'TCP' },
    ]);
    expect(taken.metadata?.ownerReferences).toBeUndefined();
    expect(taken.metadata?.annotations).toMatchObject({
      note: 'mine',
      'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
      'weightlifter.io/taken-over': JSON.stringify({
        canary: 'legacy',
        selector: { app: 'legacy' },
        addedAnnotations: [
          'kustomize.toolkit.fluxcd.io/reconcile',
          'helm.toolkit.fluxcd.io/driftDetection',
        ],
      }),
    });
    await seen(caches.services, 'legacy', taken.metadata?.resourceVersion);
    expect(await ensureApexService(deps, legacy)).toBe('unchanged');

    expect(await releaseApexService(deps, legacy)).toBe('released');
    const back = await get<ServiceJson>(BUILTIN.services, 'legacy');
    expect(back.spec?.selector).toEqual({ app: 'legacy' });
    expect(back.metadata?.annotations).toEqual({
      note: 'mine',
      'weightlifter.io/takeover': 'true',
    });
    expect(back.metadata?.labels).toBeUndefined();
  });

  it('hands an owned apex back to the target pods, then GC removes only what was ours', async () => {
    expect(await releaseApexService(deps, canary)).toBe('released');
    const apex = await get<ServiceJson>(BUILTIN.services, 'podinfo');
    expect(apex.spec?.selector).toEqual({ app: 'podinfo' });
    expect(apex.metadata?.ownerReferences ?? []).toEqual([]);
    expect(apex.metadata?.labels ?? {}).toEqual({});

    await raw.delete(objectPath(CANARIES, NS, 'podinfo'));
    await eventually(
      'GC of the primary and backend Services',
      async () =>
        (await gone(BUILTIN.deployments, 'podinfo-primary')) &&
        (await gone(BUILTIN.services, 'podinfo-primary')) &&
        (await gone(BUILTIN.services, 'podinfo-canary')) &&
        (await gone(BUILTIN.configMaps, 'settings-primary')),
      // The garbage collector notices a deleted owner on its own schedule (tens of seconds).
      120_000,
      500,
    );
    expect(await gone(BUILTIN.services, 'podinfo')).toBe(false);
    expect(await gone(BUILTIN.deployments, 'podinfo')).toBe(false);
  });
});

describe('a config shared by two Canaries', () => {
  it('gets one -primary copy owned by both, which outlives either one', async () => {
    await create(BUILTIN.configMaps, { metadata: { name: 'shared' }, data: { s: '1' } });
    const env = [{ name: 'S', valueFrom: { configMapKeyRef: { name: 'shared', key: 's' } } }];
    await create(BUILTIN.deployments, deployment('twin-a', { env }));
    await create(BUILTIN.deployments, deployment('twin-b', { env }));
    const a = await createCanary(raw, NS, 'twin-a');
    const b = await createCanary(raw, NS, 'twin-b');
    await cached('twins cached', () => caches.deployments.getByName(NS, 'twin-b'));
    await cached('shared cached', () => caches.configMaps.getByName(NS, 'shared'));
    expect((await ensurePrimary(deps, a)).action).toBe('created');
    await cached('copy cached', () => caches.configMaps.getByName(NS, 'shared-primary'));
    expect((await ensurePrimary(deps, b)).action).toBe('created');
    const copy = await get<ConfigJson>(BUILTIN.configMaps, 'shared-primary');
    expect(copy.metadata?.ownerReferences?.map((r) => [r.name, r.controller])).toEqual([
      ['twin-a', false],
      ['twin-b', false],
    ]);

    await raw.delete(objectPath(CANARIES, NS, 'twin-a'));
    await eventually(
      'GC of twin-a-primary and its owner reference on the shared copy',
      async () => {
        if (!(await gone(BUILTIN.deployments, 'twin-a-primary'))) return false;
        const c = await get<ConfigJson>(BUILTIN.configMaps, 'shared-primary');
        return c.metadata?.ownerReferences?.map((r) => r.name).join() === 'twin-b';
      },
      120_000,
      500,
    );
    expect((await get<ConfigJson>(BUILTIN.configMaps, 'shared-primary')).data).toEqual({ s: '1' });
  });
});
