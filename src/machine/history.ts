// status.history: the per-step record of the current (or last) run and the one before it, which
// the dashboard and `weightlifter status` chart. It is part of the step's status like every other
// field, so recording a step adds no status write: the step that ticks, moves the weight or ends
// the run writes its status anyway, and the history rides in the same merge patch.
import type { CheckRecord, MeasurementRecord, RunRecord, StepRecord } from '../api/canary.js';
import type { Phase } from '../api/constants.js';

/** Runs kept: the current (or last) one and the one before it. */
export const HISTORY_RUNS = 2;
/** Steps kept per run (the newest); the CRD's maxItems says the same. */
export const HISTORY_STEPS = 40;
/** Checks kept per step; the CRD allows 20 metrics plus the engine's own records. */
export const HISTORY_CHECKS = 32;

const iso = (t: number): string => new Date(t).toISOString();

/** A new run of `revision` begins: it becomes the current run, the previous current the last one. */
export function startRunHistory(
  history: readonly RunRecord[],
  revision: string,
  now: number,
): readonly RunRecord[] {
  const run: RunRecord = { revision, startedAt: iso(now), steps: [] };
  return [...history.slice(-(HISTORY_RUNS - 1)), run];
}

/** What changed in one step, as the engine saw it before and after. */
export interface StepChange {
  readonly before: { readonly phase: Phase; readonly canaryWeight: number };
  readonly after: { readonly phase: Phase; readonly canaryWeight: number };
  /** The checks this step measured; null when the step ran none. */
  readonly measured: readonly MeasurementRecord[] | null;
  readonly now: number;
}

const ENDS: Partial<Record<Phase, RunRecord['result']>> = {
  Succeeded: 'Succeeded',
  Failed: 'Failed',
};

/**
 * Appends the step to the current run when it measured checks, moved the weight or ended the run;
 * any other step leaves the history as it was. A run that has ended is not written to again.
 */
export function recordStep(
  history: readonly RunRecord[],
  change: StepChange,
): readonly RunRecord[] {
  const current = history.at(-1);
  if (current === undefined || current.result !== undefined) return history;
  const ended = change.before.phase !== change.after.phase ? ENDS[change.after.phase] : undefined;
  const moved = change.before.canaryWeight !== change.after.canaryWeight;
  if (change.measured === null && !moved && ended === undefined) return history;
  const step: StepRecord = {
    at: iso(change.now),
    weight: change.after.canaryWeight,
    ...(change.measured === null || change.measured.length === 0
      ? {}
      : { checks: change.measured.slice(0, HISTORY_CHECKS).map(checkOf) }),
  };
  const next: RunRecord = {
    ...current,
    steps: [...current.steps, step].slice(-HISTORY_STEPS),
    ...(ended === undefined ? {} : { endedAt: iso(change.now), result: ended }),
  };
  return [...history.slice(0, -1), next];
}

function checkOf(m: MeasurementRecord): CheckRecord {
  return {
    metric: m.metric,
    result: m.result,
    ...(m.value === undefined ? {} : { value: m.value }),
  };
}
