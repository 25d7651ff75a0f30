// weightlifter_status_patches_total counts every status patch the StatusWriter sends, whether the
// controller calls patchStatus directly (the engine and the blocked path do) or through update().
import { describe, expect, it } from '@jest/globals';
import type { Clock } from '../../../src/time/clock.js';
import { isConflict, KubeApiError } from '../../../src/kube/errors.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import type { ResourceRef } from '../../../src/kube/resources.js';
import { StatusWriter } from '../../../src/kube/status.js';
import { ControllerMetrics } from '../../../src/telemetry/metrics.js';

const REF: ResourceRef = {
  group: 'weightlifter.io',
  version: 'v1alpha1',
  plural: 'canaries',
  kind: 'Canary',
  namespaced: true,
};

type Obj = {
  metadata: { namespace: string; name: string; resourceVersion: string };
  status?: object;
};
const obj = (rv: string, status?: object): Obj => ({
  metadata: { namespace: 'ns', name: 'web', resourceVersion: rv },
  ...(status === undefined ? {} : { status }),
});

// Waits end at once: the backoff between conflicting attempts is not what is tested here.
const instantClock: Clock = {
  now: () => 0,
  setTimeout: (fn) => {
    queueMicrotask(fn);
    return {};
  },
  clearTimeout: () => undefined,
};

/** A raw client whose patches answer, in order, with the given results. */
function fakeRaw(results: (Obj | number)[], fresh: Obj = obj('2')) {
  const patches: unknown[] = [];
  const raw = {
    patch: (path: string, body: unknown) => {
      patches.push(body);
      const next = results.shift();
      if (next === undefined) throw new Error('unexpected patch');
      if (typeof next === 'number') {
        return Promise.reject(
          new KubeApiError('PATCH', path, next, {
            reason: next === 409 ? 'Conflict' : 'InternalError',
          }),
        );
      }
      return Promise.resolve(next);
    },
    get: () => Promise.resolve(fresh),
  };
  return { raw: raw as unknown as KubeRawClient, patches };
}

async function counts(metrics: ControllerMetrics): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric('weightlifter_status_patches_total');
  const out: Record<string, number> = {};
  for (const v of (await metric?.get())?.values ?? []) out[String(v.labels.result)] = v.value;
  return out;
}

function writer(raw: KubeRawClient) {
  const metrics = new ControllerMetrics({ processMetrics: false });
  return { metrics, writer: new StatusWriter({ raw, clock: instantClock, metrics }) };
}

describe('StatusWriter metrics', () => {
  it('counts a direct patchStatus by its result: patched, conflict or error', async () => {
    const { raw } = fakeRaw([obj('2'), 409, 500]);
    const { metrics, writer: w } = writer(raw);
    await w.patchStatus(REF, 'ns', 'web', { phase: 'Progressing' }, '1');
    await expect(w.patchStatus(REF, 'ns', 'web', { phase: 'Progressing' }, '1')).rejects.toThrow(
      /409/,
    );
    await expect(w.patchStatus(REF, 'ns', 'web', { phase: 'Progressing' })).rejects.toThrow(/500/);
    expect(await counts(metrics)).toEqual({ patched: 1, conflict: 1, error: 1 });
  });

  it('counts each patch update() sends once, and an update with nothing to send as unchanged', async () => {
    const { raw, patches } = fakeRaw([409, obj('3', { phase: 'Succeeded' })]);
    const { metrics, writer: w } = writer(raw);
    const result = await w.update(REF, obj('1', { phase: 'Progressing' }), () => ({
      phase: 'Succeeded',
    }));
    expect(result).toMatchObject({ patched: true, conflicts: 1 });
    await w.update(REF, obj('3', { phase: 'Succeeded' }), () => ({ phase: 'Succeeded' }));
    expect(patches).toHaveLength(2);
    expect(await counts(metrics)).toEqual({ conflict: 1, patched: 1, unchanged: 1 });
  });

  it('writes nothing for an empty patch: it reads the object and refuses a copy that moved', async () => {
    const { raw, patches } = fakeRaw([], obj('2'));
    const { metrics, writer: w } = writer(raw);
    await expect(w.patchStatus(REF, 'ns', 'web', {}, '2')).resolves.toEqual(obj('2'));
    const stale = w.patchStatus(REF, 'ns', 'web', {}, '1');
    await expect(stale).rejects.toThrow(/409/);
    await expect(stale.catch((err: unknown) => isConflict(err))).resolves.toBe(true);
    expect(patches).toEqual([]);
    expect(await counts(metrics)).toEqual({ unchanged: 1, conflict: 1 });
  });
});
