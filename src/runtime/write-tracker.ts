// Our own writes, remembered until the informer caches show them. A reconcile that reads an
// object older than what it last wrote — or does not see at all an object it just created —
// would decide on a world it has already changed (a second create fails with AlreadyExists, a
// patch with 409, at worst a step is repeated); it requeues briefly instead. Writes are recorded
// by TrackingRawClient, so every module that writes through the raw client (workload, routing,
// status) is covered without knowing about it.
import { HttpMethod } from '../kube/http-constants.js';
import type { KubeObject } from '../kube/object-key.js';
import { KubeRawClient, type RequestOptions } from '../kube/raw-client.js';
import type { ResourceRef } from '../kube/resources.js';

/**
 * A write the cache has not shown within this long is forgotten: the object was deleted or
 * replaced meanwhile, and waiting longer would only stall the Canary. Forgetting loses only this
 * protection, never correctness: a stale decision still fails on its write's precondition.
 */
const DEFAULT_MAX_AGE_MS = 10_000;

interface Written {
  readonly rv: bigint;
  readonly at: number;
}

/** group/kind of an object ('' for core), version-independent (one kind across its versions). */
function groupKind(obj: KubeObject): string | undefined {
  if (obj.kind === undefined || obj.apiVersion === undefined) return undefined;
  const slash = obj.apiVersion.indexOf('/');
  return `${slash < 0 ? '' : obj.apiVersion.slice(0, slash)}/${obj.kind}`;
}

// resourceVersions are opaque strings by contract; every real API server uses etcd revisions
// (decimal integers). Anything else disables the check rather than guessing an order.
function parseRv(rv: string | undefined): bigint | undefined {
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

export interface WriteTrackerOptions {
  /**
   * The kinds whose cached copies reconciles read and check (any version); writes of other kinds
   * (Events, say) are not kept.
   */
  readonly tracked: readonly Pick<ResourceRef, 'group' | 'kind'>[];
  readonly now?: () => number;
  readonly maxAgeMs?: number;
}

export class WriteTracker {
  readonly #written = new Map<string, Written>();
  readonly #tracked: ReadonlySet<string>;
  readonly #now: () => number;
  readonly #maxAgeMs: number;

  constructor(opts: WriteTrackerOptions) {
    this.#tracked = new Set(opts.tracked.map((r) => `${r.group}/${r.kind}`));
    this.#now = opts.now ?? Date.now;
    this.#maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  record(obj: KubeObject): void {
    const gk = groupKind(obj);
    const rv = parseRv(obj.metadata?.resourceVersion);
    if (gk === undefined || rv === undefined || !this.#tracked.has(gk)) return;
    const key = `${gk}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    this.#written.set(key, { rv, at: this.#now() });
    if (this.#written.size > 10_000) this.#prune();
  }

  /**
   * True when the cache's copy of group/kind namespace/name (`cached`, undefined if the cache has
   * none) is older than our last write of it. `group` is '' for the core group.
   */
  isStale(
    group: string,
    kind: string,
    namespace: string,
    name: string,
    cached: KubeObject | undefined,
  ): boolean {
    const key = `${group}/${kind}/${namespace}/${name}`;
    const written = this.#written.get(key);
    if (written === undefined) return false;
    const rv = parseRv(cached?.metadata?.resourceVersion);
    const caughtUp = cached !== undefined && (rv === undefined || rv >= written.rv);
    if (caughtUp || this.#now() - written.at > this.#maxAgeMs) {
      // The map holds only writes still in flight.
      this.#written.delete(key);
      return false;
    }
    return true;
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, w] of this.#written) {
      if (now - w.at > this.#maxAgeMs) this.#written.delete(key);
    }
  }
}

const WRITES: ReadonlySet<string> = new Set([HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH]);

/** The raw client, recording the resourceVersion of every object it creates or modifies. */
export class TrackingRawClient extends KubeRawClient {
  #tracker: WriteTracker | undefined;

  /** Set after construction (the base constructor must run first). */
  track(tracker: WriteTracker): this {
    this.#tracker = tracker;
    return this;
  }

  override async request<T>(verb: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const result = await super.request<T>(verb, path, opts);
    if (WRITES.has(verb) && typeof result === 'object' && result !== null) {
      this.#tracker?.record(result);
    }
    return result;
  }
}
