// Writes against the real kube-apiserver: /status merge patches with a resourceVersion
// precondition and conflict retry (on a test CRD with a status subresource), and diff-then-patch
// with an ownership check (on ConfigMaps).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { PatchStrategy } from '../../src/kube/http-constants.js';
import { OwnershipError, isControlledBy, patchOwned } from '../../src/kube/diff-patch.js';
import { isConflict } from '../../src/kube/errors.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../src/kube/resources.js';
import { StatusWriter } from '../../src/kube/status.js';
import {
  adminClients,
  createNamespace,
  createTestCrd,
  deleteNamespace,
  deleteTestCrd,
  testCrdRef,
} from './kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'kube-status';
const ref = testCrdRef('statuswidgets', 'StatusWidget');
type Widget = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
let raw: KubeRawClient;

const get = (name: string): Promise<Widget> => raw.get<Widget>(objectPath(ref, NS, name));
const create = (name: string): Promise<Widget> =>
  raw.create<Widget>(collectionPath(ref, NS), {
    apiVersion: 'test.weightlifter.io/v1',
    kind: 'StatusWidget',
    metadata: { name },
    spec: { replicas: 1 },
  });

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  await createTestCrd(raw, ref);
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
  await deleteTestCrd(raw, ref);
});

describe('StatusWriter (real API server)', () => {
  it('merge-patches /status and leaves the spec alone', async () => {
    const w = await create('plain');
    const writer = new StatusWriter({ raw });
    const out = await writer.patchStatus<Widget>(ref, NS, 'plain', {
      phase: 'Progressing',
      canaryWeight: 10,
    });
    expect(out.status).toEqual({ phase: 'Progressing', canaryWeight: 10 });
    const again = await writer.patchStatus<Widget>(ref, NS, 'plain', { canaryWeight: 20 });
    expect(again.status).toEqual({ phase: 'Progressing', canaryWeight: 20 });
    expect(again.spec).toEqual(w.spec);
  });

  it('rejects a write computed from a stale copy with 409 when given its resourceVersion', async () => {
    const stale = await create('precondition');
    await raw.patch(objectPath(ref, NS, 'precondition'), { spec: { replicas: 2 } });
    const writer = new StatusWriter({ raw });
    await expect(
      writer.patchStatus(ref, NS, 'precondition', { phase: 'x' }, stale.metadata?.resourceVersion),
    ).rejects.toMatchObject({ status: 409, reason: 'Conflict' });
  });

  it('retries a conflict by re-reading and recomputing, keeping the concurrent change', async () => {
    const stale = await create('conflict');
    // Another writer changes the status after we read the object.
    await raw.patch(objectPath(ref, NS, 'conflict', 'status'), { status: { failedChecks: 1 } });
    const writer = new StatusWriter({ raw });
    const seen: unknown[] = [];
    const result = await writer.update(ref, stale, (obj) => {
      seen.push(obj.status?.['failedChecks']);
      // Desired status depends on what was read: increment failedChecks.
      const failed =
        typeof obj.status?.['failedChecks'] === 'number' ? obj.status['failedChecks'] : 0;
      return { phase: 'Progressing', failedChecks: failed + 1 };
    });
    expect(result.patched).toBe(true);
    expect(result.conflicts).toBe(1);
    expect(seen).toEqual([undefined, 1]);
    expect((await get('conflict')).status).toEqual({ phase: 'Progressing', failedChecks: 2 });
  });

  it('sends nothing when the status already says what is desired', async () => {
    await create('unchanged');
    const writer = new StatusWriter({ raw });
    const first = await writer.update(ref, await get('unchanged'), () => ({
      phase: 'Initialized',
      canaryWeight: 0,
    }));
    expect(first.patched).toBe(true);
    const second = await writer.update(ref, first.object, () => ({
      phase: 'Initialized',
      canaryWeight: 0,
    }));
    expect(second.patched).toBe(false);
    expect((await get('unchanged')).metadata?.resourceVersion).toBe(
      first.object.metadata?.resourceVersion,
    );
  });

  it('sends no write for an empty status patch, and refuses it with 409 once the object moved', async () => {
    const w = await create('empty');
    const writer = new StatusWriter({ raw });
    const rv = w.metadata?.resourceVersion;
    const read = await writer.patchStatus<Widget>(ref, NS, 'empty', {}, rv);
    expect(read.metadata?.resourceVersion).toBe(rv);
    expect((await get('empty')).metadata?.resourceVersion).toBe(rv);
    await writer.patchStatus<Widget>(ref, NS, 'empty', { phase: 'Progressing' });
    const refused = await writer.patchStatus<Widget>(ref, NS, 'empty', {}, rv).then(
      () => 'written',
      (err: unknown) => (isConflict(err) ? 'conflict' : String(err)),
    );
    expect(refused).toBe('conflict');
  });

  it('gives up with WL_STATUS_CONFLICT when every attempt conflicts', async () => {
    await create('contended');
    // A client whose every status write is preceded by a real write of another party: each
    // attempt's resourceVersion is stale by the time it reaches the server.
    let rivalWrites = 0;
    class ContendedClient extends KubeRawClient {
      override async patch<T>(path: string, body: unknown, strategy?: PatchStrategy): Promise<T> {
        if (path.endsWith('/status')) {
          rivalWrites += 1;
          await super.patch(objectPath(ref, NS, 'contended'), {
            spec: { replicas: 100 + rivalWrites },
          });
        }
        return super.patch<T>(path, body, strategy);
      }
    }
    const writer = new StatusWriter({
      raw: new ContendedClient(raw.kubeConfig),
      maxAttempts: 3,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    const err: unknown = await writer
      .update(ref, await get('contended'), () => ({ phase: 'x' }))
      .then(
        () => new Error('expected a conflict'),
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'WL_STATUS_CONFLICT' });
    expect(isConflict((err as Error).cause)).toBe(true);
    expect(rivalWrites).toBe(3);
    expect((await get('contended')).status).toBeUndefined();
  });
});

describe('patchOwned (real API server)', () => {
  const owner = {
    apiVersion: 'test.weightlifter.io/v1',
    kind: 'StatusWidget',
    name: 'owner',
    uid: '',
  };
  const cm = (name: string, ownerUid?: string) => ({
    metadata: {
      name,
      namespace: NS,
      labels: { keep: 'me' },
      ...(ownerUid === undefined
        ? {}
        : { ownerReferences: [{ ...owner, uid: ownerUid, controller: true }] }),
    },
    data: { weight: '0', userField: 'untouched' },
  });

  it('patches owned fields only when they differ, and leaves other fields alone', async () => {
    const o = await create('owner');
    const uid = o.metadata?.uid ?? '';
    let live = await raw.create<KubeObject>(
      collectionPath(BUILTIN.configMaps, NS),
      cm('owned', uid),
    );
    const notOwnedBecause = (obj: KubeObject) =>
      isControlledBy(obj, uid) ? undefined : 'no controller reference';

    const first = await patchOwned({
      raw,
      ref: BUILTIN.configMaps,
      live,
      desired: { data: { weight: '10' } },
      notOwnedBecause,
    });
    expect(first.changed).toBe(true);
    expect(first.patch).toEqual({
      data: { weight: '10' },
      metadata: { resourceVersion: live.metadata?.resourceVersion },
    });
    expect((first.object as { data?: unknown }).data).toEqual({
      weight: '10',
      userField: 'untouched',
    });
    expect(first.object.metadata?.labels).toEqual({ keep: 'me' });

    live = first.object;
    const second = await patchOwned({
      raw,
      ref: BUILTIN.configMaps,
      live,
      desired: { data: { weight: '10' } },
      notOwnedBecause,
    });
    expect(second.changed).toBe(false);
    const now = await raw.get<KubeObject>(objectPath(BUILTIN.configMaps, NS, 'owned'));
    expect(now.metadata?.resourceVersion).toBe(live.metadata?.resourceVersion);
  });

  it('refuses to touch an object it does not own', async () => {
    const live = await raw.create<KubeObject>(
      collectionPath(BUILTIN.configMaps, NS),
      cm('foreign'),
    );
    await expect(
      patchOwned({
        raw,
        ref: BUILTIN.configMaps,
        live,
        desired: { data: { weight: '50' } },
        notOwnedBecause: () => 'created by someone else',
      }),
    ).rejects.toBeInstanceOf(OwnershipError);
    const now = await raw.get<KubeObject & { data?: unknown }>(
      objectPath(BUILTIN.configMaps, NS, 'foreign'),
    );
    expect(now.data).toEqual({ weight: '0', userField: 'untouched' });
    expect(now.metadata?.resourceVersion).toBe(live.metadata?.resourceVersion);
  });

  it('fails with 409 instead of overwriting when the cached copy is stale', async () => {
    const o = await get('owner');
    const uid = o.metadata?.uid ?? '';
    const live = await raw.create<KubeObject>(
      collectionPath(BUILTIN.configMaps, NS),
      cm('stale', uid),
    );
    await raw.patch(objectPath(BUILTIN.configMaps, NS, 'stale'), { data: { weight: '30' } });
    await expect(
      patchOwned({
        raw,
        ref: BUILTIN.configMaps,
        live,
        desired: { data: { weight: '10' } },
        notOwnedBecause: () => undefined,
      }),
    ).rejects.toMatchObject({ status: 409, reason: 'Conflict' });
  });
});
