import { afterEach, describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import type { CanaryJson, ControllerCaches } from '../../../src/canary/caches.js';
import { observe, operationOf } from '../../../src/canary/observe.js';
import { pino } from 'pino';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { GatewayApiRouter } from '../../../src/routing/gateway.js';
import type { Routes, TrafficRouter } from '../../../src/routing/types.js';
import { splitRef } from '../../../src/routing/traffic-split.js';
import type { HpaJson, ServiceJson } from '../../../src/workload/k8s-types.js';
import {
  canaryJson,
  deploymentJson,
  memoryCaches,
  stopCaches,
  type CachesInput,
} from './canary-fixtures.js';

/** A router fake (our own seam): observe() reads its routes and the kind of object it writes. */
function router(routes: Routes | null): TrafficRouter {
  const unused = (): never => {
    throw new Error('not used by observe');
  };
  return {
    kind: 'smi-trafficsplit',
    resources: () => [splitRef('v1alpha4')],
    reconcile: unused,
    setRoutes: unused,
    getRoutes: () => routes,
    finalize: unused,
  };
}

/** A controller owner reference to the Canary `web` (uid-web), as ours carry. */
const OWNED_BY_WEB = {
  ownerReferences: [
    {
      apiVersion: 'weightlifter.io/v1alpha1',
      kind: 'Canary',
      name: 'web',
      uid: 'uid-web',
      controller: true,
    },
  ],
};

const svc = (
  name: string,
  selector: Record<string, string>,
  meta: Partial<NonNullable<ServiceJson['metadata']>> = OWNED_BY_WEB,
): ServiceJson => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'ns', name, resourceVersion: '3', ...meta },
  spec: { selector },
});

let caches: ControllerCaches | undefined;
afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

async function observed(json: CanaryJson, input: CachesInput, routes: Routes | null = null) {
  caches = await memoryCaches(input);
  return observe({
    canary: json as unknown as Canary,
    json,
    router: router(routes),
    blocked: null,
    caches,
    runSlotAvailable: true,
  });
}

const TARGET = deploymentJson('ns', 'web', { replicas: 0 });
const PRIMARY = deploymentJson('ns', 'web-primary', {
  labels: { app: 'web-primary' },
  annotations: { 'weightlifter.io/revision': 'r1' },
  replicas: 2,
  ownerCanary: 'web',
});
const APEX = svc('web', { app: 'web-primary' });
const PRIMARY_SVC = svc('web-primary', { app: 'web-primary' });
const CANARY_SVC = svc('web-canary', { app: 'web' });
const SPLIT = {
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: { namespace: 'ns', name: 'web', ...OWNED_BY_WEB },
};

const FULL: CachesInput = {
  deployments: [TARGET, PRIMARY],
  services: [APEX, PRIMARY_SVC, CANARY_SVC],
  splits: [SPLIT],
};

