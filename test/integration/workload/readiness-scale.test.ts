// Readiness from real Deployment status (kube-controller-manager + kwok run the pods), scaling
// the target, the GitOps scale-up decision on real objects, and the EndpointSlice gate.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../../src/kube/resources.js';
import {
  canaryEndpoints,
  checkRouteChange,
  serviceEndpoints,
} from '../../../src/routing/endpoints.js';
import { targetRevision } from '../../../src/workload/config-tracking.js';
import type { WorkloadDeps } from '../../../src/workload/deps.js';
import { NO_IDLE_SCALE_HISTORY, decideIdleScale } from '../../../src/workload/gitops-scale.js';
import type { DeploymentJson } from '../../../src/workload/k8s-types.js';
import { ensurePrimary } from '../../../src/workload/primary.js';
import { deploymentReadiness, type Readiness } from '../../../src/workload/readiness.js';
import { scaleTarget } from '../../../src/workload/scale.js';
import { ensureBackendServices } from '../../../src/workload/services.js';
import { testCluster } from '../helpers/env.js';
import { adminClients, createNamespace, deleteNamespace } from '../kube-fixtures.js';
import {
  cached,
  createCanary,
  deployment,
  retryConflicts,
  startCaches,
  workloadDeps,
  type Caches,
} from './harness.js';

jest.setTimeout(120_000);

const NS = 'workload-readiness';
let raw: KubeRawClient;
let caches: Caches;
let deps: WorkloadDeps;

const readinessOf = (name: string, state: Readiness['state']) =>
  cached(
    `${name} ${state}`,
    () => caches.deployments.getByName(NS, name),
    (d) => deploymentReadiness(d).state === state,
    60_000,
  );

beforeAll(async () => {
  if (!testCluster().podsRunByKwok) {
    throw new Error(
      'these tests need pods run by kube-scheduler + kwok in the local control plane; ' +
        'build them with `bash hack/setup.sh` (or `npm run test:integration`, which runs it)',
    );
  }
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  caches = await startCaches(raw, NS);
  deps = workloadDeps(raw, caches);
});

afterAll(async () => {
  await caches.stop();
  await deleteNamespace(raw, NS);
});

describe('deploymentReadiness on real Deployments', () => {
  it('becomes ready when the pods are available', async () => {
    await raw.create(collectionPath(BUILTIN.deployments, NS), deployment('good', { replicas: 2 }));
    const d = await readinessOf('good', 'ready');
    expect(d.status?.availableReplicas).toBe(2);
  });

  it('stays pending while pods are not ready, then fails at the progress deadline', async () => {
    await raw.create(
      collectionPath(BUILTIN.deployments, NS),
      deployment('never', { ready: false, progressDeadlineSeconds: 2 }),
    );
    const pending = await readinessOf('never', 'pending');
    expect(deploymentReadiness(pending)).toMatchObject({ state: 'pending' });
    const failed = await readinessOf('never', 'failed');
    expect(deploymentReadiness(failed)).toMatchObject({
      message: expect.stringMatching(/progress deadline/) as unknown,
    });
  });
});

describe('scaling the target and the GitOps scale-up decision', () => {
  let canary: Canary;

  it('scales the target to 0 and back up to the primary’s count', async () => {
    canary = await createCanary(raw, NS, 'good');
    await ensurePrimary(deps, canary);
    await cached('primary', () => caches.deployments.getByName(NS, 'good-primary'));
    expect(await retryConflicts(() => scaleTarget(deps, canary, 'zero'))).toEqual({
      action: 'patched',
      replicas: 0,
    });
    // Pending first says the Deployment controller has not observed the scale yet (on a loaded
    // machine it can take a while), then that the target is scaled to zero.
    const scaled = await cached(
      'good scaled to zero',
      () => caches.deployments.getByName(NS, 'good'),
      (d) => {
        const r = deploymentReadiness(d);
        return r.state === 'pending' && /scaled to zero/.test(r.message);
      },
      60_000,
    );
    expect(deploymentReadiness(scaled)).toMatchObject({ state: 'pending' });
    expect(await retryConflicts(() => scaleTarget(deps, canary, 'up'))).toEqual({
      action: 'patched',
      replicas: 2,
    });
    await readinessOf('good', 'ready');
    expect(await scaleTarget(deps, canary, 'up')).toEqual({ action: 'unchanged', replicas: 2 });
  });

  it('scales a GitOps re-scaled idle target back to 0 (bounded by the decision)', async () => {
    const target = await cached(
      'target',
      () => caches.deployments.getByName(NS, 'good'),
      (d) => d.spec?.replicas === 2,
    );
    const rev = targetRevision(target, caches).revision;
    const primary = caches.deployments.getByName(NS, 'good-primary');
    const action = decideIdleScale({
      phase: 'Succeeded',
      canaryWeight: 0,
      targetReplicas: target.spec?.replicas ?? 0,
      targetRevision: rev,
      lastPromotedRevision: rev,
      lastSeenRevision: rev,
      primaryReplicas: primary?.spec?.replicas ?? 0,
      history: NO_IDLE_SCALE_HISTORY,
      now: Date.now(),
    });
    expect(action).toMatchObject({ kind: 'scaleToZero', history: { attempts: 1 } });
    expect(action).not.toHaveProperty('primaryReplicas');
    await retryConflicts(() => scaleTarget(deps, canary, 'zero'));
    expect(
      (await raw.get<DeploymentJson>(objectPath(BUILTIN.deployments, NS, 'good'))).spec?.replicas,
    ).toBe(0);
  });
});

describe('EndpointSlice gate', () => {
  it('sees ready primary endpoints and blocks weight to a canary whose pods are not ready', async () => {
    const never = await createCanary(raw, NS, 'never');
    // `never`'s primary copies the not-ready annotation too; give it ready pods instead.
    await ensurePrimary(deps, never);
    await raw.patch(objectPath(BUILTIN.deployments, NS, 'never-primary'), {
      spec: {
        template: { metadata: { annotations: { 'emulator.weightlifter.io/ready': 'true' } } },
      },
    });
    await ensureBackendServices(deps, never);
    await readinessOf('never-primary', 'ready');
    const ep = await cached(
      'slices',
      () => {
        const e = canaryEndpoints(never, caches.slices);
        return e.primary.state === 'ready' && e.canary.state === 'notReady' && e.canary.notReady > 0
          ? e
          : undefined;
      },
      () => true,
      60_000,
    );
    expect(
      checkRouteChange(
        { primaryWeight: 100, canaryWeight: 0 },
        { primaryWeight: 90, canaryWeight: 10 },
        ep,
      ),
    ).toMatchObject({
      allowed: false,
      backend: 'canary',
    });
    expect(
      checkRouteChange(
        { primaryWeight: 50, canaryWeight: 50 },
        { primaryWeight: 100, canaryWeight: 0 },
        ep,
      ),
    ).toEqual({ allowed: true });
    // Settled: the rollout that made the primary ready also retires its never-ready pods; their
    // endpoints leave the slices a little later on a loaded machine.
    await cached(
      'never-primary settled',
      () =>
        serviceEndpoints(caches.slices, NS, 'never-primary', { minReady: 1, settled: true })
          .state === 'ready'
          ? true
          : undefined,
      () => true,
      60_000,
    );
  });
});
