// The rules of the Canary lifecycle: every phase change the engine makes, each with its condition
// as a pure predicate over the step's facts (what the step read, what it gathered, the injected
// clock, and the state its verdict writes). The lifecycle machine (lifecycle.ts) is built from this
// table: each rule is an event, and each of its transitions is guarded by the rule's predicate.
// A phase handler (phases/) that changes the phase names the rule it applies; the machine then
// takes the transition only when the rule's predicate holds on the facts, and only to the target
// those facts lead to. A verdict the rules do not bear out is an engine bug, refused before
// anything is written (WL_ENGINE_TRANSITION_NOT_ALLOWED).
//
// Deadlines are guards on injected time: a deadline rule holds when one of the run's waits, begun
// at a time the status records, has lasted `progressDeadlineSeconds` by the step's `now`. Nothing
// waits on a real timer here; the step's requeue brings the next look.
//
// Staying in a phase is not a rule (always allowed), so a run restarted in place (a newer revision
// during Progressing) is no transition. docs/lifecycle.md draws this table through the machine.
import { PHASES, type Phase } from '../api/constants.js';
import { PHASE_TABLE } from '../api/phases.js';
import { tickOutcome } from '../analysis/outcome.js';
import {
  effectiveThreshold,
  nextStep,
  strategyFrom,
  thresholdReached,
} from '../progression/index.js';
import { overdue, routesAt, type Ctx } from './draft.js';
import { runGate } from './gates.js';
import { release } from './phases/hold.js';
import { evaluatedAt, failedTwice, failingFast } from './phases/fail-fast.js';
import { measuredSince } from './phases/traffic-shift.js';
import type { RunState } from './resume.js';
import type { ManualOperation } from '../api/constants.js';
import type { WebhookOutcome } from './types.js';

/** What a rule's predicate sees: the step's inputs, and the state its verdict would write. */
export interface RuleFacts extends Ctx {
  readonly next: RunState;
}

type Predicate = (f: RuleFacts) => boolean;

/** One target of a rule; with two targets, `when` says which one the facts lead to. */
export interface RuleTarget {
  readonly phase: Phase;
  readonly when?: { readonly label: string; readonly holds: Predicate };
}

export interface Rule {
  /** The words on the diagram's arrow. */
  readonly label: string;
  readonly from: readonly Phase[];
  readonly to: readonly RuleTarget[];
  /** The rule's condition. */
  readonly holds: Predicate;
}

// ---- facts the rules share -------------------------------------------------------------------

const refused = (o: WebhookOutcome | undefined): boolean =>
  o !== undefined && o.succeeded < o.called;

/** An operation annotation value not handled yet, naming `action`. */
function operationAsks(f: RuleFacts, action: ManualOperation): boolean {
  const op = f.input.operation;
  return (
    op !== null &&
    op.action === action &&
    f.prev.operation?.request !== op.request &&
    !f.spec.suspend
  );
}

const canaryReady = (f: RuleFacts): boolean =>
  f.observed.target !== null &&
  f.observed.target.readiness.state === 'ready' &&
  f.observed.target.replicas > 0;

/** The target runs a revision that is neither the run's nor the promoted one. */
function targetMovedOn(f: RuleFacts): boolean {
  const target = f.observed.target;
  if (target === null) return false;
  if (target.revision === f.prev.revision || target.revision === f.prev.lastPromotedRevision) {
    return false;
  }
  // Once the primary carries the revision under promotion, the promotion goes on.
  return !(f.prev.phase === 'Promoting' && f.observed.primary?.revision === f.prev.revision);
}

/** Every gate of a run of the target's revision is open (gates.ts, as startRun asks it). */
function gatesOpen(f: RuleFacts): boolean {
  const target = f.observed.target;
  return target !== null && runGate(f, f.prev.phase, target.revision).kind === 'open';
}

const gated: readonly RuleTarget[] = [
  { phase: 'Progressing', when: { label: 'gates open', holds: gatesOpen } },
  { phase: 'Waiting', when: { label: 'a gate closed', holds: (f) => !gatesOpen(f) } },
];

/** The running waits of the state as persisted, shifted past any hold (hold.ts: release). */
function waitsOverdue(f: RuleFacts, pick: (s: RunState) => readonly (number | null)[]): boolean {
  return pick(release(f.prev, f.now)).some((since) => overdue(f, since));
}

/**
 * The step judged the run's weight and it passed: the promise that no revision reaches the primary
 * without passing its checks at every weight, as a guard. The split showed the weight, the canary
 * was ready, one full step of traffic was measured there, the rollback webhooks did not fire, the
 * rollout (or pre-rollout) webhooks passed, and every metric check passed.
 */
