import type { Logger } from 'pino';
import type { EventSource, InformerEvent } from '../kube/informer.js';
import { WeightlifterError } from '../errors/catalogue.js';
import type { ReadinessReport } from '../telemetry/http-server.js';
import type { BackoffOptions } from '../time/backoff.js';
import { sleep, systemClock, type Clock } from '../time/clock.js';
import type { Reconciler } from '../runtime/reconciler.js';
import { runWorkers, type ReconcileMetricsSink } from '../runtime/worker-pool.js';
import { WorkQueue, type QueueMetricsSink } from '../runtime/work-queue.js';

/** A source of keys to reconcile: an informer plus how its events map to primary keys. */
export interface KeySource {
  readonly name: string;
  hasSynced(): boolean;
  subscribe(enqueue: (keys: readonly string[]) => void): () => void;
}

/**
 * Maps events of one source to the keys of the objects to reconcile: for primary objects use
 * `ownKeys`; for dependents look up who refers to `e.obj` (an informer index), never the API.
 */
export function keysFrom<T>(
  source: EventSource<T>,
  toKeys: (event: InformerEvent<T>) => readonly string[],
): KeySource {
  return {
    name: source.name,
    hasSynced: () => source.hasSynced(),
    subscribe: (enqueue) =>
      source.onEvent((e) => {
        enqueue(toKeys(e));
      }),
  };
}

export function ownKeys<T>(source: EventSource<T>): KeySource {
  return keysFrom(source, (e) => [e.key]);
}

/** What the controller needs from leader election (LeaderElector implements it). */
export interface Elector {
  start(): void;
  stop(): Promise<void>;
  isLeader(): boolean;
}

export interface ControllerOptions {
  readonly name: string;
  readonly reconciler: Reconciler;
  /** Canaries via ownKeys, dependents (Deployments, route objects, ...) via keysFrom. */
  readonly sources: readonly KeySource[];
  /** Every key to reconcile when work starts (all primary objects in the cache). */
  readonly initialKeys: () => readonly string[];
  readonly logger: Logger;
  /** Reconciles running at once. @default 4 */
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly backoff?: BackoffOptions;
  readonly metrics?: QueueMetricsSink & ReconcileMetricsSink;
  /** Child logger per key, e.g. canaryLogger. */
  readonly loggerFor?: (key: string) => Logger;
  /**
   * With an elector, work runs only while leading. Build it with `controller.leaderCallbacks()`.
   */
  readonly elector?: (callbacks: LeaderCallbacks) => Elector;
  /** How long stop() lets in-flight reconciles finish before aborting them. @default 30_000 */
  readonly drainTimeoutMs?: number;
  /** How long to wait for sources to sync before the first reconcile. @default 120_000 */
  readonly syncTimeoutMs?: number;
  /** Pause between sync checks. @default 100 */
  readonly syncPollMs?: number;
}

export interface LeaderCallbacks {
  readonly onStartedLeading: (signal: AbortSignal) => void;
  readonly onStoppedLeading: () => void;
}

interface Term {
  readonly queue: WorkQueue;
  readonly abort: AbortController;
  readonly workers: Promise<void>;
}

/**
 * informers -> keys -> queue -> reconcile. Handlers only enqueue; reconciles read caches. Work
 * starts once every source has synced (and, with leader election, while leading); each start
 * enqueues every primary key once, so a new leader or a restarted process resumes every canary
 * from its status. stop() stops taking keys, lets in-flight reconciles finish (bounded), aborts
 * stragglers, then releases the lease — never before, so two leaders never act at once.
 */
export class Controller {
  readonly #o: ControllerOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #unsubscribe: (() => void)[] = [];
  #term: Term | undefined;
  #elector: Elector | undefined;
  #stopping: Promise<void> | undefined;
  #stopped = new AbortController();

