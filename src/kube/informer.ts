import type { Logger } from 'pino';
import { backoffDelay, withJitter, type BackoffOptions } from '../time/backoff.js';
import { isAborted, sleep, systemClock, type Clock, type TimerHandle } from '../time/clock.js';
import { WeightlifterError } from '../errors/catalogue.js';
import { InformerStore, type IndexFunc } from './informer-store.js';
import type { ListerWatcher, WatchEnd, WatchEventType } from './lister-watcher.js';
import { withoutManagedFields } from './cache-trim.js';
import { internStrings } from './intern.js';
import { keyOf, makeKey, type KubeObject } from './object-key.js';

export type InformerEventType = 'add' | 'update' | 'delete';

export interface InformerEvent<T> {
  readonly type: InformerEventType;
  readonly key: string;
  readonly obj: T;
  /** The cached object an update replaced. */
  readonly old?: T;
}

/** Handlers map events to queue keys and enqueue them; nothing else (no I/O, no waiting). */
export type InformerHandler<T> = (event: InformerEvent<T>) => void;

export type RelistReason = 'initial' | 'gone' | 'periodic' | 'error';

/** Watch health, for metrics; implemented by telemetry, optional. */
export interface InformerMetricsSink {
  incRelist(informer: string, reason: RelistReason): void;
  incWatchError(informer: string): void;
  setSynced(informer: string, synced: boolean): void;
}

/** What the controller runner needs from any event source (an Informer, or a test double). */
export interface EventSource<T> {
  readonly name: string;
  onEvent(handler: InformerHandler<T>): () => void;
  hasSynced(): boolean;
}

export interface InformerOptions<T extends KubeObject> {
  /** Used in logs and metrics, e.g. 'canaries'. */
  readonly name: string;
  readonly listerWatcher: ListerWatcher<T>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Delay between failed list/watch attempts. @default { baseMs: 1000, maxMs: 30_000 } */
  readonly backoff?: BackoffOptions;
  /** Full relist period, a safety net against missed events; 0 disables. @default 600_000 */
  readonly relistIntervalMs?: number;
  /** Relist period is stretched by up to this fraction, at random. @default 0.2 */
  readonly relistJitter?: number;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /**
   * Applied to every object before caching. @default drops metadata.managedFields (memory). The
   * cached object's strings are then interned (intern.ts), in place: the transform must
   * return an object nobody else holds (a copy or the parsed object itself).
   */
  readonly transform?: (obj: T) => T;
  readonly random?: () => number;
  readonly metrics?: InformerMetricsSink;
}

export const DEFAULT_INFORMER_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 30_000 };

/** A watch that ends sooner than this without delivering anything counts as a failure. */
const MIN_HEALTHY_WATCH_MS = 5000;

/**
 * List-then-watch cache of one resource (client-go's reflector + indexer). It never gives up:
 * list and watch errors retry with capped exponential backoff and relist; a 410 Gone relists at
 * once; a periodic relist with jitter repairs anything missed. A relist diffs against the cache:
 * vanished objects produce `delete`, changed ones `update`; unchanged ones produce nothing, so an
 * idle cluster causes no reconciles.
 */
export class Informer<T extends KubeObject> implements EventSource<T> {
  readonly name: string;
  readonly #lw: ListerWatcher<T>;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #backoff: BackoffOptions;
  readonly #relistMs: number;
  readonly #jitter: number;
  readonly #transform: (obj: T) => T;
  readonly #random: () => number;
  readonly #metrics: InformerMetricsSink | undefined;
  readonly #store: InformerStore<T>;
  readonly #handlers = new Set<InformerHandler<T>>();
  #rv = '';
  #synced = false;
  #syncWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #stopping: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #session: { stop(): void } | undefined;
  #relistTimer: TimerHandle | undefined;
  #relistDue = false;

  constructor(opts: InformerOptions<T>) {
    this.name = opts.name;
    this.#lw = opts.listerWatcher;
    this.#log = opts.logger.child({ informer: opts.name });
    this.#clock = opts.clock ?? systemClock;
    this.#backoff = opts.backoff ?? DEFAULT_INFORMER_BACKOFF;
    this.#relistMs = opts.relistIntervalMs ?? 600_000;
    this.#jitter = opts.relistJitter ?? 0.2;
    this.#transform = opts.transform ?? withoutManagedFields;
    this.#random = opts.random ?? Math.random;
    this.#metrics = opts.metrics;
    this.#store = new InformerStore(opts.indexers);
  }