function stepPassed(f: RuleFacts): boolean {
  const { prev, spec, gathered } = f;
  if (!routesAt(f.observed.routes, prev.canaryWeight) || !canaryReady(f)) return false;
  const since = measuredSince(f, release(prev, f.now));
  if (since === null || f.now < since + Math.max(spec.intervalMs, spec.windowMs)) return false;
  const { webhooks } = gathered;
  const rollbackHooks = webhooks.rollback;
  if (rollbackHooks === undefined || rollbackHooks.succeeded > 0) return false;
  const gate = webhooks.rollout ?? webhooks['pre-rollout'];
  if (gate === undefined || refused(gate)) return false;
  if (spec.checks.metrics === 0) return true;
  const checks = gathered.checks;
  return checks !== null && tickOutcome(checks.results) === 'Successful';
}

/**
 * The step passed and the strategy has no weight left to measure; a run whose checks pass on no
 * data (noData: pass) must have seen data.
 */
function lastStepPassed(f: RuleFacts): boolean {
  const strategy = strategyFrom(f.spec.progression);
  if (!strategy.ok || nextStep(strategy.strategy, f.prev).kind !== 'promote') return false;
  return stepPassed(f) && (!f.spec.noDataPasses || f.spec.checks.metrics === 0 || f.next.dataSeen);
}

/** The last step passed, and no confirm-promotion webhook said no. */
function analysisPassed(f: RuleFacts): boolean {
  return lastStepPassed(f) && !refused(f.gathered.webhooks['confirm-promotion']);
}

/**
 * Fail-fast (phases/fail-fast.ts): it is on, the step's traffic is measured since `since`, a
 * check failed (a measured value, with minRequests) at the evaluation recorded in this step, and
 * the same check fails again at this evaluation's point, at least one scrape interval later.
 */
function failedFast(f: RuleFacts): boolean {
  const checks = f.gathered.checks;
  const since = measuredSince(f, release(f.prev, f.now));
  if (!f.spec.failFast || checks === null || since === null) return false;
  const failing = failingFast(checks.results, f.spec.minRequests);
  const at = evaluatedAt(f.prev.failFast, f.now);
  return failedTwice(f.prev.failFast, since, at, failing).length > 0;
}

/** Confirm-promotion webhooks were asked in this step, and they said yes. */
function confirmedPromotion(f: RuleFacts): boolean {
  const confirm = f.gathered.webhooks['confirm-promotion'];
  return confirm !== undefined && !refused(confirm);
}

// ---- the table -------------------------------------------------------------------------------

const RUN_STARTERS: readonly Phase[] = [
  'Initialized',
  'Succeeded',
  'Failed',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
];
const MEASURING: readonly Phase[] = ['Progressing', 'WaitingPromotion'];
const ABORTABLE = PHASES.filter((p) => PHASE_TABLE[p].abortable);

