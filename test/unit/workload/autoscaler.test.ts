// spec.autoscalerRef: the primary's HPA copy (spec fields, owner, overrides), the checks on the
// target's HPA, the primary's readiness floor, the writes (create at initialization, sync at
// promotion, delete on deletion) and the replicas scaleTarget chooses with and without an HPA.
// Faked: our own seams (the raw client, the caches as ObjectReaders).
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { AutoscalerRef, Canary } from '../../../src/api/canary.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import type { ObjectReader } from '../../../src/kube/object-reader.js';
import {
  buildPrimaryHpa,
  deletePrimaryHpa,
  ensurePrimaryHpa,
  targetHpa,
  withAutoscalerFloor,
} from '../../../src/workload/autoscaler.js';
import type { WorkloadDeps } from '../../../src/workload/deps.js';
import type { DeploymentJson, HpaJson } from '../../../src/workload/k8s-types.js';
import { scaleTarget } from '../../../src/workload/scale.js';

const logger = pino({ level: 'silent' });

const REF: AutoscalerRef = { name: 'web' };
const METRICS = [
  {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
  },
];
const BEHAVIOR = { scaleDown: { stabilizationWindowSeconds: 30 } };

/** null: a Canary without spec.autoscalerRef. */
function canary(ref: AutoscalerRef | null = REF): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { namespace: 'ns', name: 'web', uid: 'uid-web' },
    spec: {
      targetRef: { name: 'web' },
      service: { port: 80 },
      ...(ref === null ? {} : { autoscalerRef: ref }),
    },
  };
}

function hpa(name: string, spec: NonNullable<HpaJson['spec']>, owner?: string): HpaJson {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      namespace: 'ns',
      name,
      resourceVersion: '7',
      labels: { app: 'web', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
      ...(owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'weightlifter.io/v1alpha1',
                kind: 'Canary',
                name: owner,
                uid: `uid-${owner}`,
                controller: true,
              },
            ],
          }),
    },
    spec,
  };
}

const TARGET_HPA = hpa('web', {
  scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
  minReplicas: 2,
  maxReplicas: 6,
  metrics: METRICS,
  behavior: BEHAVIOR,
});

function dep(name: string, replicas: number, available = replicas): DeploymentJson {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace: 'ns', name, resourceVersion: '3', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } } },
    },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      availableReplicas: available,
    },
  };
}

function reader<T extends { metadata?: { name?: string } }>(items: readonly T[]): ObjectReader<T> {
  return {
    getByName: (_ns, name) => items.find((i) => i.metadata?.name === name),
    list: () => [...items],
  };
}

interface Call {
  readonly verb: 'create' | 'patch' | 'delete';
  readonly path: string;
  readonly body?: unknown;
}

function world(opts: { hpas?: HpaJson[]; deployments?: DeploymentJson[] }): {
  deps: WorkloadDeps;
  calls: Call[];
} {
  const calls: Call[] = [];
  const raw = {
    create: (path: string, body: unknown) => {
      calls.push({ verb: 'create', path, body });
      return Promise.resolve(body);
    },
    patch: (path: string, body: unknown) => {
      calls.push({ verb: 'patch', path, body });
      return Promise.resolve(body);
    },
    delete: (path: string) => {
      calls.push({ verb: 'delete', path });
      return Promise.resolve({});
    },
  } as unknown as KubeRawClient;
  const caches = {
    deployments: reader(opts.deployments ?? []),
    services: reader([]),
    configMaps: reader([]),
    secrets: reader([]),
    autoscalers: reader(opts.hpas ?? []),
  };
  return { deps: { raw, caches, logger }, calls };
}

const HPAS = '/apis/autoscaling/v2/namespaces/ns/horizontalpodautoscalers';

