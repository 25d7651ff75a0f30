// The gates a run passes before the canary is scaled up, as one pure function of the step's
// inputs: a valid strategy (unless skipAnalysis) and schedule, an open deployment window (a guard on the injected clock),
// a free run slot, the pre-flight (every check and webhook can be evaluated; skipped with
// skipAnalysis) and the confirm-rollout webhooks. startRun() (phases/run-start.ts) parks a run in
// Waiting with the first closed gate's reason, and the lifecycle machine's guard for entering
// Progressing (rules.ts) asks the same function, so the two cannot disagree.
import { compileSchedule, windowAt } from '../progression/windows.js';
import { strategyFrom } from '../progression/strategy.js';
import type { EngineSpec, GatherRequest, Gathered, Observed } from './types.js';
import { shortRevision } from './draft.js';
import type { Phase } from '../api/constants.js';

export type RunGate =
  | { readonly kind: 'open' }
  | { readonly kind: 'need'; readonly request: GatherRequest }
  | {
      readonly kind: 'closed';
      readonly reason: string;
      readonly message: string;
      /** Start of the next deployment window, when that is what the run waits for. */
      readonly nextStart: number | null;
      /** A person must act (Ready's health stalled) rather than wait. */
      readonly stalled: boolean;
    };

export interface GateInputs {
  readonly spec: EngineSpec;
  readonly observed: Observed;
  readonly gathered: Gathered;
  readonly now: number;
}

const closed = (
  reason: string,
  message: string,
  opts: { nextStart?: number | null; stalled?: boolean } = {},
): RunGate => ({
  kind: 'closed',
  reason,
  message,
  nextStart: opts.nextStart ?? null,
  stalled: opts.stalled ?? false,
});

/** The first gate that keeps revision `revision` (a run asked for in `phase`) from starting. */
export function runGate(inputs: GateInputs, phase: Phase, revision: string): RunGate {
  const { spec, observed, gathered, now } = inputs;
  const strategy = spec.skipAnalysis ? null : strategyFrom(spec.progression);
  if (strategy !== null && !strategy.ok) {
    return closed('InvalidSpec', strategy.error.message, { stalled: true });
  }
  const schedule = compileSchedule(spec.schedule);
  if (!schedule.ok) return closed('InvalidSpec', schedule.error.message, { stalled: true });
  const window = windowAt(schedule.schedule, now);
  if (!window.open) {
    const when =
      window.nextStart === null
        ? 'no window within a year'
        : new Date(window.nextStart).toISOString();
    const message = `revision ${shortRevision(revision)} waits for a deployment window (${window.reason}); next: ${when}`;
    return closed('OutsideDeploymentWindow', message, { nextStart: window.nextStart });
  }
  if (!observed.runSlotAvailable) {
    return closed('ConcurrencyLimit', 'waiting for another canary run to finish');
  }
  if (!spec.skipAnalysis) {
    const preflight = gathered.preflight;
    if (preflight === null)
      return { kind: 'need', request: { kind: 'preflight', call: { revision } } };
    if (preflight.problems.length > 0) {
      const [first] = preflight.problems;
      const reason =
        first !== undefined && preflight.problems.every((p) => p.reason === first.reason)
          ? first.reason
          : 'PreflightFailed';
      const what = preflight.problems.map((p) => `${p.check}: ${p.message}`).join('; ');
      const message = `revision ${shortRevision(revision)} not started, checks cannot be evaluated: ${what}`;
      // A metrics source that is down ends by itself (the gate is tried again every interval);
      // anything else needs a person to fix the Canary or its templates.
      const outage = preflight.problems.every((p) => p.reason === 'MetricsUnavailable');
      return closed(reason, message, { stalled: !outage });
    }
  }
  const confirm = gathered.webhooks['confirm-rollout'];
  if (confirm === undefined) {
    return {
      kind: 'need',
      request: { kind: 'webhooks', call: { hookType: 'confirm-rollout', phase, revision } },
    };
  }
  if (confirm.succeeded < confirm.called) {
    return closed('ConfirmRolloutPending', `confirm-rollout: ${confirm.message}`);
  }
  return { kind: 'open' };
}
