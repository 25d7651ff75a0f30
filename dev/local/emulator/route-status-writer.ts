import { PatchStrategy } from '../../../src/kube/http-constants.js';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../../src/kube/errors.js';
import { keyOf } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { objectPath } from '../../../src/kube/resources.js';
import { GATEWAY_GROUP } from './cluster-view.js';
import type { HttpRouteObject } from './objects.js';

export interface RouteStatusWriterOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  /** The namespace needs another look (a write failed for a reason other than a newer object). */
  readonly retry: (namespace: string) => void;
  /** Writes in flight at once. @default 8 */
  readonly concurrency?: number;
}

interface Pending {
  readonly route: HttpRouteObject;
  readonly version: string;
  readonly parents: readonly unknown[];
}

/**
 * Writes HTTPRoute status.parents through the status subresource as a merge patch carrying the
 * route's resourceVersion: a route changed meanwhile (another controller's status entry included)
 * answers 409, and the informer's newer copy is evaluated again, so no one else's entry is lost.
 */
export class RouteStatusWriter {
  readonly #o: RouteStatusWriterOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #inFlight = new Set<string>();
  #writes = 0;

  constructor(opts: RouteStatusWriterOptions) {
    this.#o = opts;
  }

  /** Status patches sent so far. */
  get writes(): number {
    return this.#writes;
  }

  /** Queues the write (replacing an older one for the same route) and sends what it may. */
  write(route: HttpRouteObject, version: string, parents: readonly unknown[]): void {
    this.#pending.set(keyOf(route), { route, version, parents });
    this.#pump();
  }

  #pump(): void {
    const limit = this.#o.concurrency ?? 8;
    for (const [key, p] of this.#pending) {
      if (this.#inFlight.size >= limit) return;
      if (this.#inFlight.has(key)) continue;
      this.#pending.delete(key);
      this.#send(key, p);
    }
  }

  #send(key: string, { route, version, parents }: Pending): void {
    const ns = route.metadata?.namespace ?? '';
    const ref = { group: GATEWAY_GROUP, version, plural: 'httproutes', kind: 'HTTPRoute' };
    const path = objectPath({ ...ref, namespaced: true }, ns, route.metadata?.name ?? '', 'status');
    const body = {
      metadata: { resourceVersion: route.metadata?.resourceVersion },
      status: { parents },
    };
    this.#inFlight.add(key);
    this.#writes++;
    void this.#o.raw
      .patch(path, body, PatchStrategy.MergePatch)
      .catch((err: unknown) => {
        // Deleted, or changed since: the informer's next event brings the object to look at.
        if (isNotFound(err) || isConflict(err)) return;
        this.#o.logger.warn({ err, route: key }, 'HTTPRoute status write failed');
        this.#o.retry(ns);
      })
      .finally(() => {
        this.#inFlight.delete(key);
        this.#pump();
      });
  }
}
