// The controller's caches (createCaches, as main.ts builds them) against the real kube-apiserver:
// a route object keeps the time of its last write (its newest managedFields time, the rest of
// managedFields dropped), and observe() reports it as Observed.routesWrittenAt, so the engine can
// measure a weight only from after a write it did not see happen (a hand edit while it was down).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import type { Canary } from '../../../src/api/canary.js';
import {
  createCaches,
  type CanaryJson,
  type ControllerCaches,
} from '../../../src/canary/caches.js';
import { observe } from '../../../src/canary/observe.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { collectionPath, objectPath } from '../../../src/kube/resources.js';
import { lastWriteTime } from '../../../src/kube/write-time.js';
import { createRouters } from '../../../src/routing/factory.js';
import type { Router } from '../../../src/routing/types.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from '../kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'route-write-time';
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
let raw: KubeRawClient;
let routers: Router[];
let caches: ControllerCaches;

const canary: CanaryJson = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { namespace: NS, name: 'web', uid: 'uid-web', generation: 1 },
  spec: { targetRef: { name: 'web' }, service: { port: 80 } },
};

const split = (canaryWeight: number) => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: { namespace: NS, name: 'web' },
  spec: {
    service: 'web',
    backends: [
      { service: 'web-primary', weight: 100 - canaryWeight },
      { service: 'web-canary', weight: canaryWeight },
    ],
  },
});

const cachedSplit = (): KubeObject | undefined => caches.routed.objectsOf(canary)[0]?.cached;

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  routers = await createRouters({ raw, logger, now: () => Date.now() });
  const ref = routers[0]?.resources()[0];
  if (ref === undefined) {
    throw new Error(
      'no TrafficSplit version served: the local control plane installs the SMI CRDs',
    );
  }
  caches = createCaches({
    raw,
    logger,
    namespaces: [NS],
    controllerNamespace: NS,
    routers,
    endpointGate: false,
  });
  for (const c of caches.all) c.start();
  await eventually('caches synced', () => caches.all.every((c) => c.hasSynced()));
});

afterAll(async () => {
  await Promise.all(caches.all.map((c) => c.stop()));
  await deleteNamespace(raw, NS);
});

describe('the last write time of a route object', () => {
  it('is kept by the cache, moves with every write by anyone, and is observed', async () => {
    const ref = routers[0]?.resources()[0];
    if (ref === undefined) throw new Error('no TrafficSplit resource');
    const before = Math.floor(Date.now() / 1000) * 1000;
    await raw.create(collectionPath(ref, NS), split(0));
    const first = await eventually('split cached', () => lastWriteTime(cachedSplit()) ?? undefined);
    expect(first).toBeGreaterThanOrEqual(before);
    expect(first).toBeLessThanOrEqual(Date.now());
    // One entry with the newest time is all the cache keeps of managedFields.
    expect(cachedSplit()?.metadata?.managedFields).toEqual([
      { time: new Date(first).toISOString() },
    ]);

    // The server stamps whole seconds: a write in a later second has a later time.
    await eventually('a later second', () => Date.now() >= first + 1_000);
    await raw.patch(objectPath(ref, NS, 'web'), split(30));
    const second = await eventually('the edit cached', () => {
      const t = lastWriteTime(cachedSplit());
      return t !== null && t > first ? t : undefined;
    });
    expect(second).toBeLessThanOrEqual(Date.now());

    const observed = observe({
      canary: canary as unknown as Canary,
      json: canary,
      router: null,
      blocked: { reason: 'InvalidSpec', message: 'the router is not needed here' },
      caches,
      runSlotAvailable: true,
    });
    expect(observed.routesWrittenAt).toBe(second);
  });
});