  onEvent(handler: InformerHandler<T>): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Starts listing and watching in the background; see waitForSync. */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = new AbortController();
    this.#metrics?.setSynced(this.name, false);
    this.#loop = this.#run(this.#stopping.signal);
  }

  async stop(): Promise<void> {
    this.#stopping?.abort();
    this.#session?.stop();
    if (this.#relistTimer !== undefined) this.#clock.clearTimeout(this.#relistTimer);
    this.#relistTimer = undefined;
    const err = new WeightlifterError('WL_INFORMER_STOPPED', `informer ${this.name} stopped`);
    this.#syncWaiters.splice(0).forEach((w) => {
      w.reject(err);
    });
    await this.#loop;
    this.#loop = undefined;
  }

  /** True once the first list is in the cache (stays true across relists). */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves when synced; rejects after `timeoutMs` or when the informer stops. */
  waitForSync(timeoutMs: number): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#syncWaiters = this.#syncWaiters.filter((w) => w !== waiter);
        reject(
          new WeightlifterError('WL_INFORMER_SYNC_TIMEOUT', `informer ${this.name} not synced`, {
            details: { informer: this.name, timeoutMs },
          }),
        );
      }, timeoutMs);
      const waiter = {
        resolve: () => {
          this.#clock.clearTimeout(timer);
          resolve();
        },
        reject: (e: Error) => {
          this.#clock.clearTimeout(timer);
          reject(e);
        },
      };
      this.#syncWaiters.push(waiter);
    });
  }

  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#store.get(makeKey(namespace, name));
  }

  list(namespace?: string): T[] {
    return this.#store.list(namespace);
  }

  byIndex(index: string, value: string): T[] {
    return this.#store.byIndex(index, value);
  }

  keys(): string[] {
    return this.#store.keys();
  }

  /** resourceVersion of the last list or watch event seen. */
  lastResourceVersion(): string {
    return this.#rv;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let needList: RelistReason | undefined = 'initial';
    let failures = 0;
    while (!signal.aborted) {
      if (needList !== undefined) {
        const listed = await this.#list(needList, signal);
        if (!listed) {
          failures += 1;
          await this.#pause(failures, signal);
          continue;
        }
        needList = undefined;
      }
      const started = this.#clock.now();
      let progressed = false;
      const session = this.#lw.watch(this.#rv, (type, obj) => {
        progressed = true;
        this.#onWatchEvent(type, obj);
      });
      this.#session = session;
      const end = await session.ended;
      this.#session = undefined;
      // Re-read after the await: stop() may have aborted meanwhile (TS narrows it to false).
      if (isAborted(signal)) break;
      // Our own periodic-relist stop is not the server misbehaving.
      progressed ||= this.#relistDue || this.#clock.now() - started >= MIN_HEALTHY_WATCH_MS;
      failures = progressed ? 0 : failures;
      needList = this.#afterWatch(end);
      if (end.kind === 'error' || !progressed) {
        failures += 1;
        await this.#pause(failures, signal);
      }
    }
  }

  /** Decides what follows a watch that ended: resume from the last version, or relist. */
  #afterWatch(end: WatchEnd): RelistReason | undefined {
    if (this.#relistDue) {
      this.#relistDue = false;
      return 'periodic';
    }
    switch (end.kind) {
      case 'closed':
        return undefined;
      case 'gone':
        this.#log.info({ resourceVersion: this.#rv }, 'watch expired, relisting');
        return 'gone';
      case 'error':
        this.#metrics?.incWatchError(this.name);
        this.#log.warn({ err: end.error }, 'watch failed');
        return 'error';
    }
  }

  async #list(reason: RelistReason, signal: AbortSignal): Promise<boolean> {
    let result;
    try {
      result = await this.#lw.list();
    } catch (err) {
      this.#log.warn({ err, reason }, 'list failed');
      return false;
    }
    if (signal.aborted) return false;
    this.#metrics?.incRelist(this.name, reason);
    this.#replace(result.items);
    this.#rv = result.resourceVersion;
    this.#scheduleRelist();
    if (!this.#synced) {
      this.#synced = true;
      this.#metrics?.setSynced(this.name, true);
      this.#log.info({ objects: this.#store.size }, 'informer synced');
      this.#syncWaiters.splice(0).forEach((w) => {
        w.resolve();
      });
    } else {
      this.#log.debug({ objects: this.#store.size, reason }, 'relisted');
    }
    return true;
  }

  #pause(failures: number, signal: AbortSignal): Promise<void> {
    return sleep(this.#clock, backoffDelay(this.#backoff, failures), signal);
  }

  #scheduleRelist(): void {
    if (this.#relistTimer !== undefined) this.#clock.clearTimeout(this.#relistTimer);
    this.#relistTimer = undefined;
    if (this.#relistMs <= 0) return;
    const ms = withJitter(this.#relistMs, this.#jitter, this.#random);
    this.#relistTimer = this.#clock.setTimeout(() => {
      this.#relistTimer = undefined;
      this.#relistDue = true;
      this.#session?.stop();
    }, ms);
  }

  #replace(items: readonly T[]): void {
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = this.#transform(raw);
      seen.add(keyOf(obj));
      this.#upsert(obj);
    }
    for (const key of this.#store.keys()) {
      if (seen.has(key)) continue;
      const old = this.#store.remove(key);
      if (old !== undefined) this.#emit({ type: 'delete', key, obj: old });
    }
  }

  #onWatchEvent(type: WatchEventType, raw: T): void {
    const rv = raw.metadata?.resourceVersion;
    if (type === 'DELETED') {
      const key = keyOf(raw);
      const old = this.#store.remove(key);
      if (old !== undefined) this.#emit({ type: 'delete', key, obj: this.#transform(raw) });
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      this.#upsert(this.#transform(raw));
    }
    if (rv !== undefined && rv !== '') this.#rv = rv;
  }

  #upsert(obj: T): void {
    const key = keyOf(obj);
    const current = this.#store.get(key);
    const rv = obj.metadata?.resourceVersion;
    // Same resourceVersion = same object: a relist or a replayed event must not cause work.
    if (current !== undefined && rv !== undefined && current.metadata?.resourceVersion === rv)
      return;
    // Cached until replaced: one copy of each repeated string (intern.ts). The object is
    // this informer's own, just parsed and transformed.
    this.#store.upsert(internStrings(obj));
    this.#emit(
      current === undefined
        ? { type: 'add', key, obj }
        : { type: 'update', key, obj, old: current },
    );
  }

  #emit(event: InformerEvent<T>): void {
    for (const handler of this.#handlers) {
      try {
        handler(event);
      } catch (err) {
        // A handler bug must not stop the cache from following the server; it is reported loudly.
        this.#log.error({ err, key: event.key, event: event.type }, 'informer handler threw');
      }
    }
  }
}
