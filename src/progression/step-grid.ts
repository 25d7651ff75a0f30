// When a step is judged, on a grid every Canary shares (issue 14): a step that began at `since`
// is judged at the first grid point at least one step later, and its checks measure the window
// that ends at that point. Canaries whose steps end near each other are judged at the same point,
// so the checks of one namespace that share a query shape ask about the same window and one
// batched query answers them all (src/metrics/batcher.ts). A window ending at the point begins at
// least one step, so at least one window, after `since`: it holds only that step's traffic.
//
// The grid is a tenth of the step (whole seconds from a 10 s step on), so waiting for it costs at
// most a tenth of a step; points are multiples of it counted from the epoch, the same for every
// replica and every Canary with that step length.

const SECOND = 1_000;

/** The spacing of the grid a step of `stepMs` ends on. */
export function stepGridMs(stepMs: number): number {
  const tenth = Math.max(1, Math.floor(stepMs / 10));
  return tenth < SECOND ? tenth : Math.floor(tenth / SECOND) * SECOND;
}

/** When a step of `stepMs` that began at `since` is due: the first grid point >= since + stepMs. */
export function stepDue(since: number, stepMs: number): number {
  const grid = stepGridMs(stepMs);
  return Math.ceil((since + stepMs) / grid) * grid;
}

/**
 * Where the windows of the checks judging that step end, for a tick at `now` (>= the due point):
 * the due point itself, shared by every step due there, or, for a tick more than one step late
 * (a restart, a long queue), the latest grid point so the evidence is recent. Either way at least
 * one step after `since`.
 */
export function measuredUntil(since: number, stepMs: number, now: number): number {
  const due = stepDue(since, stepMs);
  if (now - due < stepMs) return due;
  const grid = stepGridMs(stepMs);
  return Math.floor(now / grid) * grid;
}
