// The bench's eyes: watches (as admin) every Canary and route (TrafficSplit or HTTPRoute, per the
// bench's router) and stamps each change with the wall-clock time it was seen, so latencies are
// measured from outside the controller. A route's weights count when written (an HTTPRoute's
// acceptance by the mesh follows within the emulator's 200 ms tick).
import { pino } from 'pino';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import type { CanaryStatus } from '../src/api/canary.js';
import { CANARY_REF } from '../src/canary/caches.js';
import { Informer } from '../src/kube/informer.js';
import { createListerWatcher } from '../src/kube/lister-watcher.js';
import type { KubeObject } from '../src/kube/object-key.js';
import type { KubeRawClient } from '../src/kube/raw-client.js';
import type { ResourceRef } from '../src/kube/resources.js';
import { readRouteRoutes, routeRef } from '../src/routing/http-route.js';
import { readRoutes, splitRef, type LiveSplit } from '../src/routing/traffic-split.js';
import type { BenchRouter } from './options.js';

interface CanaryObject extends KubeObject {
  status?: CanaryStatus;
}

export interface WeightChange {
  readonly at: number;
  readonly canaryWeight: number;
}

type Waiter = () => boolean;
/**
 * Which Canaries to watch and how to read their status: weightlifter's by default; a peer's
 * (peer/) maps its own status onto the fields the scenarios read (phase, revision).
 */
export interface CanaryKind {
  readonly ref: ResourceRef;
  readonly status: (obj: KubeObject & { status?: unknown }) => CanaryStatus | undefined;
}

export const WEIGHTLIFTER_CANARIES: CanaryKind = {
  ref: CANARY_REF,
  status: (obj) => (obj as CanaryObject).status,
};

/** The fleet's spec.service.port (fleet.ts). */
const SERVICE_PORT = 9898;
export type CanaryListener = (key: string, status: CanaryStatus, seenAt: number) => void;

export class FleetTracker {
  readonly #canaries: Informer<CanaryObject>;
  readonly #splits: Informer<LiveSplit>;
  /** key -> distinct canary weights in the order seen. */
  readonly #weights = new Map<string, WeightChange[]>();
  readonly #waiters = new Set<Waiter>();
  readonly #listeners = new Set<CanaryListener>();

  readonly #kind: CanaryKind;

  constructor(admin: KubeRawClient, router: BenchRouter, kind: CanaryKind = WEIGHTLIFTER_CANARIES) {
    this.#kind = kind;
    const logger = pino({ level: 'silent' });
    // Long relist periods: the bench's own requests should not disturb the figures.
    this.#canaries = new Informer<CanaryObject>({
      name: 'bench-canaries',
      listerWatcher: createListerWatcher<CanaryObject>(admin, kind.ref),
      logger,
      relistIntervalMs: 0,
    });
    this.#splits = new Informer<LiveSplit>({
      name: 'bench-splits',
      listerWatcher: createListerWatcher<LiveSplit>(
        admin,
        router === 'smi' ? splitRef('v1alpha4') : routeRef('v1'),
      ),
      logger,
      relistIntervalMs: 0,
    });
    this.#canaries.onEvent((e) => {
      const status = e.type === 'delete' ? undefined : kind.status(e.obj);
      if (status !== undefined) for (const l of this.#listeners) l(e.key, status, Date.now());
      this.#wake();
    });
    this.#splits.onEvent((e) => {
      if (e.type === 'delete') return;
      const name = e.obj.metadata?.name ?? '';
      const ns = e.obj.metadata?.namespace ?? '';
      const names = {
        namespace: ns,
        name,
        apex: name,
        primary: `${name}-primary`,
        canary: `${name}-canary`,
      };
      const r =
        router === 'smi'
          ? readRoutes(e.obj, names)
          : readRouteRoutes(e.obj, { ...names, port: SERVICE_PORT });
      if (!r.ok) return;
      const list = this.#weights.get(e.key) ?? [];
      if (list.at(-1)?.canaryWeight !== r.routes.canaryWeight) {
        list.push({ at: Date.now(), canaryWeight: r.routes.canaryWeight });
      }
      this.#weights.set(e.key, list);
      this.#wake();
    });
  }

  async start(): Promise<void> {
    this.#canaries.start();
    this.#splits.start();
    await Promise.all([this.#canaries.waitForSync(60_000), this.#splits.waitForSync(60_000)]);
  }

  stop(): Promise<unknown> {
    return Promise.all([this.#canaries.stop(), this.#splits.stop()]);
  }

  /** Calls `l` with every Canary status seen from now on; returns the unsubscribe. */
  onCanary(l: CanaryListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  status(key: string): CanaryStatus | undefined {
    const obj = this.#canaries.get(key);
    return obj === undefined ? undefined : this.#kind.status(obj);
  }

  weights(key: string): readonly WeightChange[] {
    return this.#weights.get(key) ?? [];
  }

  count(keys: readonly string[], ok: (s: CanaryStatus) => boolean): number {
    return keys.filter((k) => {
      const s = this.status(k);
      return s !== undefined && ok(s);
    }).length;
  }

  /**
   * Resolves with Date.now() at the first watch event after which `ok()` holds (at once if it
   * holds already). Rejects at once when `wrong()` names an outcome that rules `ok` out (a run
   * promoted while a rollback was awaited, say): waiting for the deadline would only hide it.
   * Rejects after the deadline otherwise.
   */
  until(
    what: string,
    ok: () => boolean,
    timeoutMs: number,
    wrong: () => string | undefined = () => undefined,
  ): Promise<number> {
    const check = (): { done: true; error?: Error } | { done: false } => {
      if (ok()) return { done: true };
      const why = wrong();
      if (why === undefined) return { done: false };
      return {
        done: true,
        error: new BenchError(BENCH_ERROR_CODES.WRONG_OUTCOME, `waiting for ${what}: ${why}`),
      };
    };
    const first = check();
    if (first.done)
      return first.error === undefined ? Promise.resolve(Date.now()) : Promise.reject(first.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new BenchError(
            BENCH_ERROR_CODES.TIMEOUT,
            `timed out after ${timeoutMs} ms waiting for ${what}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = () => {
        const c = check();
        if (!c.done) return false;
        clearTimeout(timer);
        if (c.error === undefined) resolve(Date.now());
        else reject(c.error);
        return true;
      };
      this.#waiters.add(waiter);
    });
  }

  #wake(): void {
    for (const w of this.#waiters) if (w()) this.#waiters.delete(w);
  }
}
