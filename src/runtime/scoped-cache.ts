// One resource's cache over the controller's namespace scope: a single cluster-wide informer, or
// one informer per watched namespace (RBAC may grant only those). Reads, indexes and events look
// the same either way, so nothing downstream knows which.
import type { EventSource, Informer, InformerHandler } from '../kube/informer.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';

export class ScopedCache<T extends KubeObject> implements ObjectReader<T>, EventSource<T> {
  readonly name: string;
  /** Keyed by namespace; '' holds the one cluster-wide informer. */
  readonly #informers: ReadonlyMap<string, Informer<T>>;

  constructor(name: string, informers: ReadonlyMap<string, Informer<T>>) {
    this.name = name;
    this.#informers = informers;
  }

  /** A cache that never holds anything (a resource the cluster does not serve). */
  static empty<T extends KubeObject>(name: string): ScopedCache<T> {
    return new ScopedCache<T>(name, new Map());
  }

  #for(namespace: string | undefined): Informer<T> | undefined {
    return this.#informers.get('') ?? this.#informers.get(namespace ?? '');
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#for(namespace)?.getByName(namespace, name);
  }

  get(key: string): T | undefined {
    const slash = key.indexOf('/');
    return slash < 0
      ? this.getByName(undefined, key)
      : this.getByName(key.slice(0, slash), key.slice(slash + 1));
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return this.#for(namespace)?.list(namespace) ?? [];
    return [...this.#informers.values()].flatMap((i) => i.list());
  }

  keys(): string[] {
    return [...this.#informers.values()].flatMap((i) => i.keys());
  }

  byIndex(index: string, value: string): T[] {
    return [...this.#informers.values()].flatMap((i) => i.byIndex(index, value));
  }

  onEvent(handler: InformerHandler<T>): () => void {
    const offs = [...this.#informers.values()].map((i) => i.onEvent(handler));
    return () => {
      for (const off of offs) off();
    };
  }

  hasSynced(): boolean {
    return [...this.#informers.values()].every((i) => i.hasSynced());
  }

  start(): void {
    for (const i of this.#informers.values()) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }
}
