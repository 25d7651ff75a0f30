// The controller-wide limit on canaries in a run at once (--max-concurrent-runs). A run holds a
// slot while its Canary is in an active phase; the count comes from the Canary cache, plus the
// phases this process decided moments ago (the cache lags its own status writes), so two
// reconciles in parallel cannot both take the last slot.
import type { Phase } from '../api/constants.js';
import { ACTIVE_PHASES } from '../api/phases.js';
import type { CanaryJson } from './caches.js';
import type { ScopedCache } from '../runtime/scoped-cache.js';

const ACTIVE: ReadonlySet<string> = new Set(ACTIVE_PHASES);

export class RunSlots {
  readonly #max: number;
  readonly #canaries: ScopedCache<CanaryJson>;
  /** Phases decided by this process, newer than the cache until it catches up. */
  readonly #decided = new Map<string, Phase | undefined>();

  /** `max` 0 = unlimited. */
  constructor(max: number, canaries: ScopedCache<CanaryJson>) {
    this.#max = max;
    this.#canaries = canaries;
  }

  #phaseOf(key: string, cached: CanaryJson | undefined): Phase | undefined {
    return this.#decided.has(key) ? this.#decided.get(key) : cached?.status?.phase;
  }

  /** Whether `key` may be (or already is) in a run. */
  available(key: string): boolean {
    if (this.#max <= 0) return true;
    if (ACTIVE.has(this.#phaseOf(key, this.#canaries.get(key)) ?? '')) return true;
    let running = 0;
    const seen = new Set<string>();
    for (const c of this.#canaries.list()) {
      const k = `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`;
      seen.add(k);
      if (k !== key && ACTIVE.has(this.#phaseOf(k, c) ?? '')) running += 1;
    }
    for (const [k, phase] of this.#decided) {
      if (!seen.has(k) && k !== key && ACTIVE.has(phase ?? '')) running += 1;
    }
    return running < this.#max;
  }

  /** Records the phase a step just persisted for `key`. */
  decided(key: string, phase: Phase | undefined): void {
    this.#decided.set(key, phase);
  }

  /** The cache caught up with `key` (or it was deleted): drop the local note. */
  settle(key: string, cached: CanaryJson | undefined): void {
    if (cached === undefined || cached.status?.phase === this.#decided.get(key)) {
      this.#decided.delete(key);
    }
  }
}