describe('the primary HPA copy', () => {
  it('copies metrics, behavior and bounds, scales the primary, is owned, drops GitOps marks', () => {
    const out = buildPrimaryHpa(canary(), REF, TARGET_HPA);
    expect(out.metadata?.name).toBe('web-primary');
    expect(out.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Canary', name: 'web', uid: 'uid-web', controller: true }),
    ]);
    expect(out.metadata?.labels).toEqual({
      app: 'web',
      'weightlifter.io/canary': 'web',
      'app.kubernetes.io/managed-by': 'weightlifter',
    });
    expect(out.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-primary' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: METRICS,
      behavior: BEHAVIOR,
    });
  });

  it("carries the Canary's shard label, so the shard's controller sees it", () => {
    const sharded = canary();
    sharded.metadata.labels = { 'weightlifter.io/shard': 'a' };
    expect(buildPrimaryHpa(sharded, REF, TARGET_HPA).metadata?.labels).toMatchObject({
      'weightlifter.io/shard': 'a',
    });
  });

  it.each([
    [{ minReplicas: 3 }, 3, 6],
    [{ maxReplicas: 10 }, 2, 10],
    [{ minReplicas: 4, maxReplicas: 8 }, 4, 8],
  ])('primaryScalerReplicas %j overrides the bounds it sets', (bounds, min, max) => {
    const ref = { ...REF, primaryScalerReplicas: bounds };
    const out = buildPrimaryHpa(canary(ref), ref, TARGET_HPA);
    expect([out.spec?.minReplicas, out.spec?.maxReplicas]).toEqual([min, max]);
  });

  it('an override that puts minReplicas above the other bound is an invalid spec', () => {
    const ref = { ...REF, primaryScalerReplicas: { minReplicas: 9 } };
    expect(() => buildPrimaryHpa(canary(ref), ref, TARGET_HPA)).toThrow(
      expect.objectContaining({ conditionReason: 'InvalidSpec' }),
    );
  });

  it("the target's HPA must exist and scale the target", () => {
    expect(() => targetHpa(canary(), REF, reader([]))).toThrow(
      expect.objectContaining({
        conditionReason: 'AutoscalerNotFound',
        message: 'HorizontalPodAutoscaler web (spec.autoscalerRef) does not exist',
      }),
    );
    const other = hpa('web', {
      scaleTargetRef: { kind: 'Deployment', name: 'api' },
      maxReplicas: 2,
    });
    expect(() => targetHpa(canary(), REF, reader([other]))).toThrow(
      expect.objectContaining({ conditionReason: 'InvalidSpec' }),
    );
  });
});

describe('the primary readiness floor', () => {
  const ready = { state: 'ready' } as const;
  it("a primary with fewer available replicas than its HPA's minReplicas is pending", () => {
    const primaryHpa = hpa('web-primary', { minReplicas: 4, maxReplicas: 6 });
    expect(withAutoscalerFloor(ready, dep('web-primary', 2), primaryHpa)).toEqual({
      state: 'pending',
      message:
        'web-primary: 2 of 4 replicas available (minReplicas of HorizontalPodAutoscaler web-primary)',
    });
    expect(withAutoscalerFloor(ready, dep('web-primary', 4), primaryHpa)).toEqual(ready);
    expect(withAutoscalerFloor(ready, dep('web-primary', 2), undefined)).toEqual(ready);
  });
});

