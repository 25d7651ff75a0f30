import { keyOf, type KubeObject } from './object-key.js';

/** Computes the index values of an object (e.g. the name of the Deployment a Canary targets). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/**
 * The informer's cache: objects by key, by namespace, and by any number of secondary indexes,
 * so a Deployment event finds its Canary without scanning every Canary in the namespace.
 */
export class InformerStore<T extends KubeObject> {
  readonly #objects = new Map<string, T>();
  readonly #byNamespace = new Map<string, Map<string, T>>();
  readonly #indexers: ReadonlyMap<string, IndexFunc<T>>;
  readonly #indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    this.#indexers = new Map(Object.entries(indexers));
    for (const name of this.#indexers.keys()) this.#indexes.set(name, new Map());
  }

  get size(): number {
    return this.#objects.size;
  }

  get(key: string): T | undefined {
    return this.#objects.get(key);
  }

  /** Objects in `namespace`, or every object when undefined. Do not mutate them. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.#objects.values()];
    return [...(this.#byNamespace.get(namespace)?.values() ?? [])];
  }

  keys(): string[] {
    return [...this.#objects.keys()];
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.#indexes.get(index);
    if (idx === undefined) throw new TypeError(`unknown index ${index}`);
    const out: T[] = [];
    for (const key of idx.get(value) ?? []) {
      const obj = this.#objects.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Inserts or replaces; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.#objects.get(key);
    if (old !== undefined) this.#unindex(key, old);
    this.#objects.set(key, obj);
    const ns = obj.metadata?.namespace ?? '';
    let nsMap = this.#byNamespace.get(ns);
    if (nsMap === undefined) {
      nsMap = new Map<string, T>();
      this.#byNamespace.set(ns, nsMap);
    }
    nsMap.set(key, obj);
    this.#index(key, obj);
    return old;
  }

  remove(key: string): T | undefined {
    const old = this.#objects.get(key);
    if (old === undefined) return undefined;
    this.#objects.delete(key);
    const ns = old.metadata?.namespace ?? '';
    const nsMap = this.#byNamespace.get(ns);
    nsMap?.delete(key);
    if (nsMap?.size === 0) this.#byNamespace.delete(ns);
    this.#unindex(key, old);
    return old;
  }

  #index(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const idx = this.#indexes.get(name);
      if (idx === undefined) continue;
      for (const value of fn(obj)) {
        let keys = idx.get(value);
        if (keys === undefined) idx.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const idx = this.#indexes.get(name);
      if (idx === undefined) continue;
      for (const value of fn(obj)) {
        const keys = idx.get(value);
        keys?.delete(key);
        if (keys?.size === 0) idx.delete(value);
      }
    }
  }
}
