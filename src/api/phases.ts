// The one phase table: what each phase of a Canary means to every part of the controller that
// asks (conditions, manual operations, run slots and timers, GitOps scale handling, where traffic
// goes after a promotion). Code that needs "is a run in flight?" reads it here instead of keeping
// its own list of phase names. docs/concepts.md describes the phases; test/unit/api/phases.test.ts
// pins the table.
import { PHASES, type Phase } from './constants.js';

/** What Ready (and kstatus Reconciling/Stalled) says while a phase holds. */
export type Health = 'settled' | 'progressing' | 'stalled';

export interface PhaseFacts {
  /** Ready's health when a step's verdict names none. */
  readonly health: Health;
  /** The Promoted condition: the target's revision is (True), is not (False), or not yet (Unknown). */
  readonly promoted: 'True' | 'False' | 'Unknown';
  /** A run is in flight and has not begun promotion: `abort` applies. */
  readonly abortable: boolean;
  /** Traffic may be on the canary: the run holds a run slot and is timed. */
  readonly active: boolean;
  /** Nothing runs; the Canary waits for a new revision (its target may be scaled down). */
  readonly settled: boolean;
  /** The primary already runs the promoted revision, so routes back to it wait for its pods. */
  readonly afterPromotion: boolean;
}

const facts = (f: Partial<PhaseFacts>): PhaseFacts => ({
  health: 'progressing',
  promoted: 'Unknown',
  abortable: false,
  active: false,
  settled: false,
  afterPromotion: false,
  ...f,
});

export const PHASE_TABLE: Readonly<Record<Phase, PhaseFacts>> = {
  Initializing: facts({}),
  Initialized: facts({ health: 'settled', promoted: 'True', settled: true }),
  Waiting: facts({ abortable: true }),
  Progressing: facts({ abortable: true, active: true }),
  WaitingPromotion: facts({ abortable: true, active: true }),
  Promoting: facts({ active: true, afterPromotion: true }),
  Finalising: facts({ active: true, afterPromotion: true }),
  Succeeded: facts({ health: 'settled', promoted: 'True', settled: true, afterPromotion: true }),
  Failed: facts({ health: 'stalled', promoted: 'False', settled: true }),
  Terminating: facts({}),
};

/** The phases for which `fact` holds, in PHASES order. */
export function phasesWhere(fact: (f: PhaseFacts) => boolean): Phase[] {
  return PHASES.filter((p) => fact(PHASE_TABLE[p]));
}

/** Phases in which a run is in flight (traffic may be on the canary). */
export const ACTIVE_PHASES: readonly Phase[] = phasesWhere((f) => f.active);

/** One kind of phase change the engine makes, named after the rule that makes it. */
export interface Transition {
  readonly rule: string;
  readonly from: readonly Phase[];
  readonly to: readonly Phase[];
}

const RUN_STARTERS: readonly Phase[] = [
  'Initialized',
  'Succeeded',
  'Failed',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
];
const NOT_TERMINATING = PHASES.filter((p) => p !== 'Terminating');

/**
 * Every phase change the engine may make (staying in a phase is always allowed). The lifecycle
 * machine (src/machine/lifecycle.ts) is built from it, decide() runs every phase change through
 * that machine, and docs/lifecycle.md draws the machine (`npm run docs:lifecycle`).
 */
export const TRANSITIONS: readonly Transition[] = [
  { rule: 'primary ready', from: ['Initializing'], to: ['Initialized'] },
  {
    rule: 'new revision (or retry after a failure)',
    from: RUN_STARTERS,
    to: ['Waiting', 'Progressing'],
  },
  { rule: 'target back on the promoted revision', from: RUN_STARTERS, to: ['Succeeded'] },
  { rule: 'window open and run slot free', from: ['Waiting'], to: ['Progressing'] },
  {
    rule: 'last step passed, confirm-promotion pending',
    from: ['Progressing'],
    to: ['WaitingPromotion'],
  },
  {
    rule: 'analysis passed, skipAnalysis, confirmed or operator promote',
    from: ['Progressing', 'WaitingPromotion', 'Waiting', 'Failed'],
    to: ['Promoting'],
  },
  {
    rule: 'checks failed, deadline passed or operator abort',
    from: ['Waiting', 'Progressing', 'WaitingPromotion'],
    to: ['Failed'],
  },
  { rule: 'primary rollout failed', from: ['Promoting'], to: ['Failed'] },
  { rule: 'primary runs the revision', from: ['Promoting'], to: ['Finalising'] },
  { rule: 'all traffic on the primary', from: ['Finalising'], to: ['Succeeded'] },
  {
    rule: 'primary missing and nothing promoted yet',
    from: NOT_TERMINATING,
    to: ['Initializing'],
  },
  { rule: 'Canary deleted', from: PHASES, to: ['Terminating'] },
];

/** Whether the engine may go from `from` to `to` in one step. */
export function transitionAllowed(from: Phase, to: Phase): boolean {
  return from === to || TRANSITIONS.some((t) => t.from.includes(from) && t.to.includes(to));
}
