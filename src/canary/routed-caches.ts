// The informer caches of the routers' resources. The controller does not know what they hold
// (TrafficSplits, HTTPRoutes, ...): each router declares its resources and the objects it writes
// for a Canary, and these caches answer for them by group and plural. A router watches each of
// its resources at one version, and every version reads the same object.
import type { Canary } from '../api/canary.js';
import type { KubeObject } from '../kube/object-key.js';
import { notControlledBy } from '../kube/owner.js';
import type { ObjectReader } from '../kube/object-reader.js';
import type { ResourceRef } from '../kube/resources.js';
import type { CanaryNames, RoutedObject, RoutedReaders, Router } from '../routing/types.js';
import type { ScopedCache } from '../runtime/scoped-cache.js';

/** A resource that is not watched: nothing in it, ever. */
const NOTHING: ObjectReader<KubeObject> = { getByName: () => undefined, list: () => [] };

const groupPlural = (ref: Pick<ResourceRef, 'group' | 'plural'>): string =>
  `${ref.group}/${ref.plural}`;

/** The value of the Canary index byRouted for one routed object. */
export function routedKey(
  ref: Pick<ResourceRef, 'group' | 'plural'>,
  namespace: string,
  name: string,
): string {
  return `${groupPlural(ref)}/${namespace}/${name}`;
}

/**
 * The objects the router serving `canary` writes for it (none when no router serves it). Without
 * `read` (indexing), the objects of every router that may serve it.
 */
export function routedObjects(
  routers: readonly Router[],
  canary: CanaryNames,
  read?: RoutedReaders,
): readonly RoutedObject[] {
  return routers.filter((r) => r.serves(canary, read)).flatMap((r) => r.objectsOf(canary));
}

export interface RoutedCache {
  readonly ref: ResourceRef;
  readonly cache: ScopedCache<KubeObject>;
}

/** A routed object of one Canary and its cached copy (undefined: not in the cache). */
export interface CachedRoutedObject extends RoutedObject {
  readonly cached: KubeObject | undefined;
}

export class RoutedCaches {
  readonly #routers: readonly Router[];
  readonly #caches = new Map<string, RoutedCache>();

  constructor(routers: readonly Router[], cacheFor: (ref: ResourceRef) => ScopedCache<KubeObject>) {
    this.#routers = routers;
    for (const ref of routers.flatMap((r) => r.resources())) {
      const key = groupPlural(ref);
      if (!this.#caches.has(key)) this.#caches.set(key, { ref, cache: cacheFor(ref) });
    }
  }

  /** One cache per watched resource. */
  all(): RoutedCache[] {
    return [...this.#caches.values()];
  }

  /** The cache of `ref`'s resource, at whatever version it is watched (routers' RoutedReaders). */
  readonly read = (ref: ResourceRef): ObjectReader<KubeObject> =>
    this.#caches.get(groupPlural(ref))?.cache ?? NOTHING;

  /** What the routers write for `canary`, each with its cached copy. */
  objectsOf(canary: CanaryNames): CachedRoutedObject[] {
    const ns = canary.metadata?.namespace ?? '';
    return routedObjects(this.#routers, canary, this.read).map((o) => ({
      ...o,
      cached: this.read(o.ref).getByName(ns, o.name),
    }));
  }

  /**
   * Route objects of the routers that do not serve `canary` now, that exist and that the Canary
   * may change (it controls them, or took them over): what a change of provider left behind.
   */
  leftBehind(canary: Canary): CachedRoutedObject[] {
    const ns = canary.metadata.namespace ?? '';
    return this.#routers
      .filter((r) => !r.serves(canary, this.read))
      .flatMap((r) => r.objectsOf(canary))
      .map((o) => ({ ...o, cached: this.read(o.ref).getByName(ns, o.name) }))
      .filter((o): o is CachedRoutedObject & { cached: KubeObject } => o.cached !== undefined)
      .filter((o) => (o.notOwnedBecause ?? notControlledBy)(canary, o.cached) === undefined);
  }
}
