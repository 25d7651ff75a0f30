import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Informer, type InformerEvent } from '../../../src/kube/informer.js';
import type { ListerWatcher, WatchEventType } from '../../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import { NamedCache } from '../../../src/runtime/named-cache.js';
import { ManualClock, flushPromises } from '../../../src/time/manual-clock.js';

const logger = pino({ level: 'silent' });

const secret = (ns: string, name: string, rv: string): KubeObject => ({
  metadata: { namespace: ns, name, resourceVersion: rv },
});

/** A fake server of named objects (our ListerWatcher seam): what each name's reads saw. */
class NamedServer {
  readonly objects = new Map<string, KubeObject>();
  /** Keys whose object was read (GET) or watched, in order. */
  readonly reads: string[] = [];
  readonly stopped: string[] = [];
  readonly #watchers = new Map<string, (type: WatchEventType, o: KubeObject) => void>();

  listerWatcher(key: string): ListerWatcher<KubeObject> {
    return {
      list: () => {
        this.reads.push(`get ${key}`);
        const o = this.objects.get(key);
        return Promise.resolve({ items: o === undefined ? [] : [o], resourceVersion: '' });
      },
      watch: (_rv, onEvent) => {
        this.reads.push(`watch ${key}`);
        this.#watchers.set(key, onEvent);
        let stop: () => void = () => undefined;
        const ended = new Promise<{ kind: 'closed' }>((resolve) => {
          stop = () => {
            this.stopped.push(key);
            this.#watchers.delete(key);
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
    };
  }

  modify(o: KubeObject): void {
    const key = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    this.objects.set(key, o);
    this.#watchers.get(key)?.('MODIFIED', o);
  }

  watching(): string[] {
    return [...this.#watchers.keys()].sort();
  }
}

let cache: NamedCache<KubeObject> | undefined;
afterEach(async () => {
  await cache?.stop();
});

function setUp(): { server: NamedServer; cache: NamedCache<KubeObject>; watched: number[] } {
  const server = new NamedServer();
  const clock = new ManualClock();
  const watched: number[] = [];
  cache = new NamedCache<KubeObject>({
    name: 'secrets',
    informerFor: (ns, name) =>
      new Informer({
        name: `secrets/${ns}/${name}`,
        listerWatcher: server.listerWatcher(`${ns}/${name}`),
        logger,
        clock,
        relistIntervalMs: 0,
      }),
    metrics: { setWatchedNames: (_cache, n) => watched.push(n) },
  });
  cache.start();
  return { server, cache, watched };
}

describe('NamedCache: only the names its holders reference', () => {
  it('reads nothing until a name is held, then exactly that name', async () => {
    const { server, cache } = setUp();
    server.objects.set('team-a/db', secret('team-a', 'db', '1'));
    server.objects.set('team-b/other', secret('team-b', 'other', '1'));
    await flushPromises();
    expect(server.reads).toEqual([]);
    expect(cache.hasSynced()).toBe(true);

    cache.hold('team-a/web', ['team-a/db']);
    await cache.whenSynced(['team-a/db'], 1_000);
    await flushPromises();
    expect(cache.getByName('team-a', 'db')?.metadata?.resourceVersion).toBe('1');
    expect(cache.getByName('team-b', 'other')).toBeUndefined();
    expect(server.reads).toEqual(['get team-a/db', 'watch team-a/db']);
    expect(cache.keys()).toEqual(['team-a/db']);
  });

  it('a missing name is read as missing, and its later creation arrives by the watch', async () => {
    const { server, cache } = setUp();
    const events: InformerEvent<KubeObject>[] = [];
    cache.onEvent((e) => events.push(e));
    cache.hold('ns/web', ['ns/late']);
    await cache.whenSynced(['ns/late'], 1_000);
    await flushPromises();
    expect(cache.getByName('ns', 'late')).toBeUndefined();
    server.modify(secret('ns', 'late', '7'));
    expect(cache.get('ns/late')?.metadata?.resourceVersion).toBe('7');
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual(['add ns/late']);
    expect(cache.holdersOf('ns/late')).toEqual(['ns/web']);
  });

  it('drops a name when its last holder lets go, and keeps one still held', async () => {
    const { server, cache, watched } = setUp();
    server.objects.set('ns/shared', secret('ns', 'shared', '1'));
    server.objects.set('ns/own', secret('ns', 'own', '1'));
    cache.hold('ns/a', ['ns/shared', 'ns/own']);
    cache.hold('ns/b', ['ns/shared']);
    await cache.whenSynced(['ns/shared', 'ns/own'], 1_000);
    await flushPromises();
    expect(server.watching()).toEqual(['ns/own', 'ns/shared']);

    cache.hold('ns/a', ['ns/shared']); // a no longer references `own`
    await flushPromises();
    expect(cache.getByName('ns', 'own')).toBeUndefined();
    expect(server.watching()).toEqual(['ns/shared']);

    cache.release('ns/a');
    await flushPromises();
    expect(cache.getByName('ns', 'shared')).toBeDefined();
    expect(cache.holdersOf('ns/shared')).toEqual(['ns/b']);

    cache.release('ns/b');
    await flushPromises();
    expect(cache.keys()).toEqual([]);
    expect(server.watching()).toEqual([]);
    expect(server.stopped.sort()).toEqual(['ns/own', 'ns/shared']);
    expect(watched).toEqual([2, 2, 1, 1, 0]);
  });

  it('a held name changed on the server is changed in the cache, with an event', async () => {
    const { server, cache } = setUp();
    server.objects.set('ns/db', secret('ns', 'db', '1'));
    const events: string[] = [];
    cache.onEvent((e) => events.push(`${e.type} ${e.key}`));
    cache.hold('ns/web', ['ns/db']);
    await cache.whenSynced(['ns/db'], 1_000);
    await flushPromises();
    server.modify(secret('ns', 'db', '2'));
    expect(cache.getByName('ns', 'db')?.metadata?.resourceVersion).toBe('2');
    expect(events).toEqual(['add ns/db', 'update ns/db']);
  });
});
