import type { Logger } from 'pino';

/** The outcome of one reconcile (kubebuilder's Result, as a value). */
export type ReconcileResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'requeueAfter'; readonly ms: number }
  | { readonly kind: 'error'; readonly error: unknown };

export const done = (): ReconcileResult => ({ kind: 'done' });
export const requeueAfter = (ms: number): ReconcileResult => ({ kind: 'requeueAfter', ms });
export const failed = (error: unknown): ReconcileResult => ({ kind: 'error', error });

export interface ReconcileContext {
  /** Aborted when shutdown's drain deadline passes; long waits inside a reconcile honour it. */
  readonly signal: AbortSignal;
  /** Child logger bound to the key. */
  readonly logger: Logger;
  /** How many times this key has failed in a row (0 on a fresh key). */
  readonly retries: number;
}

/**
 * Level-triggered: `reconcile` is given only a key (`namespace/name`), reads current state from
 * informer caches, and returns what should happen next. It is never called concurrently for the
 * same key. Throwing is treated like `{ kind: 'error' }`.
 */
export interface Reconciler {
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult>;
}
