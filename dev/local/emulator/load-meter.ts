/** Cumulative request counts at one moment, by `namespace/deployment`. */
interface Snapshot {
  readonly atMs: number;
  readonly totals: ReadonlyMap<string, number>;
}

/** The interval rates are measured over. */
export interface MeasuredInterval {
  /** Its end: the newest sample (ms since the epoch; 0 before any). */
  readonly atMs: number;
  /** Its length; 0 before a second sample. */
  readonly windowMs: number;
}

/**
 * Requests per second per Deployment over a sliding window, from cumulative counts sampled on
 * every emulator tick: (newest − the last sample at least `windowMs` older) ÷ the time between,
 * or from the oldest sample while fewer than `windowMs` have been seen.
 */
export class LoadMeter {
  readonly #windowMs: number;
  #snapshots: Snapshot[] = [];

  constructor(windowMs: number) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) {
      throw new RangeError(`windowMs must be a finite number > 0, got ${windowMs}`);
    }
    this.#windowMs = windowMs;
  }

  sample(atMs: number, totals: ReadonlyMap<string, number>): void {
    this.#snapshots.push({ atMs, totals });
    // Keep the newest sample at or before the window's start, and everything after it.
    const start = atMs - this.#windowMs;
    const firstInside = this.#snapshots.findIndex((s) => s.atMs > start);
    if (firstInside > 1) this.#snapshots = this.#snapshots.slice(firstInside - 1);
  }

  interval(): MeasuredInterval {
    const first = this.#snapshots[0];
    const last = this.#snapshots.at(-1);
    if (first === undefined || last === undefined) return { atMs: 0, windowMs: 0 };
    return { atMs: last.atMs, windowMs: last.atMs - first.atMs };
  }

  /** Requests per second of `key` (`namespace/deployment`) over interval(); 0 for one not counted. */
  rate(key: string): number {
    const first = this.#snapshots[0];
    const last = this.#snapshots.at(-1);
    if (first === undefined || last === undefined || last.atMs <= first.atMs) return 0;
    const now = last.totals.get(key) ?? 0;
    const then = first.totals.get(key) ?? 0;
    // A counter that started over (its Deployment left every route and came back): its new count.
    const delta = now >= then ? now - then : now;
    return delta / ((last.atMs - first.atMs) / 1000);
  }
}
