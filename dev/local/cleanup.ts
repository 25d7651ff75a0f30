/**
 * Process-wide last-resort cleanup for running control planes: on 'exit' (synchronous: SIGKILL
 * and rmSync) and on SIGINT/SIGTERM/SIGHUP (asynchronous stop, then the signal's default action).
 * Handlers are installed only while something is registered, so an idle process keeps Node's
 * default signal behaviour.
 */
export interface Cleanup {
  /** Asynchronous, orderly stop. */
  stop(): Promise<void>;
  /** Synchronous emergency stop for process 'exit'. */
  stopNow(): void;
}

const registered = new Set<Cleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_STOP_MS = 8_000;
let exitHooked = false;
let signalsHooked = false;
let signalsLeftToCaller = false;

function onExit(): void {
  for (const c of registered) c.stopNow();
  registered.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  unhookSignals();
  const all = [...registered];
  const bounded = new Promise<void>((resolve) => setTimeout(resolve, SIGNAL_STOP_MS).unref());
  // The 'exit' hook stays until every stop finished, in case the process ends meanwhile.
  void Promise.race([Promise.allSettled(all.map((c) => c.stop())), bounded]).then(() => {
    for (const c of all) {
      c.stopNow();
      unregisterCleanup(c);
    }
    // Other listeners (a test runner's, say) own the exit decision; otherwise re-raise so the
    // process ends the way it would have without us.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function unhookSignals(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  signalsHooked = false;
}

export function registerCleanup(c: Cleanup): void {
  registered.add(c);
  if (!exitHooked) process.on('exit', onExit);
  exitHooked = true;
  if (!signalsHooked && !signalsLeftToCaller) {
    for (const s of SIGNALS) process.on(s, onSignal);
    signalsHooked = true;
  }
}

/**
 * For a program that handles SIGINT/SIGTERM/SIGHUP itself and stops its parts in its own order
 * (the demo stops its controller before the control plane the controller talks to): from now on
 * the hooks here leave signals alone. The 'exit' hook stays as the last resort, and
 * stopRegistered() stops what is registered, such as a control plane still starting.
 */
export function leaveSignalsToCaller(): void {
  signalsLeftToCaller = true;
  unhookSignals();
}

/** Stops every registered control plane and Prometheus (also those still starting), at once. */
export async function stopRegistered(): Promise<void> {
  const results = await Promise.allSettled([...registered].map((c) => c.stop()));
  const failures: unknown[] = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason as unknown] : [],
  );
  if (failures.length > 0)
    throw new AggregateError(failures, 'local components did not stop cleanly');
}

export function unregisterCleanup(c: Cleanup): void {
  if (!registered.delete(c) || registered.size > 0) return;
  process.off('exit', onExit);
  exitHooked = false;
  unhookSignals();
}
