import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import type { ReconcileResult, Reconciler } from './reconciler.js';
import type { WorkQueue } from './work-queue.js';

/** What the workers report per reconcile; implemented by telemetry, optional. */
export interface ReconcileMetricsSink {
  observeReconcile(result: ReconcileResult['kind'], seconds: number): void;
}

export interface WorkerPoolOptions {
  readonly queue: WorkQueue;
  readonly reconciler: Reconciler;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly metrics?: ReconcileMetricsSink;
  /** Child logger for a key; defaults to `logger.child({ key })`. */
  readonly loggerFor?: (key: string) => Logger;
}

/**
 * Runs `concurrency` workers pulling keys from the queue until it shuts down. Resolves when every
 * worker has returned, i.e. after the queue is shut down and in-flight reconciles finished.
 */
export async function runWorkers(opts: WorkerPoolOptions): Promise<void> {
  const workers = Array.from({ length: Math.max(1, opts.concurrency) }, () => worker(opts));
  await Promise.all(workers);
}

async function worker(opts: WorkerPoolOptions): Promise<void> {
  for (;;) {
    const key = await opts.queue.get();
    if (key === undefined) return;
    try {
      await processKey(opts, key);
    } finally {
      opts.queue.done(key);
    }
  }
}

async function processKey(opts: WorkerPoolOptions, key: string): Promise<void> {
  const { queue, clock } = opts;
  const logger = opts.loggerFor?.(key) ?? opts.logger.child({ key });
  const started = clock.now();
  let result: ReconcileResult;
  try {
    result = await opts.reconciler.reconcile(key, {
      signal: opts.signal,
      logger,
      retries: queue.numRequeues(key),
    });
  } catch (error) {
    result = { kind: 'error', error };
  }
  opts.metrics?.observeReconcile(result.kind, (clock.now() - started) / 1000);
  switch (result.kind) {
    case 'done':
      queue.forget(key);
      return;
    case 'requeueAfter':
      queue.forget(key);
      queue.addAfter(key, result.ms);
      return;
    case 'error':
      // One line per failed attempt; the per-key backoff bounds how often that can be.
      logger.warn({ err: result.error, retries: queue.numRequeues(key) }, 'reconcile failed');
      queue.addRateLimited(key);
      return;
  }
}
