// A run's first step scales the target up and then announces the run (NewRevision Event and the
// RunStarted alert). The Deployment controller writes the target's status right after the
// template change, so that scale often meets a 409 from a cache one write behind; a failed effect
// ends the step and its announcement would be lost. scaleCanary decides again once the cache has
// the newer target, within the step. Faked: our own seams (the raw client's patch, the informer's
// lister through memoryCaches).
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ActorDeps } from '../../../src/canary/actors.js';
import type { ControllerCaches } from '../../../src/canary/caches.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import type { JsonObject } from '../../../src/kube/merge-patch.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { canaryJson, deploymentJson, memoryCaches, stopCaches } from '../canary/canary-fixtures.js';
import { actorsFor, unused } from './fixtures.js';

const NS = 'shop';
let caches: ControllerCaches | undefined;

afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

const conflict = (path: string) =>
  new KubeApiError('PATCH', path, 409, {
    reason: 'Conflict',
    message: 'the object has been modified; please apply your changes to the latest version',
  });

async function setup(patch: (path: string, body: JsonObject, n: number) => Promise<unknown>) {
  caches = await memoryCaches({
    deployments: [
      deploymentJson(NS, 'podinfo', { replicas: 0 }),
      deploymentJson(NS, 'podinfo-primary', { replicas: 3 }),
    ],
  });
  const bodies: JsonObject[] = [];
  const raw = {
    patch: (path: string, body: JsonObject) => {
      bodies.push(body);
      return patch(path, body, bodies.length);
    },
  } as unknown as KubeRawClient;
  const clock = new ManualClock();
  const deps: ActorDeps = {
    raw,
    caches,
    statusWriter: unused('statusWriter'),
    recorder: unused('recorder'),
    metricSources: unused('metricSources'),
    urlPolicy: unused('urlPolicy'),
    controllerNamespace: 'weightlifter-system',
    clock,
  };
  const json = canaryJson(NS, 'podinfo');
  const actors = actorsFor(deps, json);
  const target = caches.deployments.getByName(NS, 'podinfo');
  if (target?.metadata === undefined) throw new Error('fixture: no target');
  return { actors, bodies, clock, targetMeta: target.metadata };
}

const up = { type: 'scaleCanary', to: 'up' } as const;

describe('CanaryActors.scaleCanary on a stale target', () => {
  it('scales again from the newer copy once the cache has it', async () => {
    const { actors, bodies, targetMeta } = await setup((path, _body, n) => {
      if (n > 1) return Promise.resolve({});
      // The informer delivers the Deployment controller's write while our patch is rejected.
      targetMeta.resourceVersion = '6';
      return Promise.reject(conflict(path));
    });
    await actors.scaleCanary(up);
    expect(bodies).toEqual([
      { spec: { replicas: 3 }, metadata: { resourceVersion: '5' } },
      { spec: { replicas: 3 }, metadata: { resourceVersion: '6' } },
    ]);
  });

  it('fails with the 409 when the cache does not move within the bound', async () => {
    const { actors, bodies, clock } = await setup((path) => Promise.reject(conflict(path)));
    const result = actors.scaleCanary(up).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await clock.advance(2_100);
    const err = await result;
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(409);
    expect(bodies).toHaveLength(1);
  });

  it('does not retry other failures', async () => {
    const { actors, bodies } = await setup((path) =>
      Promise.reject(new KubeApiError('PATCH', path, 403, { reason: 'Forbidden' })),
    );
    await expect(actors.scaleCanary(up)).rejects.toMatchObject({ status: 403 });
    expect(bodies).toHaveLength(1);
  });
});