describe('observe', () => {
  it('reads target, primary, routes and initialization from the caches', async () => {
    const o = await observed(canaryJson('ns', 'web'), FULL, {
      primaryWeight: 100,
      canaryWeight: 0,
    });
    expect(o.deleting).toBe(false);
    expect(o.blocked).toBeNull();
    expect(o.initialized).toBe(true);
    expect(o.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    expect(o.target?.replicas).toBe(0);
    expect(o.target?.revision).toMatch(/^[0-9a-f]{64}$/);
    expect(o.target?.readiness.state).toBe('pending'); // scaled to zero
    expect(o.primary).toEqual({ revision: 'r1', readiness: { state: 'ready' }, replicas: 2 });
    expect(o.runSlotAvailable).toBe(true);
  });

  it('a missing target or primary is null', async () => {
    const o = await observed(canaryJson('ns', 'web'), {});
    expect(o.target).toBeNull();
    expect(o.primary).toBeNull();
    expect(o.initialized).toBe(false);
  });

  it('an apex Service that does not select the primary yet does not count as initialized', async () => {
    const services = [svc('web', { app: 'web' }), ...(FULL.services ?? []).slice(1)];
    const o = await observed(canaryJson('ns', 'web'), { ...FULL, services });
    expect(o.initialized).toBe(false);
    // Said by name, so a stuck initialization can tell a person what is missing.
    expect(o.missing).toEqual(["Service web selecting the primary's pods"]);
  });

  it('is deleting only while our finalizer is on a Canary with a deletionTimestamp', async () => {
    const t = '2026-01-01T00:00:00Z';
    const withFinalizer = canaryJson('ns', 'web', {}, undefined, {
      deletionTimestamp: t,
      finalizers: ['weightlifter.io/revert-on-deletion'],
    });
    expect((await observed(withFinalizer, FULL)).deleting).toBe(true);
    await stopCaches(caches as ControllerCaches);
    const without = canaryJson('ns', 'web', {}, undefined, {
      deletionTimestamp: t,
      finalizers: ['other'],
    });
    expect((await observed(without, FULL)).deleting).toBe(false);
  });

  it('a missing required ConfigMap blocks, except during deletion', async () => {
    const input = { deployments: [deploymentJson('ns', 'web', { configMap: 'settings' })] };
    expect((await observed(canaryJson('ns', 'web'), input)).blocked).toEqual({
      reason: 'InvalidSpec',
      message: 'ConfigMap settings used by Deployment web does not exist',
    });
    await stopCaches(caches as ControllerCaches);
    const deleting = canaryJson('ns', 'web', {}, undefined, {
      deletionTimestamp: '2026-01-01T00:00:00Z',
      finalizers: ['weightlifter.io/revert-on-deletion'],
    });
    const o = await observed(deleting, input);
    expect(o.deleting).toBe(true);
    expect(o.blocked).toBeNull();
    expect(o.target?.revision).toBe('');
  });

  describe('an object of ours the Canary does not control blocks the step (NotOwned)', () => {
    const blockedOf = async (input: CachesInput) =>
      (await observed(canaryJson('ns', 'web'), input)).blocked;

    it('a user Service where the apex goes, until it is annotated for takeover', async () => {
      const user = svc('web', { app: 'web' }, {});
      expect(await blockedOf({ ...FULL, services: [user, PRIMARY_SVC, CANARY_SVC] })).toEqual({
        reason: 'NotOwned',
        message: expect.stringMatching(
          /^Service ns\/web is not ours: Service web exists and was not created by weightlifter; annotate it with weightlifter.io\/takeover="true"/,
        ) as unknown as string,
      });
      await stopCaches(caches as ControllerCaches);
      const annotated = svc(
        'web',
        { app: 'web' },
        {
          annotations: { 'weightlifter.io/takeover': 'true' },
        },
      );
      expect(
        await blockedOf({ ...FULL, services: [annotated, PRIMARY_SVC, CANARY_SVC] }),
      ).toBeNull();
    });

    it('a -primary or -canary Service someone else created (only the apex can be taken over)', async () => {
      const foreign = svc(
        'web-canary',
        { app: 'web' },
        {
          annotations: { 'weightlifter.io/takeover': 'true' },
        },
      );
      expect((await blockedOf({ ...FULL, services: [APEX, PRIMARY_SVC, foreign] }))?.reason).toBe(
        'NotOwned',
      );
    });

    it('a primary Deployment another controller owns', async () => {
      const other = deploymentJson('ns', 'web-primary', { ownerCanary: 'someone-else' });
      expect(await blockedOf({ ...FULL, deployments: [TARGET, other] })).toEqual({
        reason: 'NotOwned',
        message:
          'Deployment ns/web-primary is not ours: it is controlled by Canary someone-else (uid uid-someone-else)',
      });
    });

    it('an HTTPRoute we did not create, until it is annotated for takeover', async () => {
      const gatewayApi = new GatewayApiRouter({
        raw: {} as unknown as KubeRawClient,
        logger: pino({ level: 'silent' }),
        watched: 'v1',
      });
      const json = canaryJson('ns', 'web', { routing: { provider: 'gatewayapi' } });
      const route = (annotations: Record<string, string>) => ({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { namespace: 'ns', name: 'web', annotations },
      });
      const input = (annotations: Record<string, string>): CachesInput => ({
        ...FULL,
        routers: [gatewayApi],
        routed: { httproutes: [route(annotations)] },
      });
      expect((await observed(json, input({}))).blocked).toEqual({
        reason: 'NotOwned',
        message: expect.stringMatching(
          /^HTTPRoute ns\/web is not ours: HTTPRoute web exists and was not created by weightlifter; annotate it with weightlifter.io\/takeover="true"/,
        ) as unknown as string,
      });
      await stopCaches(caches as ControllerCaches);
      const annotated = input({ 'weightlifter.io/takeover': 'true' });
      expect((await observed(json, annotated)).blocked).toBeNull();
    });

    it('a TrafficSplit without our owner reference', async () => {
      const foreign = { ...SPLIT, metadata: { namespace: 'ns', name: 'web' } };
      expect(await blockedOf({ ...FULL, splits: [foreign] })).toEqual({
        reason: 'NotOwned',
        message: 'TrafficSplit ns/web is not ours: it has no controller owner reference',
      });
    });
  });

  it('tracked ConfigMaps change the revision', async () => {
    const cm = (v: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: 'ns', name: 'settings', resourceVersion: v },
      data: { v },
    });
    const input = (v: string) => ({
      deployments: [deploymentJson('ns', 'web', { configMap: 'settings' })],
      configMaps: [cm(v)],
    });
    const a = await observed(canaryJson('ns', 'web'), input('1'));
    await stopCaches(caches as ControllerCaches);
    const b = await observed(canaryJson('ns', 'web'), input('2'));
    expect(a.target?.trackedConfigs).toHaveProperty(['configmap/settings']);
    expect(a.target?.revision).not.toBe(b.target?.revision);
  });
});

