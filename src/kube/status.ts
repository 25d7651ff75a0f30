import { PatchStrategy } from './http-constants.js';
import { backoffDelay, type BackoffOptions } from '../time/backoff.js';
import { sleep, systemClock, type Clock } from '../time/clock.js';
import { WeightlifterError } from '../errors/catalogue.js';
import { withResourceVersion } from './diff-patch.js';
import { isConflict, KubeApiError } from './errors.js';
import { computeMergePatch, type JsonObject } from './merge-patch.js';
import type { KubeObject } from './object-key.js';
import type { KubeRawClient } from './raw-client.js';
import { objectPath, type ResourceRef } from './resources.js';

/**
 * Status write outcomes, for metrics; implemented by telemetry, optional. Each patch sent is
 * `patched`, `conflict` or `error`; `unchanged` is an update() that found nothing to send.
 */
export interface StatusMetricsSink {
  observeStatusPatch(result: 'patched' | 'unchanged' | 'conflict' | 'error'): void;
}

export interface StatusWriterOptions {
  readonly raw: KubeRawClient;
  readonly clock?: Clock;
  /** Attempts before giving up on conflicts. @default 5 */
  readonly maxAttempts?: number;
  /** Pause between conflicting attempts. @default { baseMs: 50, maxMs: 1000 } */
  readonly backoff?: BackoffOptions;
  readonly metrics?: StatusMetricsSink;
}

export interface StatusUpdate<T> {
  readonly object: T;
  readonly patched: boolean;
  /** Requests that conflicted before the write went through. */
  readonly conflicts: number;
}

type Obj = KubeObject & { status?: unknown };

/**
 * Writes `/status` as JSON merge patches. `status` is the only durable state of a Canary, so a
 * write carries the resourceVersion it was computed from; on 409 the object is re-read and the
 * desired status recomputed from the fresh copy, so no concurrent change is overwritten.
 */
export class StatusWriter {
  readonly #raw: KubeRawClient;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffOptions;
  readonly #metrics: StatusMetricsSink | undefined;

  constructor(opts: StatusWriterOptions) {
    this.#raw = opts.raw;
    this.#clock = opts.clock ?? systemClock;
    this.#maxAttempts = opts.maxAttempts ?? 5;
    this.#backoff = opts.backoff ?? { baseMs: 50, maxMs: 1000 };
    this.#metrics = opts.metrics;
  }

  /**
   * One merge patch of `{status}` on /status; with `resourceVersion`, 409 if the object moved.
   * Every patch sent counts once: patched, conflict or error. An empty `status` changes nothing,
   * so nothing is written: the object is read instead and, with `resourceVersion`, a copy that
   * moved is refused with the same 409 the patch would have met (counted `unchanged` or
   * `conflict`).
   */
  async patchStatus<T extends Obj>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    status: JsonObject,
    resourceVersion?: string,
  ): Promise<T> {
    if (Object.keys(status).length === 0) {
      return this.#confirmUnmoved<T>(ref, namespace, name, resourceVersion);
    }
    const body =
      resourceVersion === undefined ? { status } : withResourceVersion({ status }, resourceVersion);
    try {
      const written = await this.#raw.patch<T>(
        objectPath(ref, namespace, name, 'status'),
        body,
        PatchStrategy.MergePatch,
      );
      this.#metrics?.observeStatusPatch('patched');
      return written;
    } catch (err) {
      this.#metrics?.observeStatusPatch(isConflict(err) ? 'conflict' : 'error');
      throw err;
    }
  }

  /** The read that stands in for an empty patch: 409 when the object is no longer at `rv`. */
  async #confirmUnmoved<T extends Obj>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    rv: string | undefined,
  ): Promise<T> {
    const live = await this.#raw.get<T>(objectPath(ref, namespace, name));
    const liveRv = live.metadata?.resourceVersion;
    if (rv !== undefined && liveRv !== rv) {
      this.#metrics?.observeStatusPatch('conflict');
      throw new KubeApiError('PATCH', objectPath(ref, namespace, name, 'status'), 409, {
        reason: 'Conflict',
        message: `the object has been modified (resourceVersion ${liveRv ?? '?'}, expected ${rv})`,
      });
    }
    this.#metrics?.observeStatusPatch('unchanged');
    return live;
  }

  /**
   * Makes `current.status` agree with `desired(obj)` on the fields it names. Sends nothing when
   * they already agree (or `desired` returns undefined). On conflict, re-reads and retries.
   */
  async update<T extends Obj>(
    ref: ResourceRef,
    current: T,
    desired: (obj: T) => JsonObject | undefined,
  ): Promise<StatusUpdate<T>> {
    const { namespace, name = '' } = current.metadata ?? {};
    let obj = current;
    let lastConflict: unknown;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const want = desired(obj);
      const patch = want === undefined ? undefined : computeMergePatch(obj.status, want);
      if (patch === undefined) {
        this.#metrics?.observeStatusPatch('unchanged');
        return { object: obj, patched: false, conflicts: attempt - 1 };
      }
      try {
        const written = await this.patchStatus<T>(
          ref,
          namespace,
          name,
          patch,
          obj.metadata?.resourceVersion,
        );
        return { object: written, patched: true, conflicts: attempt - 1 };
      } catch (err) {
        if (!isConflict(err)) throw err;
        lastConflict = err;
      }
      await sleep(this.#clock, backoffDelay(this.#backoff, attempt));
      obj = await this.#raw.get<T>(objectPath(ref, namespace, name));
    }
    throw new WeightlifterError(
      'WL_STATUS_CONFLICT',
      `status of ${ref.kind} ${namespace ?? ''}/${name} kept conflicting`,
      {
        cause: lastConflict,
        details: { kind: ref.kind, namespace, name, attempts: this.#maxAttempts },
      },
    );
  }
}
