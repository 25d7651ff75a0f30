// initializeWorkload / finalizeWorkload on the real API server: nothing routes to the primary
// (no TrafficSplit, no apex takeover) while its pods are not ready; then split 100/0 and apex
// takeover; on deletion the apex is handed back and the split removed.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../../src/kube/resources.js';
import { createTrafficRouter } from '../../../src/routing/factory.js';
import type { ServiceJson } from '../../../src/workload/k8s-types.js';
import {
  finalizeWorkload,
  initializeWorkload,
  type LifecycleDeps,
  type StepResult,
} from '../../../src/canary/lifecycle.js';
import { testCluster } from '../helpers/env.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from '../kube-fixtures.js';
import {
  createCanary,
  deployment,
  routerDeps,
  startCaches,
  workloadDeps,
  type Caches,
} from '../workload/harness.js';

jest.setTimeout(120_000);

const NS = 'workload-lifecycle';
let raw: KubeRawClient;
let caches: Caches;
let deps: LifecycleDeps;

beforeAll(async () => {
  if (!testCluster().podsRunByKwok) {
    throw new Error('needs pods run by kwok in the local control plane: run `bash hack/setup.sh`');
  }
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  caches = await startCaches(raw, NS);
  deps = { ...workloadDeps(raw, caches), slices: caches.slices };
});

afterAll(async () => {
  await caches.stop();
  await deleteNamespace(raw, NS);
});

describe('initializeWorkload / finalizeWorkload', () => {
  it('routes nothing to a primary that is not ready, then initializes and hands back', async () => {
    // The app as it ran before weightlifter: a Deployment whose (copied) pods start unready, and
    // its own Service, opted in to takeover.
    await raw.create(collectionPath(BUILTIN.deployments, NS), deployment('shop', { ready: false }));
    await raw.create(collectionPath(BUILTIN.services, NS), {
      metadata: { name: 'shop', annotations: { 'weightlifter.io/takeover': 'true' } },
      spec: { selector: { app: 'shop' }, ports: [{ port: 9898 }] },
    });
    const canary = await createCanary(raw, NS, 'shop');
    const router = await createTrafficRouter(canary, await routerDeps(raw, caches));
    await eventually('target cached', () => caches.deployments.getByName(NS, 'shop') !== undefined);

    let last: StepResult | undefined;
    const step = async (): Promise<StepResult> =>
      (last = await initializeWorkload(deps, canary, router));
    // Several reconciles while the primary's pods are not ready: still waiting, nothing routed.
    await eventually('primary pods exist but are unready', async () => {
      const r = await step();
      const p = caches.deployments.getByName(NS, 'shop-primary');
      return r.state === 'waiting' && (p?.status?.replicas ?? 0) > 0;
    });
    expect(last).toMatchObject({ state: 'waiting' });
    expect(router.getRoutes()).toBeNull();
    const apexBefore = await raw.get<ServiceJson>(objectPath(BUILTIN.services, NS, 'shop'));
    expect(apexBefore.spec?.selector).toEqual({ app: 'shop' });

    // The primary's pods become ready.
    await raw.patch(objectPath(BUILTIN.deployments, NS, 'shop-primary'), {
      spec: {
        template: { metadata: { annotations: { 'emulator.weightlifter.io/ready': 'true' } } },
      },
    });
    await eventually('initialized', async () => (await step()).state === 'done', 60_000, 200);
    await eventually('split cached', () => router.getRoutes() !== null);
    expect(router.getRoutes()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    const apex = await raw.get<ServiceJson>(objectPath(BUILTIN.services, NS, 'shop'));
    expect(apex.spec?.selector).toEqual({ app: 'shop-primary' });

    await eventually(
      'apex cached',
      () => caches.services.getByName(NS, 'shop')?.spec?.selector?.['app'] === 'shop-primary',
    );
    expect(await finalizeWorkload(deps, canary, router)).toEqual({ state: 'done' });
    const back = await raw.get<ServiceJson>(objectPath(BUILTIN.services, NS, 'shop'));
    expect(back.spec?.selector).toEqual({ app: 'shop' });
    await eventually('split deleted', () => router.getRoutes() === null);
  });
});
