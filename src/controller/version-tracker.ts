import type { KubeObject } from '../kube/object-key.js';
import { keyOf } from '../kube/object-key.js';

/**
 * Remembers the resourceVersion of our own last write per key (Argo Rollouts' version tracker).
 * A reconcile that finds an older copy in the cache would decide on state it has already
 * changed; it should requeue shortly instead (the watch event is on its way).
 */
export class ResourceVersionTracker {
  readonly #written = new Map<string, bigint>();

  record(obj: KubeObject): void {
    const rv = parseRv(obj.metadata?.resourceVersion);
    if (rv !== undefined) this.#written.set(keyOf(obj), rv);
  }

  /** True when `cached` is older than what we last wrote for its key. */
  isStale(cached: KubeObject): boolean {
    const written = this.#written.get(keyOf(cached));
    const rv = parseRv(cached.metadata?.resourceVersion);
    if (written === undefined || rv === undefined) return false;
    if (rv >= written) {
      // The cache caught up; forget, so the map holds only keys with writes in flight.
      this.#written.delete(keyOf(cached));
      return false;
    }
    return true;
  }

  forget(key: string): void {
    this.#written.delete(key);
  }
}

// resourceVersions are opaque strings by contract; every real API server uses etcd revisions
// (decimal integers). Anything else disables the check rather than guessing an order.
function parseRv(rv: string | undefined): bigint | undefined {
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}
