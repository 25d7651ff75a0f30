/**
 * Time, injected. Everything that waits (queue delays, informer backoff and relists, leader
 * election, event dedupe windows) takes a Clock so unit tests drive time with a ManualClock
 * instead of sleeping. Shape-compatible with xstate's `clock` option (setTimeout/clearTimeout).
 */
export type TimerHandle = object | number;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    // A pending requeue or relist must never keep a stopping process alive.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * Resolves after `ms` on `clock`, or early (without rejecting) when `signal` aborts: callers
 * check `signal.aborted` afterwards, so shutdown never surfaces as an error.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      resolve();
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Reads `signal.aborted` afresh. After an `await`, TypeScript still narrows a previously checked
 * `signal.aborted` to false; calling through a function keeps the re-check honest (and lint-clean).
 */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
