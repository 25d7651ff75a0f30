// Fencing for a leader-elected controller. A replica that was paused (SIGSTOP, a long GC, a
// frozen VM) or cut off from the API server may still believe it leads when it wakes up, with
// reconciles half-way through and writes about to be sent. Every write the controller makes goes
// through KubeRawClient, which asks the fence right before the request leaves the process: a
// replica that no longer holds its lease (judged on its own monotonic clock, not on a timer that
// may not have fired yet) sends nothing, and writes in flight when leadership ends are aborted.
import { WeightlifterError } from '../errors/catalogue.js';

export interface WriteFence {
  /**
   * Throws WL_NOT_LEADER when no write may be sent now; otherwise the signal that aborts the
   * write if leadership ends while it is in flight (undefined: nothing can end it).
   */
  admit(): AbortSignal | undefined;
}

/** Opened by onStartedLeading with the term's signal and the elector's lease check. */
export class LeaderFence implements WriteFence {
  #term: { readonly signal: AbortSignal; readonly holds: () => boolean } | undefined;

  /** `signal` aborts when the term ends; `holds` is true while the lease is still ours. */
  lead(signal: AbortSignal, holds: () => boolean): void {
    this.#term = { signal, holds };
  }

  admit(): AbortSignal {
    const term = this.#term;
    if (term === undefined || term.signal.aborted || !term.holds()) {
      throw new WeightlifterError('WL_NOT_LEADER', 'not the leader: write refused');
    }
    return term.signal;
  }
}
