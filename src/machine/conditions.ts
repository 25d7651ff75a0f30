// kstatus-compatible conditions: Ready=True means settled (Initialized, Succeeded); Stalled=True
// means nothing will change without a person (Failed, target missing, invalid spec); Promoted
// mirrors Flagger's single condition (True after Initialized/Succeeded, False after Failed).
// Reconciling=True (reason: the phase) while a run or initialization is in flight, so tools that
// know only kstatus's generic rules (Flux < 2.5, cli-utils, `kubectl wait`) see InProgress rather
// than Current; False once settled, and False when stalled — kstatus reads Reconciling=True as
// InProgress before it looks at Stalled, so a stalled Canary must not say both. It changes only
// with the phase, health or Ready message, so it never adds a status write of its own.
// lastTransitionTime moves only when a condition's status flips, as metav1.Condition requires.
import type { Condition } from '../api/canary.js';
import type { ConditionStatus, Phase } from '../api/constants.js';
import { PHASE_TABLE, type Health } from '../api/phases.js';

export type { Health };

export function healthOfPhase(phase: Phase): Health {
  return PHASE_TABLE[phase].health;
}

function promoted(phase: Phase): ConditionStatus {
  return PHASE_TABLE[phase].promoted;
}

export interface ConditionInput {
  readonly phase: Phase;
  readonly health: Health;
  readonly reason: string;
  readonly message: string;
  readonly generation: number;
  readonly now: string;
}

export function nextConditions(previous: readonly Condition[], c: ConditionInput): Condition[] {
  const wanted: [string, ConditionStatus, string, string][] = [
    ['Ready', c.health === 'settled' ? 'True' : 'False', c.reason, c.message],
    ['Stalled', c.health === 'stalled' ? 'True' : 'False', c.reason, c.message],
    ['Promoted', promoted(c.phase), c.phase, `phase ${c.phase}`],
    ['Reconciling', c.health === 'progressing' ? 'True' : 'False', c.phase, c.message],
  ];
  const ours = wanted.map(([type, status, reason, message]): Condition => {
    const before = previous.find((p) => p.type === type);
    const lastTransitionTime =
      before !== undefined && before.status === status ? before.lastTransitionTime : c.now;
    return { type, status, reason, message, lastTransitionTime, observedGeneration: c.generation };
  });
  // Conditions written by someone else (another controller, a human) are kept as they are.
  const others = previous.filter((p) => !wanted.some(([type]) => type === p.type));
  return [...ours, ...others];
}

/** The Ready condition's reason and message as last persisted. */
export function previousReady(conditions: readonly Condition[]): Condition | undefined {
  return conditions.find((c) => c.type === 'Ready');
}
