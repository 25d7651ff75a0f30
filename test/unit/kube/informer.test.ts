import { beforeEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { Informer, type InformerEvent } from '../../../src/kube/informer.js';
import type {
  ListResult,
  ListerWatcher,
  WatchEnd,
  WatchEventType,
} from '../../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../../src/kube/object-key.js';

interface Obj extends KubeObject {
  spec?: { target?: string };
}

const obj = (name: string, rv: string, target?: string): Obj => ({
  metadata: { namespace: 'ns', name, resourceVersion: rv, managedFields: [{ manager: 'x' }] },
  ...(target === undefined ? {} : { spec: { target } }),
});

interface FakeWatch {
  readonly rv: string;
  readonly emit: (type: WatchEventType, o: Obj) => void;
  readonly end: (e: WatchEnd) => void;
  stopped: boolean;
}

/** An in-memory ListerWatcher (our own seam); each list() takes the next scripted answer. */
class ScriptedListerWatcher implements ListerWatcher<Obj> {
  readonly answers: (ListResult<Obj> | Error)[] = [];
  readonly listTimes: number[] = [];
  readonly watches: FakeWatch[] = [];
  constructor(private readonly clock: ManualClock) {}

  list(): Promise<ListResult<Obj>> {
    this.listTimes.push(this.clock.now());
    const next = this.answers.shift();
    if (next === undefined) return Promise.reject(new Error('no scripted list answer'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }

  watch(resourceVersion: string, onEvent: (type: WatchEventType, o: Obj) => void) {
    let resolve: (e: WatchEnd) => void = () => undefined;
    const ended = new Promise<WatchEnd>((r) => (resolve = r));
    const w: FakeWatch = {
      rv: resourceVersion,
      emit: onEvent,
      end: (e) => {
        resolve(e);
      },
      stopped: false,
    };
    this.watches.push(w);
    return {
      ended,
      stop: () => {
        w.stopped = true;
        resolve({ kind: 'closed' });
      },
    };
  }

  get lastWatch(): FakeWatch {
    const w = this.watches.at(-1);
    if (w === undefined) throw new Error('no watch started');
    return w;
  }
}

const silent = pino({ level: 'silent' });

describe('Informer', () => {
  let clock: ManualClock;
  let lw: ScriptedListerWatcher;
  let informer: Informer<Obj>;
  let events: string[];

  // Sync resolves as the list lands; the watch starts right after, so let that happen too.
  const synced = async (): Promise<void> => {
    await informer.waitForSync(1000);
    await clock.advance(0);
  };

  beforeEach(() => {
    clock = new ManualClock();
    lw = new ScriptedListerWatcher(clock);
    informer = new Informer<Obj>({
      name: 'things',
      listerWatcher: lw,
      logger: silent,
      clock,
      backoff: { baseMs: 1000, maxMs: 8000 },
      relistIntervalMs: 600_000,
      relistJitter: 0.2,
      random: () => 0.5,
      indexers: { byTarget: (o) => (o.spec?.target === undefined ? [] : [o.spec.target]) },
    });
    events = [];
    informer.onEvent((e: InformerEvent<Obj>) => events.push(`${e.type}:${e.key}`));
  });

  it('lists, syncs, then follows the watch from the list version', async () => {
    lw.answers.push({ items: [obj('a', '1', 'web'), obj('b', '2')], resourceVersion: '10' });
    informer.start();
    await synced();
    expect(informer.hasSynced()).toBe(true);
    expect(events).toEqual(['add:ns/a', 'add:ns/b']);
    expect(lw.lastWatch.rv).toBe('10');
    expect(informer.get('ns/a')?.metadata?.managedFields).toBeUndefined();
    expect(informer.byIndex('byTarget', 'web').map((o) => o.metadata?.name)).toEqual(['a']);

    lw.lastWatch.emit('ADDED', obj('c', '11'));
    lw.lastWatch.emit('MODIFIED', obj('a', '12', 'api'));
    lw.lastWatch.emit('MODIFIED', obj('a', '12', 'api')); // replay: same resourceVersion
    lw.lastWatch.emit('DELETED', obj('b', '13'));
    lw.lastWatch.emit('BOOKMARK', { metadata: { resourceVersion: '20' } });
    expect(events.slice(2)).toEqual(['add:ns/c', 'update:ns/a', 'delete:ns/b']);
    expect(
      informer
        .list('ns')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['a', 'c']);
    expect(informer.byIndex('byTarget', 'web')).toEqual([]);
    expect(informer.byIndex('byTarget', 'api')).toHaveLength(1);
    expect(informer.lastResourceVersion()).toBe('20');
    await informer.stop();
  });

  it('resumes a cleanly closed watch from the last version without relisting', async () => {
    lw.answers.push({ items: [], resourceVersion: '10' });
    informer.start();
    await synced();
    lw.lastWatch.emit('ADDED', obj('a', '11'));
    lw.lastWatch.end({ kind: 'closed' });
    await clock.advance(0);
    expect(lw.watches.map((w) => w.rv)).toEqual(['10', '11']);
    expect(lw.listTimes).toHaveLength(1);
    await informer.stop();
  });

  it('relists on 410 Gone and diffs the cache against the new list', async () => {
    lw.answers.push({
      items: [obj('a', '1'), obj('b', '2'), obj('c', '3')],
      resourceVersion: '10',
    });
    informer.start();
    await synced();
    events = [];
    lw.lastWatch.emit('BOOKMARK', { metadata: { resourceVersion: '15' } });
    lw.answers.push({
      items: [obj('a', '1'), obj('b', '7'), obj('d', '8')],
      resourceVersion: '30',
    });
    lw.lastWatch.end({ kind: 'gone' });
    await clock.advance(0);
    expect(lw.listTimes).toHaveLength(2);
    // a unchanged: nothing; b changed: update; d new: add; c vanished: delete.
    expect(events).toEqual(['update:ns/b', 'add:ns/d', 'delete:ns/c']);
    expect(lw.lastWatch.rv).toBe('30');
    await informer.stop();
  });

  it('retries a failing list with capped exponential backoff, then syncs', async () => {
    for (let i = 0; i < 5; i++) lw.answers.push(new Error('connection refused'));
    lw.answers.push({ items: [obj('a', '1')], resourceVersion: '5' });
    informer.start();
    await clock.advance(0);
    expect(informer.hasSynced()).toBe(false);
    await clock.advance(60_000);
    const t0 = lw.listTimes[0] ?? 0;
    expect(lw.listTimes.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000, 15000, 23000]);
    expect(informer.hasSynced()).toBe(true);
    expect(events).toEqual(['add:ns/a']);
    await informer.stop();
  });

  it('relists after a watch error, with backoff, and keeps the cache meanwhile', async () => {
    lw.answers.push({ items: [obj('a', '1')], resourceVersion: '10' });
    informer.start();
    await synced();
    lw.answers.push({ items: [obj('a', '1')], resourceVersion: '40' });
    lw.lastWatch.end({ kind: 'error', error: new Error('stream reset') });
    await clock.advance(999);
    expect(lw.listTimes).toHaveLength(1);
    expect(informer.get('ns/a')).toBeDefined();
    await clock.advance(1);
    expect(lw.listTimes).toHaveLength(2);
    expect(lw.lastWatch.rv).toBe('40');
    await informer.stop();
  });

  it('backs off when the server keeps closing watches immediately', async () => {
    lw.answers.push({ items: [], resourceVersion: '10' });
    informer.start();
    await synced();
    lw.lastWatch.end({ kind: 'closed' });
    await clock.advance(0);
    expect(lw.watches).toHaveLength(1);
    await clock.advance(1000);
    expect(lw.watches).toHaveLength(2);
    lw.lastWatch.end({ kind: 'closed' });
    await clock.advance(1999);
    expect(lw.watches).toHaveLength(2);
    await clock.advance(1);
    expect(lw.watches).toHaveLength(3);
    await informer.stop();
  });

  it('relists periodically with jitter, producing no events when nothing changed', async () => {
    lw.answers.push({ items: [obj('a', '1')], resourceVersion: '10' });
    informer.start();
    await synced();
    events = [];
    lw.answers.push({ items: [obj('a', '1')], resourceVersion: '50' });
    await clock.advance(659_999); // 600 s + 0.5 * 20 % jitter = 660 s
    expect(lw.listTimes).toHaveLength(1);
    await clock.advance(1);
    expect(lw.listTimes).toHaveLength(2);
    expect(lw.watches[0]?.stopped).toBe(true);
    expect(lw.lastWatch.rv).toBe('50');
    expect(events).toEqual([]);
    await informer.stop();
  });

  it('waitForSync rejects with a coded error at its deadline', async () => {
    lw.answers.push(new Error('forbidden'));
    informer.start();
    const waiting = informer.waitForSync(5000);
    const assertion = expect(waiting).rejects.toMatchObject({ code: 'WL_INFORMER_SYNC_TIMEOUT' });
    await clock.advance(5000);
    await assertion;
    await informer.stop();
  });

  it('stop() ends the watch and rejects pending sync waits', async () => {
    lw.answers.push(new Error('forbidden'));
    informer.start();
    const waiting = informer.waitForSync(60_000);
    await informer.stop();
    await expect(waiting).rejects.toMatchObject({ code: 'WL_INFORMER_STOPPED' });
  });

  it('keeps delivering events when a handler throws', async () => {
    informer.onEvent(() => {
      throw new Error('handler bug');
    });
    lw.answers.push({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '10' });
    informer.start();
    await synced();
    expect(events).toEqual(['add:ns/a', 'add:ns/b']);
    await informer.stop();
  });
});
