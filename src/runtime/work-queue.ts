import { backoffDelay, type BackoffOptions } from '../time/backoff.js';
import { systemClock, type Clock, type TimerHandle } from '../time/clock.js';
import { DelayHeap } from './delay-heap.js';

/** What the queue reports about itself; implemented by telemetry, optional. */
export interface QueueMetricsSink {
  /** Keys ready to be processed (not counting delayed or in-flight ones). */
  setDepth(depth: number): void;
  /** A key was scheduled again because its reconcile failed. */
  incRetries(): void;
}

export interface WorkQueueOptions {
  readonly clock?: Clock;
  /** Per-key backoff for addRateLimited. @default { baseMs: 500, maxMs: 300_000 } */
  readonly backoff?: BackoffOptions;
  readonly metrics?: QueueMetricsSink;
}

export const DEFAULT_QUEUE_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 300_000 };

/**
 * A keyed work queue with client-go workqueue semantics:
 * - a key is queued at most once (`dirty` dedupes adds);
 * - a key is handed to at most one worker at a time (`processing`); a key added while it is
 *   processed is queued again when `done(key)` is called, so the change is never lost;
 * - `addAfter` delays a key (earliest request wins); `addRateLimited` delays it by a per-key
 *   exponential backoff that `forget` resets.
 * Concurrency is bounded by how many workers call `get()`.
 */
export class WorkQueue {
  readonly #clock: Clock;
  readonly #backoff: BackoffOptions;
  readonly #metrics: QueueMetricsSink | undefined;
  #queue: string[] = [];
  #head = 0;
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new DelayHeap();
  #timer: { handle: TimerHandle; at: number } | undefined;
  #waiters: ((key: string | undefined) => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#backoff = opts.backoff ?? DEFAULT_QUEUE_BACKOFF;
    this.#metrics = opts.metrics;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
    this.#reportDepth();
  }

  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    this.#delayed.push(key, this.#clock.now() + ms);
    this.#armTimer();
  }

  addRateLimited(key: string): void {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    this.#metrics?.incRetries();
    this.addAfter(key, backoffDelay(this.#backoff, failures));
  }

  /** Resets the key's backoff (call after a successful reconcile). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Next key to process, waiting for one; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks the key processed; requeues it if it was added while being processed. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
    if (this.#processing.size === 0)
      this.#idleWaiters.splice(0).forEach((w) => {
        w();
      });
  }

  /** Keys ready to process. */
  len(): number {
    return this.#queue.length - this.#head;
  }

  delayedLen(): number {
    return this.#delayed.size;
  }

  processingLen(): number {
    return this.#processing.size;
  }

  isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Stops handing out keys and drops queued and delayed ones: a level-triggered controller (or
   * the next leader) rebuilds them from the cache. In-flight keys may still call done().
   */
  shutDown(): void {
    this.#shuttingDown = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
    this.#waiters.splice(0).forEach((w) => {
      w(undefined);
    });
  }

  /** shutDown(), then resolves when no key is in flight. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #shift(): string | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const key = this.#queue[this.#head++];
    // Compact occasionally so a long-running queue does not grow its backing array forever.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#reportDepth();
    return key;
  }

  #armTimer(): void {
    const at = this.#delayed.peekTime();
    if (at === undefined) return;
    if (this.#timer !== undefined) {
      if (this.#timer.at <= at) return;
      this.#clock.clearTimeout(this.#timer.handle);
    }
    const handle = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      for (const key of this.#delayed.popDue(this.#clock.now())) this.add(key);
      this.#armTimer();
    }, at - this.#clock.now());
    this.#timer = { handle, at };
  }

  #reportDepth(): void {
    this.#metrics?.setDepth(this.len());
  }
}