  constructor(opts: ControllerOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ controller: opts.name });
    this.#clock = opts.clock ?? systemClock;
  }

  start(): void {
    for (const source of this.#o.sources) {
      this.#unsubscribe.push(
        source.subscribe((keys) => {
          this.#enqueue(keys);
        }),
      );
    }
    if (this.#o.elector === undefined) {
      void this.#beginTerm();
      return;
    }
    this.#elector = this.#o.elector({
      onStartedLeading: () => void this.#beginTerm(),
      onStoppedLeading: () => void this.#endTerm(0),
    });
    this.#elector.start();
  }

  /** Graceful stop; idempotent. Resolves when nothing runs any more and the lease is released. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** Ready = every source has synced. Leadership is reported but does not gate readiness. */
  readiness(): ReadinessReport {
    const checks: Record<string, boolean> = {};
    for (const source of this.#o.sources) checks[`informer/${source.name}`] = source.hasSynced();
    const ready = Object.values(checks).every(Boolean);
    if (this.#elector !== undefined) checks['leader'] = this.#elector.isLeader();
    return { ready, checks };
  }

  /** Keys ready in the queue of the current term (0 when not working). */
  queueDepth(): number {
    return this.#term?.queue.len() ?? 0;
  }

  #enqueue(keys: readonly string[]): void {
    const queue = this.#term?.queue;
    // Not working (standby, or before sync): drop; the next term enqueues everything anyway.
    if (queue === undefined) return;
    for (const key of keys) queue.add(key);
  }

  async #beginTerm(): Promise<void> {
    if (this.#term !== undefined || this.#stopped.signal.aborted) return;
    const abort = new AbortController();
    const queue = new WorkQueue({
      clock: this.#clock,
      ...(this.#o.backoff === undefined ? {} : { backoff: this.#o.backoff }),
      ...(this.#o.metrics === undefined ? {} : { metrics: this.#o.metrics }),
    });
    const synced = this.#waitForSources(AbortSignal.any([this.#stopped.signal, abort.signal]));
    const workers = synced.then((ok) => {
      if (!ok || abort.signal.aborted) return undefined;
      for (const key of this.#o.initialKeys()) queue.add(key);
      this.#log.info({ keys: queue.len() }, 'workers started');
      return runWorkers({
        queue,
        reconciler: this.#o.reconciler,
        concurrency: this.#o.concurrency ?? 4,
        logger: this.#log,
        clock: this.#clock,
        signal: abort.signal,
        ...(this.#o.metrics === undefined ? {} : { metrics: this.#o.metrics }),
        ...(this.#o.loggerFor === undefined ? {} : { loggerFor: this.#o.loggerFor }),
      });
    });
    this.#term = { queue, abort, workers };
    await workers;
  }

  /** Ends the current term: no new keys; in-flight ones get `graceMs`, then their signal aborts. */
  async #endTerm(graceMs: number): Promise<void> {
    const term = this.#term;
    if (term === undefined) return;
    this.#term = undefined;
    term.queue.shutDown();
    const drained = graceMs > 0 && (await this.#within(term.workers, graceMs));
    if (!drained) {
      const err = new WeightlifterError(
        'WL_SHUTDOWN_TIMEOUT',
        'reconciles still running; aborting them',
        {
          details: { inFlight: term.queue.processingLen(), graceMs },
        },
      );
      if (graceMs > 0) this.#log.error({ err }, 'drain deadline passed');
      term.abort.abort(err);
      await term.workers;
    }
  }

  async #stop(): Promise<void> {
    this.#stopped.abort();
    this.#unsubscribe.splice(0).forEach((u) => {
      u();
    });
    await this.#endTerm(this.#o.drainTimeoutMs ?? 30_000);
    await this.#elector?.stop();
    this.#log.info('controller stopped');
  }

  /** False when `signal` aborts first. Past the sync deadline it logs once and keeps waiting. */
  async #waitForSources(signal: AbortSignal): Promise<boolean> {
    const deadline = this.#clock.now() + (this.#o.syncTimeoutMs ?? 120_000);
    let reported = false;
    const pending = (): string[] =>
      this.#o.sources.filter((source) => !source.hasSynced()).map((source) => source.name);
    while (pending().length > 0) {
      if (signal.aborted) return false;
      if (!reported && this.#clock.now() >= deadline) {
        // Not fatal: informers keep retrying and /readyz stays false, so this is visible.
        this.#log.error(
          { informers: pending() },
          'informers not synced by the deadline; still waiting',
        );
        reported = true;
      }
      await sleep(this.#clock, this.#o.syncPollMs ?? 100, signal);
    }
    return !signal.aborted;
  }

  /** True when `p` settles within `ms`. */
  async #within(p: Promise<unknown>, ms: number): Promise<boolean> {
    let settled = false;
    const tracked = p.then(() => (settled = true));
    const timeout = new AbortController();
    await Promise.race([tracked, sleep(this.#clock, ms, timeout.signal)]);
    timeout.abort();
    return settled;
  }
}