describe('with spec.autoscalerRef', () => {
  const WITH_HPA = canaryJson('ns', 'web', { autoscalerRef: { name: 'web' } });
  const hpa = (name: string, spec: NonNullable<HpaJson['spec']>, meta = {}): HpaJson => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { namespace: 'ns', name, ...meta },
    spec,
  });
  const TARGET_HPA = hpa('web', {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 4,
  });

  it('a missing HPA blocks the step (AutoscalerNotFound), except during deletion', async () => {
    expect((await observed(WITH_HPA, FULL)).blocked).toEqual({
      reason: 'AutoscalerNotFound',
      message: 'HorizontalPodAutoscaler web (spec.autoscalerRef) does not exist',
    });
    await stopCaches(caches as ControllerCaches);
    const deleting = canaryJson('ns', 'web', { autoscalerRef: { name: 'web' } }, undefined, {
      deletionTimestamp: '2026-01-01T00:00:00Z',
      finalizers: ['weightlifter.io/revert-on-deletion'],
    });
    expect((await observed(deleting, FULL)).blocked).toBeNull();
  });

  it('is not initialized until the -primary HPA exists; a foreign one blocks (NotOwned)', async () => {
    const o = await observed(WITH_HPA, { ...FULL, autoscalers: [TARGET_HPA] });
    expect(o.blocked).toBeNull();
    expect(o.missing).toEqual(['HorizontalPodAutoscaler web-primary']);
    await stopCaches(caches as ControllerCaches);
    const foreign = hpa('web-primary', { maxReplicas: 4 });
    const f = await observed(WITH_HPA, { ...FULL, autoscalers: [TARGET_HPA, foreign] });
    expect(f.blocked?.reason).toBe('NotOwned');
  });

  it("the primary is not ready below its HPA's minReplicas", async () => {
    const primaryHpa = hpa('web-primary', { minReplicas: 3, maxReplicas: 4 }, OWNED_BY_WEB);
    const o = await observed(WITH_HPA, { ...FULL, autoscalers: [TARGET_HPA, primaryHpa] });
    expect(o.initialized).toBe(true);
    expect(o.primary?.readiness).toEqual({
      state: 'pending',
      message:
        'web-primary: 2 of 3 replicas available (minReplicas of HorizontalPodAutoscaler web-primary)',
    });
  });
});

describe('operationOf', () => {
  const withAnnotation = (value: string | undefined) =>
    canaryJson(
      'ns',
      'web',
      {},
      undefined,
      value === undefined ? {} : { annotations: { 'weightlifter.io/operation': value } },
    );

  it.each([
    ['promote', { request: 'promote', action: 'promote' }],
    ['retry:2026-11-24T12:00:00Z', { request: 'retry:2026-11-24T12:00:00Z', action: 'retry' }],
    [' Abort:1 ', { request: 'Abort:1', action: 'abort' }],
    ['rollback:1', { request: 'rollback:1', action: null }],
  ])('%s', (value, expected) => {
    expect(operationOf(withAnnotation(value))).toEqual(expected);
  });

  it('no annotation, or an empty one, is no operation', () => {
    expect(operationOf(withAnnotation(undefined))).toBeNull();
    expect(operationOf(withAnnotation('  '))).toBeNull();
  });
});

describe('a Canary with a baseline (spec.analysis.baseline)', () => {
  const based = (phase: 'Progressing' | 'Initialized') =>
    canaryJson(
      'ns',
      'web',
      { analysis: { stepWeights: [20, 50], baseline: true } },
      { phase, canaryWeight: phase === 'Progressing' ? 20 : 0 },
    );
  const up = deploymentJson('ns', 'web', { replicas: 2 });
  const baseline = (ready: boolean, replicas = 2) =>
    deploymentJson('ns', 'web-baseline', { labels: { app: 'web-baseline' }, replicas, ready });

  it('while a run measures: the canary side reads as scaled down while the baseline is missing', async () => {
    const o = await observed(based('Progressing'), { deployments: [up, PRIMARY] });
    expect(o.target).toMatchObject({ replicas: 0, readiness: { state: 'ready' } });
  });

  it('while a run measures: the canary side is ready only when the baseline is', async () => {
    const o = await observed(based('Progressing'), {
      deployments: [up, PRIMARY, baseline(false)],
    });
    expect(o.target?.replicas).toBe(2);
    expect(o.target?.readiness.state).toBe('pending');
    const ready = await observed(based('Progressing'), {
      deployments: [up, PRIMARY, baseline(true)],
    });
    expect(ready.target).toMatchObject({ replicas: 2, readiness: { state: 'ready' } });
  });

  it('outside a run the target alone decides (the baseline at 0 does not hide a running target)', async () => {
    const o = await observed(based('Initialized'), {
      deployments: [up, PRIMARY, baseline(true, 0)],
    });
    expect(o.target).toMatchObject({ replicas: 2, readiness: { state: 'ready' } });
  });
});
