// A status the API server refuses (HTTP 422: it breaks the CRD's schema) is refused again on every
// retry of the same step: retrying it alone would leave the run where it is, silently, forever.
// So a refusal blocks the Canary's next steps (Observed.blocked, reason StatusRejected): the
// engine writes Ready=False / Stalled=True with the server's message from the status it last
// persisted, sends one Warning Event (alerted as Stalled), and touches nothing else: the run keeps
// its phase and weight, as for every other block. After STATUS_REJECTION_RETRY_MS, or as soon as
// the spec changes (a new generation), the step is tried again.
import { CONDITION_REASONS } from '../api/constants.js';
import { statusCodeOf } from '../kube/errors.js';
import type { Blocked } from '../machine/types.js';

/** How long a refused status blocks the Canary before the step is tried again. */
export const STATUS_REJECTION_RETRY_MS = 60_000;

interface Rejection {
  readonly generation: number;
  readonly at: number;
  readonly message: string;
}

/** The error, or its cause chain, is the API server refusing the object as invalid (422). */
export function isInvalid(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    if (statusCodeOf(e) === 422) return true;
    e = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
  }
  return false;
}

export class StatusRejections {
  readonly #byKey = new Map<string, Rejection>();

  /** The status write of this Canary (at `generation`) was refused with `message`. */
  record(key: string, generation: number, now: number, message: string): void {
    this.#byKey.set(key, { generation, at: now, message });
  }

  /** The block for this Canary's step now, or null (a newer spec or the retry time clears it). */
  blocked(key: string, generation: number, now: number): Blocked | null {
    const r = this.#byKey.get(key);
    if (r === undefined) return null;
    if (r.generation !== generation || now >= r.at + STATUS_REJECTION_RETRY_MS) {
      this.#byKey.delete(key);
      return null;
    }
    return {
      reason: CONDITION_REASONS.statusRejected,
      message:
        `the API server refused the status this step would write (${r.message}); ` +
        'nothing moves until it is accepted: tried again every minute and on every spec change',
    };
  }

  forget(key: string): void {
    this.#byKey.delete(key);
  }
}
