import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ScopedCache } from '../../../src/runtime/scoped-cache.js';
import { Informer } from '../../../src/kube/informer.js';
import type { ListerWatcher } from '../../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../../src/kube/object-key.js';

const obj = (namespace: string, name: string, team: string): KubeObject => ({
  metadata: { namespace, name, resourceVersion: '1', labels: { team } },
});

/** Lists `items` once `release()` is called; the watch stays open until stopped. */
function gatedLister(items: KubeObject[]): { lw: ListerWatcher<KubeObject>; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release: () => {
      release();
    },
    lw: {
      list: async () => {
        await gate;
        return { items, resourceVersion: '1' };
      },
      watch: () => {
        let stop: () => void = () => undefined;
        const ended = new Promise<{ kind: 'closed' }>((resolve) => {
          stop = () => {
            resolve({ kind: 'closed' });
          };
        });
        return {
          stop: () => {
            stop();
          },
          ended,
        };
      },
    },
  };
}

let cache: ScopedCache<KubeObject> | undefined;
afterEach(async () => {
  await cache?.stop();
});

describe('ScopedCache over one informer per namespace', () => {
  it('routes reads by namespace, merges lists and indexes, and syncs when all have', async () => {
    const a = gatedLister([obj('a', 'x', 'red'), obj('a', 'y', 'blue')]);
    const b = gatedLister([obj('b', 'x', 'red')]);
    const informer = (name: string, lw: ListerWatcher<KubeObject>) =>
      new Informer<KubeObject>({
        name,
        listerWatcher: lw,
        logger: pino({ level: 'silent' }),
        relistIntervalMs: 0,
        indexers: { team: (o) => [o.metadata?.labels?.['team'] ?? ''] },
      });
    const ia = informer('things/a', a.lw);
    const ib = informer('things/b', b.lw);
    cache = new ScopedCache(
      'things',
      new Map([
        ['a', ia],
        ['b', ib],
      ]),
    );
    const events: string[] = [];
    cache.onEvent((e) => events.push(e.key));
    cache.start();
    a.release();
    await ia.waitForSync(1_000);
    expect(cache.hasSynced()).toBe(false);
    b.release();
    await ib.waitForSync(1_000);
    expect(cache.hasSynced()).toBe(true);

    expect(cache.getByName('a', 'x')?.metadata?.labels).toEqual({ team: 'red' });
    expect(cache.get('b/x')?.metadata?.namespace).toBe('b');
    expect(cache.getByName('c', 'x')).toBeUndefined();
    expect(
      cache
        .list('a')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['x', 'y']);
    expect(cache.list()).toHaveLength(3);
    expect(cache.keys().sort()).toEqual(['a/x', 'a/y', 'b/x']);
    expect(
      cache
        .byIndex('team', 'red')
        .map((o) => o.metadata?.namespace)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(events.sort()).toEqual(['a/x', 'a/y', 'b/x']);
  });

  it('an empty cache is synced and holds nothing', () => {
    const empty = ScopedCache.empty<KubeObject>('nothing');
    expect(empty.hasSynced()).toBe(true);
    expect(empty.list()).toEqual([]);
    expect(empty.getByName('a', 'x')).toBeUndefined();
  });
});
