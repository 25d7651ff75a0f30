// Informers against the real kube-apiserver: the cache follows adds, updates and deletes; a real
// 410 Gone (a watch from a resourceVersion older than the server's watch cache) makes it relist;
// and it recovers when its resource type disappears and comes back (CRD deleted and re-created).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { Informer, type InformerMetricsSink, type RelistReason } from '../../src/kube/informer.js';
import {
  createListerWatcher,
  type ListerWatcher,
  type WatchEnd,
} from '../../src/kube/lister-watcher.js';
import { KubeApiError } from '../../src/kube/errors.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath, type ResourceRef } from '../../src/kube/resources.js';
import {
  adminClients,
  createNamespace,
  createTestCrd,
  deleteNamespace,
  deleteTestCrd,
  eventually,
  testCrdRef,
} from './kube-fixtures.js';

jest.setTimeout(90_000);

const NS = 'kube-informer';
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
let raw: KubeRawClient;
const informers: Informer<KubeObject>[] = [];

class RecordingMetrics implements InformerMetricsSink {
  readonly relists: RelistReason[] = [];
  watchErrors = 0;
  incRelist(_: string, reason: RelistReason): void {
    this.relists.push(reason);
  }
  incWatchError(): void {
    this.watchErrors += 1;
  }
  setSynced(): void {
    // readiness is asserted through hasSynced()
  }
}

function newInformer(
  ref: ResourceRef,
  metrics?: InformerMetricsSink,
  lw?: ListerWatcher<KubeObject>,
) {
  const informer = new Informer<KubeObject>({
    name: ref.plural,
    listerWatcher: lw ?? createListerWatcher<KubeObject>(raw, ref, { namespace: NS }),
    logger,
    backoff: { baseMs: 100, maxMs: 1000 },
    ...(metrics === undefined ? {} : { metrics }),
  });
  informers.push(informer);
  return informer;
}

/** name -> resourceVersion, as the server has it now. */
async function serverState(ref: ResourceRef): Promise<Record<string, string>> {
  const list = await raw.get<{ items: KubeObject[] }>(collectionPath(ref, NS));
  return Object.fromEntries(
    list.items.map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '']),
  );
}

function cacheState(informer: Informer<KubeObject>): Record<string, string> {
  return Object.fromEntries(
    informer.list(NS).map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '']),
  );
}

async function cacheMatchesServer(informer: Informer<KubeObject>, ref: ResourceRef): Promise<void> {
  const same = (a: Record<string, string>, b: Record<string, string>): boolean =>
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([k, v]) => b[k] === v);
  await eventually(`${ref.plural} cache to match the server`, async () =>
    same(await serverState(ref), cacheState(informer)),
  );
  expect(cacheState(informer)).toEqual(await serverState(ref));
}

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
});

afterAll(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  await deleteNamespace(raw, NS);
});

