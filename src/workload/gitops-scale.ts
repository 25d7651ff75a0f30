// A GitOps tool (Argo CD self-heal, Flux) re-applies the target's `spec.replicas` after we scaled
// it to 0, outside any run. That is not a new revision: analysis must not start, and we must not
// fight the tool forever (flagger#1504, #1121, argo-cd#12967: the two writers flip replicas every
// sync). This pure decision scales the idle target back to 0 a bounded number of times, with
// growing pauses between attempts, and then gives up: the idle pods keep running (they get no
// traffic: the apex selects the primary and the split sends 0% to the canary) and a condition plus
// a Warning Event tell the user to stop the tool from owning replicas:
//   - Argo CD: `ignoreDifferences: [{group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}]`
//     (with `RespectIgnoreDifferences=true` in syncOptions), or drop `replicas` from the manifest;
//   - Flux / kubectl: drop `spec.replicas` from the manifest (server-side apply then leaves the
//     field to its last writer: us).
// The engine (src/machine/phases/idle-scale.ts) keeps `IdleScaleHistory` in the status as
// status.idleScale and drops it when a run starts; the routine scale-down at the end of a run is
// attempt 1, at status.phaseSince.
import type { Phase } from '../api/constants.js';
import { PHASE_TABLE } from '../api/phases.js';

export interface IdleScaleHistory {
  /** Scale-downs done since the last run ended. */
  readonly attempts: number;
  /** Epoch ms of the last one. */
  readonly lastAttemptAt?: number;
  readonly gaveUp?: boolean;
}

export const NO_IDLE_SCALE_HISTORY: IdleScaleHistory = { attempts: 0 };

export interface IdleScalePolicy {
  /** Scale-downs before giving up; 1 = "once, then never fight" (the engine's current rule). */
  readonly maxAttempts: number;
  /** Pause before the 2nd attempt; doubles (factor) for each further one. */
  readonly baseDelayMs: number;
  readonly factor: number;
}

export const DEFAULT_IDLE_SCALE_POLICY: IdleScalePolicy = {
  maxAttempts: 3,
  baseDelayMs: 60_000,
  factor: 2,
};

export interface IdleScaleInput {
  readonly phase: Phase | undefined;
  /** status.canaryWeight: traffic on the target means it is not idle. */
  readonly canaryWeight: number;
  readonly targetReplicas: number;
  readonly targetRevision: string;
  readonly lastPromotedRevision: string | undefined;
  /** status.revision: the last revision a run was decided for (promoted or failed). */
  readonly lastSeenRevision: string | undefined;
  readonly primaryReplicas: number;
  readonly history: IdleScaleHistory;
  readonly now: number;
}

export interface IdleScaleEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export type IdleScaleAction =
  | { readonly kind: 'none' }
  /** Scale the target to 0 (scaleTarget(..., 'zero')), persist `history`, emit `event`. */
  | {
      readonly kind: 'scaleToZero';
      readonly history: IdleScaleHistory;
      readonly event: IdleScaleEvent;
      /**
       * The manifest asks for a different replica count than the primary runs: the user changed
       * replicas in Git. Set it on the primary (a replica change is not a revision) or ignore it.
       */
      readonly primaryReplicas?: number;
    }
  /** Scaled up again too soon after our last attempt: look again after this long. */
  | { readonly kind: 'wait'; readonly retryAfterMs: number }
  /** Stop fighting: persist `history`, emit `event` once, set the condition. */
  | {
      readonly kind: 'giveUp';
      readonly history: IdleScaleHistory;
      readonly event: IdleScaleEvent;
      readonly condition: {
        readonly type: 'TargetScaledDown';
        readonly status: 'False';
        readonly reason: 'ScaleContested';
        readonly message: string;
      };
    };

const ADVICE =
  'stop the GitOps tool from managing spec.replicas of the target (Argo CD ignoreDifferences ' +
  'on /spec/replicas with RespectIgnoreDifferences=true, or remove replicas from the manifest)';

export function decideIdleScale(
  input: IdleScaleInput,
  policy: IdleScalePolicy = DEFAULT_IDLE_SCALE_POLICY,
): IdleScaleAction {
  const { history } = input;
  const idle =
    input.phase !== undefined && PHASE_TABLE[input.phase].settled && input.canaryWeight === 0;
  // A revision nobody decided about yet is a new run for the engine, not a GitOps re-apply.
  const known =
    input.targetRevision === input.lastPromotedRevision ||
    input.targetRevision === input.lastSeenRevision;
  if (!idle || !known || input.targetReplicas <= 0 || history.gaveUp === true) {
    return { kind: 'none' };
  }
  if (history.attempts >= policy.maxAttempts) {
    const message =
      `target scaled back up to ${input.targetReplicas} replica(s) after ${history.attempts} ` +
      `scale-down(s); leaving it (its pods get no traffic): ${ADVICE}`;
    return {
      kind: 'giveUp',
      history: { ...history, gaveUp: true },
      event: { type: 'Warning', reason: 'ScaleContested', message },
      condition: { type: 'TargetScaledDown', status: 'False', reason: 'ScaleContested', message },
    };
  }
  if (history.attempts > 0 && history.lastAttemptAt !== undefined) {
    const delay = policy.baseDelayMs * policy.factor ** (history.attempts - 1);
    const due = history.lastAttemptAt + delay;
    if (input.now < due) return { kind: 'wait', retryAfterMs: due - input.now };
  }
  const attempt = history.attempts + 1;
  const first = history.attempts === 0;
  const action: IdleScaleAction = {
    kind: 'scaleToZero',
    history: { attempts: attempt, lastAttemptAt: input.now },
    event: {
      type: first ? 'Normal' : 'Warning',
      reason: 'TargetScaledDown',
      message: first
        ? `idle target scaled to 0 (it was at ${input.targetReplicas}); the primary serves`
        : `target was scaled up again outside a run (attempt ${attempt} of ` +
          `${policy.maxAttempts}); scaling it to 0: ${ADVICE}`,
    },
  };
  return input.targetReplicas !== input.primaryReplicas
    ? { ...action, primaryReplicas: input.targetReplicas }
    : action;
}