describe('writing the primary HPA', () => {
  it('initialization creates it when missing and leaves an existing one alone', async () => {
    const w = world({ hpas: [TARGET_HPA] });
    expect(await ensurePrimaryHpa(w.deps, canary(), 'create')).toBe('created');
    expect(w.calls).toEqual([
      { verb: 'create', path: HPAS, body: buildPrimaryHpa(canary(), REF, TARGET_HPA) },
    ]);
    const stale = hpa('web-primary', { minReplicas: 1, maxReplicas: 3 }, 'web');
    const again = world({ hpas: [TARGET_HPA, stale] });
    expect(await ensurePrimaryHpa(again.deps, canary(), 'create')).toBe('unchanged');
    expect(again.calls).toEqual([]);
  });

  it("promotion brings an existing one to the target HPA's spec (a changed maxReplicas)", async () => {
    const live = buildPrimaryHpa(canary(), REF, TARGET_HPA);
    live.metadata = { ...live.metadata, resourceVersion: '8' };
    const changed = { ...TARGET_HPA, spec: { ...TARGET_HPA.spec, maxReplicas: 9 } };
    const w = world({ hpas: [changed, live] });
    expect(await ensurePrimaryHpa(w.deps, canary(), 'sync')).toBe('patched');
    expect(w.calls).toEqual([
      {
        verb: 'patch',
        path: `${HPAS}/web-primary`,
        body: { metadata: { resourceVersion: '8' }, spec: { maxReplicas: 9 } },
      },
    ]);
    const same = world({ hpas: [TARGET_HPA, live] });
    expect(await ensurePrimaryHpa(same.deps, canary(), 'sync')).toBe('unchanged');
    expect(same.calls).toEqual([]);
  });

  it('refuses a -primary HPA someone else controls, and never deletes it', async () => {
    const foreign = hpa('web-primary', { maxReplicas: 3 }, 'other');
    const w = world({ hpas: [TARGET_HPA, foreign] });
    await expect(ensurePrimaryHpa(w.deps, canary(), 'sync')).rejects.toThrow(/not ours/);
    await deletePrimaryHpa(w.deps, canary());
    expect(w.calls).toEqual([]);
  });

  const PRIMARY_TARGET = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-primary' };

  it('deletion removes ours; without spec.autoscalerRef and none of ours, nothing is written', async () => {
    const ours = hpa('web-primary', { scaleTargetRef: PRIMARY_TARGET, maxReplicas: 3 }, 'web');
    const w = world({ hpas: [TARGET_HPA, ours] });
    await deletePrimaryHpa(w.deps, canary());
    expect(w.calls).toEqual([{ verb: 'delete', path: `${HPAS}/web-primary` }]);
    const none = world({ hpas: [TARGET_HPA] });
    expect(await ensurePrimaryHpa(none.deps, canary(null), 'sync')).toBe('unchanged');
    await deletePrimaryHpa(none.deps, canary(null));
    expect(none.calls).toEqual([]);
  });

  it('an HPA of ours left on the primary by an earlier autoscalerRef is deleted first', async () => {
    const old = hpa('old-primary', { scaleTargetRef: PRIMARY_TARGET, maxReplicas: 3 }, 'web');
    const removed = world({ hpas: [TARGET_HPA, old] });
    expect(await ensurePrimaryHpa(removed.deps, canary(null), 'sync')).toBe('unchanged');
    expect(removed.calls).toEqual([{ verb: 'delete', path: `${HPAS}/old-primary` }]);
    const renamed = world({ hpas: [TARGET_HPA, old] });
    expect(await ensurePrimaryHpa(renamed.deps, canary(), 'create')).toBe('created');
    expect(renamed.calls.map((c) => [c.verb, c.path])).toEqual([
      ['delete', `${HPAS}/old-primary`],
      ['create', HPAS],
    ]);
  });
});

describe('the replicas scaleTarget chooses', () => {
  const scaled = (calls: Call[]) =>
    calls.map((c) => (c.body as { spec?: { replicas?: number } }).spec?.replicas);

  it("with an HPA: a run starts the canary at the HPA's minReplicas", async () => {
    const w = world({ hpas: [TARGET_HPA], deployments: [dep('web', 0), dep('web-primary', 5)] });
    expect(await scaleTarget(w.deps, canary(), 'up', 'run')).toEqual({
      action: 'patched',
      replicas: 2,
    });
    expect(scaled(w.calls)).toEqual([2]);
  });

  it("with an HPA: deletion scales the target to the primary's current replicas", async () => {
    const w = world({ hpas: [TARGET_HPA], deployments: [dep('web', 0), dep('web-primary', 5)] });
    expect(await scaleTarget(w.deps, canary(), 'up', 'deletion')).toEqual({
      action: 'patched',
      replicas: 5,
    });
  });

  it("without an HPA: a run starts the canary at the primary's replicas (today's behaviour)", async () => {
    const w = world({ deployments: [dep('web', 0), dep('web-primary', 3)] });
    expect(await scaleTarget(w.deps, canary(null), 'up', 'run')).toEqual({
      action: 'patched',
      replicas: 3,
    });
  });

  it('a target already running keeps its count; zero is zero', async () => {
    const w = world({ hpas: [TARGET_HPA], deployments: [dep('web', 4), dep('web-primary', 5)] });
    expect(await scaleTarget(w.deps, canary(), 'up', 'run')).toEqual({
      action: 'unchanged',
      replicas: 4,
    });
    expect(await scaleTarget(w.deps, canary(), 'zero')).toEqual({ action: 'patched', replicas: 0 });
  });
});
