// The endpoint gate on the real API server: EndpointSlices written by Kubernetes' own
// EndpointSlice controller for pods that kwok runs. A weight change towards a canary whose pods
// are not Ready is held (the split keeps its weights), and goes through once they are — the
// check the controller makes before every setRoutes (src/canary/actors.ts, routeTraffic).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../../src/kube/resources.js';
import {
  canaryEndpoints,
  checkRouteChange,
  serviceEndpoints,
} from '../../../src/routing/endpoints.js';
import { createTrafficRouter } from '../../../src/routing/factory.js';
import { splitRef, type LiveSplit } from '../../../src/routing/traffic-split.js';
import { initializeWorkload, type LifecycleDeps } from '../../../src/canary/lifecycle.js';
import { testCluster } from '../helpers/env.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from '../kube-fixtures.js';
import {
  cached,
  createCanary,
  deployment,
  routerDeps,
  startCaches,
  workloadDeps,
  type Caches,
} from '../workload/harness.js';

jest.setTimeout(120_000);

const NS = 'routing-endpoint-gate';
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

const readyAnnotation = (ready: boolean) => ({
  spec: {
    template: {
      metadata: { annotations: { 'emulator.weightlifter.io/ready': String(ready) } },
    },
  },
});

describe('the endpoint gate', () => {
  it('holds a weight change to a canary without ready endpoints, then lets it through', async () => {
    // The target's pods never become Ready until the test says so; the primary (a copy of the
    // target) is made Ready so that initialization can route 100/0 to it.
    await raw.create(collectionPath(BUILTIN.deployments, NS), deployment('shop', { ready: false }));
    const canary = await createCanary(raw, NS, 'shop');
    const router = await createTrafficRouter(canary, await routerDeps(raw, caches));
    await cached('target cached', () => caches.deployments.getByName(NS, 'shop'));
    await eventually('primary created', async () => {
      await initializeWorkload(deps, canary, router);
      return caches.deployments.getByName(NS, 'shop-primary') !== undefined;
    });
    await raw.patch(objectPath(BUILTIN.deployments, NS, 'shop-primary'), readyAnnotation(true));
    await eventually(
      'initialized',
      async () => (await initializeWorkload(deps, canary, router)).state === 'done',
      60_000,
      200,
    );
    await cached('split cached', () => router.getRoutes() ?? undefined);
    expect(router.getRoutes()).toEqual({ primaryWeight: 100, canaryWeight: 0 });

    // The canary's pod exists (kwok runs it) but is not Ready.
    await cached(
      'the target has an unready pod',
      () => caches.deployments.getByName(NS, 'shop'),
      (d) => (d.status?.replicas ?? 0) >= 1 && (d.status?.readyReplicas ?? 0) === 0,
      60_000,
    );
    // Listed in the canary Service's EndpointSlice as not ready: held for readiness, not absence.
    await eventually(
      'an unready endpoint of shop-canary',
      () => {
        const endpoints = serviceEndpoints(caches.slices, NS, 'shop-canary');
        return endpoints.state === 'notReady' && endpoints.notReady >= 1;
      },
      60_000,
      200,
    );
    const desired = { primaryWeight: 90, canaryWeight: 10 };
    const gate = () =>
      checkRouteChange(router.getRoutes(), desired, canaryEndpoints(canary, caches.slices));
    expect(gate()).toEqual({
      allowed: false,
      backend: 'canary',
      reason: 'Service shop-canary has 0 ready endpoint(s), needs 1',
    });
    // Held: nothing was written, the live split still sends everything to the primary.
    const held = await raw.get<LiveSplit>(objectPath(splitRef('v1alpha4'), NS, 'shop'));
    expect(held.spec?.backends).toEqual([
      { service: 'shop-primary', weight: 100 },
      { service: 'shop-canary', weight: 0 },
    ]);

    // The canary's pods become Ready: the endpoint slice controller marks the endpoint ready and
    // the same change is allowed.
    await raw.patch(objectPath(BUILTIN.deployments, NS, 'shop'), readyAnnotation(true));
    await eventually('gate open', () => gate().allowed, 60_000, 200);
    await router.setRoutes(desired.primaryWeight, desired.canaryWeight);
    const moved = await raw.get<LiveSplit>(objectPath(splitRef('v1alpha4'), NS, 'shop'));
    expect(moved.spec?.backends).toEqual([
      { service: 'shop-primary', weight: 90 },
      { service: 'shop-canary', weight: 10 },
    ]);
  });
});
