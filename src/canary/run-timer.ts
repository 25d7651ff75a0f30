// Run durations for weightlifter_run_duration_seconds: a run starts when a Canary enters an active
// phase from a settled one and ends at Succeeded or Failed. Kept in memory only — a run that spans
// a controller restart is not measured (the status holds no run start, and guessing one would
// report a wrong duration).
import type { Phase } from '../api/constants.js';
import { ACTIVE_PHASES } from '../api/phases.js';

const ACTIVE: ReadonlySet<string> = new Set(ACTIVE_PHASES);

export interface FinishedRun {
  readonly result: 'succeeded' | 'failed';
  readonly seconds: number;
}

export class RunTimer {
  readonly #started = new Map<string, number>();

  /** Feeds one transition; returns the run that just finished, if one did. */
  transition(key: string, from: Phase, to: Phase, now: number): FinishedRun | undefined {
    if (ACTIVE.has(to) && !ACTIVE.has(from)) {
      this.#started.set(key, now);
      return undefined;
    }
    if ((to === 'Succeeded' || to === 'Failed') && ACTIVE.has(from)) {
      const start = this.#started.get(key);
      this.#started.delete(key);
      if (start === undefined) return undefined;
      return { result: to === 'Succeeded' ? 'succeeded' : 'failed', seconds: (now - start) / 1000 };
    }
    return undefined;
  }

  forget(key: string): void {
    this.#started.delete(key);
  }
}