describe('Informer (real API server)', () => {
  it('follows adds, updates and deletes, and its cache matches the server', async () => {
    const ref = BUILTIN.configMaps;
    const informer = newInformer(ref);
    const seen: string[] = [];
    informer.onEvent((e) => {
      if (e.key.startsWith(`${NS}/cm-`)) seen.push(`${e.type}:${e.key}`);
    });
    await raw.create(collectionPath(ref, NS), {
      metadata: { name: 'cm-before' },
      data: { a: '1' },
    });
    informer.start();
    await informer.waitForSync(30_000);
    expect(informer.getByName(NS, 'cm-before')).toBeDefined();

    await raw.create(collectionPath(ref, NS), { metadata: { name: 'cm-new' }, data: { a: '1' } });
    await raw.patch(objectPath(ref, NS, 'cm-before'), { data: { a: '2' } });
    await raw.delete(objectPath(ref, NS, 'cm-new'));
    await eventually('the delete to arrive', () => seen.includes(`delete:${NS}/cm-new`));

    expect(seen).toEqual([
      `add:${NS}/cm-before`,
      `add:${NS}/cm-new`,
      `update:${NS}/cm-before`,
      `delete:${NS}/cm-new`,
    ]);
    expect((informer.getByName(NS, 'cm-before') as { data?: unknown }).data).toEqual({ a: '2' });
    expect(informer.getByName(NS, 'cm-before')?.metadata?.managedFields).toBeUndefined();
    await cacheMatchesServer(informer, ref);
  });

  it('relists after a real 410 Gone and keeps following the server', async () => {
    const ref = testCrdRef('gonewidgets', 'GoneWidget');
    await createTestCrd(raw, ref);
    try {
      await raw.create(collectionPath(ref, NS), {
        apiVersion: 'test.weightlifter.io/v1',
        kind: 'GoneWidget',
        metadata: { name: 'w1' },
      });
      const real = createListerWatcher<KubeObject>(raw, ref, { namespace: NS });
      // Resume the first watch from resourceVersion 2, far older than this fresh CRD's watch
      // cache: the API server answers "too old resource version" (410), as it does for an
      // informer that was disconnected longer than the server keeps history.
      const ends: WatchEnd['kind'][] = [];
      let first = true;
      const lw: ListerWatcher<KubeObject> = {
        list: () => real.list(),
        watch: (rv, onEvent) => {
          const session = real.watch(first ? '2' : rv, onEvent);
          first = false;
          void session.ended.then((e) => ends.push(e.kind));
          return session;
        },
      };
      const metrics = new RecordingMetrics();
      const informer = newInformer(ref, metrics, lw);
      informer.start();
      await informer.waitForSync(30_000);
      await eventually('a relist after 410', () => metrics.relists.includes('gone'));
      expect(ends[0]).toBe('gone');
      expect(metrics.relists.slice(0, 2)).toEqual(['initial', 'gone']);

      await raw.create(collectionPath(ref, NS), {
        apiVersion: 'test.weightlifter.io/v1',
        kind: 'GoneWidget',
        metadata: { name: 'w2' },
      });
      await eventually('w2 in the cache', () => informer.getByName(NS, 'w2') !== undefined);
      await cacheMatchesServer(informer, ref);
    } finally {
      await deleteTestCrd(raw, ref);
    }
  });

  it('the lister-watcher reports a too-old resourceVersion as gone', async () => {
    const ref = testCrdRef('agedwidgets', 'AgedWidget');
    await createTestCrd(raw, ref);
    try {
      // A CRD just established has no watch cache yet: until it has, the API server answers a watch
      // with 429 "storage is (re)initializing" (the informer retries that; this test looks at one
      // watch). A list served from that cache (resourceVersion 0) succeeds once it is ready.
      await eventually('the watch cache for the new resource', async () => {
        try {
          await raw.get(collectionPath(ref, NS), { resourceVersion: '0' });
          return true;
        } catch (err) {
          if (err instanceof KubeApiError && err.status === 429) return undefined;
          throw err;
        }
      });
      const session = createListerWatcher<KubeObject>(raw, ref, { namespace: NS }).watch(
        '2',
        () => undefined,
      );
      expect(await session.ended).toEqual({ kind: 'gone' });
    } finally {
      await deleteTestCrd(raw, ref);
    }
  });

  it('waits for a resource type that does not exist yet, and survives it being deleted and re-created', async () => {
    const ref = testCrdRef('informerwidgets', 'InformerWidget');
    await deleteTestCrd(raw, ref);
    const metrics = new RecordingMetrics();
    const informer = newInformer(ref, metrics);
    const seen: string[] = [];
    informer.onEvent((e) => seen.push(`${e.type}:${e.obj.metadata?.name ?? ''}`));
    informer.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(informer.hasSynced()).toBe(false); // lists fail with 404 and are retried

    await createTestCrd(raw, ref);
    await informer.waitForSync(30_000);
    const body = (name: string) => ({
      apiVersion: 'test.weightlifter.io/v1',
      kind: 'InformerWidget',
      metadata: { name },
    });
    await raw.create(collectionPath(ref, NS), body('old'));
    await eventually('old in the cache', () => informer.getByName(NS, 'old') !== undefined);

    // The type vanishes under the running watch, with its objects; then it comes back.
    await deleteTestCrd(raw, ref);
    await createTestCrd(raw, ref);
    await raw.create(collectionPath(ref, NS), body('new'));
    await eventually(
      'the cache to drop old and hold new',
      () =>
        informer.getByName(NS, 'new') !== undefined && informer.getByName(NS, 'old') === undefined,
      45_000,
    );
    expect(seen).toEqual(expect.arrayContaining(['add:old', 'delete:old', 'add:new']));
    expect(seen.indexOf('delete:old')).toBeGreaterThan(seen.indexOf('add:old'));
    await cacheMatchesServer(informer, ref);
    await deleteTestCrd(raw, ref);
  });
});