export const RULES = {
  primaryReady: {
    label: 'primary ready',
    from: ['Initializing'],
    to: [{ phase: 'Initialized' }],
    holds: (f) => f.observed.initialized && f.observed.primary?.readiness.state === 'ready',
  },
  newRevision: {
    label: 'new revision',
    from: RUN_STARTERS,
    to: gated,
    holds: targetMovedOn,
  },
  retry: {
    label: 'operator retry',
    from: ['Failed'],
    to: gated,
    holds: (f) => operationAsks(f, 'retry') && f.prev.phase === 'Failed',
  },
  gatesOpened: {
    label: 'gates open (window, run slot, pre-flight, confirm-rollout)',
    from: ['Waiting'],
    to: [{ phase: 'Progressing' }],
    holds: gatesOpen,
  },
  targetReverted: {
    label: 'target back on the promoted revision',
    from: ['Waiting', 'Progressing', 'WaitingPromotion', 'Promoting'],
    to: [{ phase: 'Succeeded' }],
    holds: (f) =>
      f.observed.target !== null && f.observed.target.revision === f.prev.lastPromotedRevision,
  },
  confirmPromotionPending: {
    label: 'step passed, confirm-promotion pending',
    from: ['Progressing'],
    to: [{ phase: 'WaitingPromotion' }],
    holds: (f) => stepPassed(f) && refused(f.gathered.webhooks['confirm-promotion']),
  },
  confirmed: {
    label: 'step passed and confirm-promotion said yes (blue/green switch)',
    from: ['WaitingPromotion'],
    to: [{ phase: 'Progressing' }],
    holds: (f) => stepPassed(f) && confirmedPromotion(f),
  },
  analysisPassed: {
    label: 'last step passed at its weight',
    from: MEASURING,
    to: [{ phase: 'Promoting' }],
    holds: analysisPassed,
  },
  skipAnalysis: {
    label: 'skipAnalysis and canary ready',
    from: ['Progressing'],
    to: [{ phase: 'Promoting' }],
    holds: (f) => f.spec.skipAnalysis && canaryReady(f),
  },
  operatorPromote: {
    label: 'operator promote',
    from: [...ABORTABLE, 'Failed'],
    to: [{ phase: 'Promoting' }],
    holds: (f) => operationAsks(f, 'promote') && f.observed.target?.revision === f.prev.revision,
  },
  checksFailed: {
    label: 'failed checks reached the threshold',
    from: MEASURING,
    to: [{ phase: 'Failed' }],
    holds: (f) => thresholdReached(f.next.failedChecks, f.spec.threshold),
  },
  rollbackRequested: {
    label: 'rollback webhook',
    from: MEASURING,
    to: [{ phase: 'Failed' }],
    holds: (f) => (f.gathered.webhooks.rollback?.succeeded ?? 0) > 0,
  },
  failFast: {
    label: 'fail-fast: a check failed at two successive scrapes',
    from: MEASURING,
    to: [{ phase: 'Failed' }],
    holds: failedFast,
  },
  metricsUnavailable: {
    label: 'checks unevaluable errorLimit times in a row',
    from: MEASURING,
    to: [{ phase: 'Failed' }],
    holds: (f) => f.next.consecutiveErrors >= effectiveThreshold(f.spec.errorLimit),
  },
  canaryFailed: {
    label: 'canary rollout failed',
    from: MEASURING,
    to: [{ phase: 'Failed' }],
    holds: (f) => f.observed.target?.readiness.state === 'failed',
  },
  progressDeadline: {
    label: 'progress deadline passed',
    from: MEASURING,
    to: [{ phase: 'Failed' }],
    holds: (f) =>
      waitsOverdue(f, (s) => [
        s.canaryUnreadySince,
        s.inconclusiveSince,
        s.trafficShift?.since ?? null,
      ]),
  },
  operatorAbort: {
    label: 'operator abort',
    from: ABORTABLE,
    to: [{ phase: 'Failed' }],
    holds: (f) => operationAsks(f, 'abort') && PHASE_TABLE[f.prev.phase].abortable,
  },
  primaryRolledOut: {
    label: 'primary runs the revision',
    from: ['Promoting'],
    to: [{ phase: 'Finalising' }],
    holds: (f) =>
      f.observed.primary !== null &&
      f.observed.primary.revision === f.prev.revision &&
      f.observed.primary.readiness.state === 'ready',
  },
  primaryFailed: {
    label: 'primary rollout failed',
    from: ['Promoting'],
    to: [{ phase: 'Failed' }],
    holds: (f) =>
      f.observed.primary !== null &&
      f.observed.primary.revision === f.prev.revision &&
      f.observed.primary.readiness.state === 'failed',
  },
  promotionDeadline: {
    label: 'promotion deadline passed',
    from: ['Promoting'],
    to: [{ phase: 'Failed' }],
    holds: (f) => waitsOverdue(f, (s) => [s.phaseSince]),
  },
  allTrafficOnPrimary: {
    label: 'all traffic on the primary',
    from: ['Finalising'],
    to: [{ phase: 'Succeeded' }],
    holds: (f) => routesAt(f.observed.routes, 0),
  },
  primaryMissing: {
    label: 'primary missing and nothing promoted yet',
    from: PHASES.filter((p) => p !== 'Terminating'),
    to: [{ phase: 'Initializing' }],
    holds: (f) => f.observed.primary === null && f.prev.lastPromotedRevision === null,
  },
  deleted: {
    label: 'Canary deleted',
    from: PHASES,
    to: [{ phase: 'Terminating' }],
    holds: (f) => f.observed.deleting,
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

/** The rules a run can be started (or parked in Waiting) by. */
export type RunStartRule = 'newRevision' | 'retry' | 'gatesOpened';

/** The rules a run is rolled back by. */
export type RollbackRule =
  | 'checksFailed'
  | 'failFast'
  | 'rollbackRequested'
  | 'metricsUnavailable'
  | 'canaryFailed'
  | 'progressDeadline'
  | 'operatorAbort';

/** The rules a promotion begins by. */
export type PromotionRule = 'analysisPassed' | 'skipAnalysis' | 'operatorPromote';

export const RULE_IDS = Object.keys(RULES) as RuleId[];
