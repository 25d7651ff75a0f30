// The demo must not outlive whoever started it. A signal to `npm start` reaches the demo (the
// start script execs node), but npm itself may die first or be SIGKILLed, leaving the demo an
// orphan that holds the control plane, Prometheus and their ports. The kernel reparents an orphan
// at once, so a change of process.ppid (read live, not cached) means the parent is gone, whatever
// killed it. The control plane's processes need no watch of their own: dev/local's watchdog ends
// them when this process dies.

const POLL_MS = 500;

/** Calls `onGone` once when this process's parent has died; returns the cancel. */
export function watchParent(onGone: () => void, pollMs = POLL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, pollMs);
  // The watch alone never keeps the demo alive.
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
