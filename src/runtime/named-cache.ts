// A cache of named objects only: one informer per `namespace/name` that some holder (a Canary)
// references, started when the first holder names it and stopped when the last one lets go. It
// never lists or watches a collection, so objects nobody references are never read: how the
// controller keeps Secrets (src/canary/secret-refs.ts says which ones a Canary references).
import type { EventSource, Informer, InformerHandler } from '../kube/informer.js';
import { makeKey, type KubeObject } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';

/** How many names a named cache watches, for metrics; optional. */
export interface NamedCacheMetricsSink {
  setWatchedNames(cache: string, count: number): void;
}

export interface NamedCacheOptions<T extends KubeObject> {
  /** Used in logs and metrics, e.g. 'secrets'. */
  readonly name: string;
  /** A new (not started) informer of exactly that one object. */
  readonly informerFor: (namespace: string, name: string) => Informer<T>;
  readonly metrics?: NamedCacheMetricsSink;
}

const split = (key: string): [string, string] => {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
};

export class NamedCache<T extends KubeObject> implements ObjectReader<T>, EventSource<T> {
  readonly name: string;
  readonly #informerFor: (namespace: string, name: string) => Informer<T>;
  readonly #metrics: NamedCacheMetricsSink | undefined;
  /** By `namespace/name`. */
  readonly #informers = new Map<string, Informer<T>>();
  /** What each holder references now. */
  readonly #held = new Map<string, ReadonlySet<string>>();
  readonly #handlers = new Set<InformerHandler<T>>();
  #started = false;

  constructor(opts: NamedCacheOptions<T>) {
    this.name = opts.name;
    this.#informerFor = opts.informerFor;
    this.#metrics = opts.metrics;
  }

  /**
   * `holder` references exactly `keys` (`namespace/name`) from now on: objects it named before
   * and nobody names any more are dropped, new ones are watched. See whenSynced.
   */
  hold(holder: string, keys: Iterable<string>): void {
    const next = new Set(keys);
    const before = this.#held.get(holder) ?? new Set<string>();
    if (next.size === 0) this.#held.delete(holder);
    else this.#held.set(holder, next);
    for (const key of next) if (!this.#informers.has(key)) this.#watch(key);
    for (const key of before) if (!next.has(key)) this.#dropIfUnheld(key);
    this.#report();
  }

  /** `holder` references nothing any more (a Canary that is gone). */
  release(holder: string): void {
    this.hold(holder, []);
  }

  /** The holders that reference `key`. */
  holdersOf(key: string): string[] {
    return [...this.#held].filter(([, keys]) => keys.has(key)).map(([holder]) => holder);
  }

  /** Resolves once every one of `keys` (held) is read: present or known to be missing. */
  async whenSynced(keys: Iterable<string>, timeoutMs: number): Promise<void> {
    const pending = [...keys]
      .map((k) => this.#informers.get(k))
      .filter((i): i is Informer<T> => i !== undefined && !i.hasSynced());
    await Promise.all(pending.map((i) => i.waitForSync(timeoutMs)));
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#informers.get(makeKey(namespace, name))?.getByName(namespace, name);
  }

  get(key: string): T | undefined {
    const [namespace, name] = split(key);
    return this.getByName(namespace, name);
  }

  list(namespace?: string): T[] {
    return [...this.#informers.values()].flatMap((i) => i.list(namespace));
  }

  keys(): string[] {
    return [...this.#informers.values()].flatMap((i) => i.keys());
  }

  onEvent(handler: InformerHandler<T>): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /**
   * Always true: nothing is held before the first reconcile, and a reconcile waits for the names
   * it holds itself (whenSynced), so the controller's start waits for nothing here.
   */
  hasSynced(): boolean {
    return true;
  }

  start(): void {
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }

  #watch(key: string): void {
    const informer = this.#informerFor(...split(key));
    informer.onEvent((event) => {
      for (const handler of this.#handlers) handler(event);
    });
    this.#informers.set(key, informer);
    if (this.#started) informer.start();
  }

  #dropIfUnheld(key: string): void {
    if ([...this.#held.values()].some((keys) => keys.has(key))) return;
    const informer = this.#informers.get(key);
    this.#informers.delete(key);
    // Stopping only ends its watch; the informer is gone from every read at once.
    void informer?.stop();
  }

  #report(): void {
    this.#metrics?.setWatchedNames(this.name, this.#informers.size);
  }
}
