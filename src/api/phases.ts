// The one phase table: what each phase of a Canary means to every part of the controller that
// asks (conditions, manual operations, run slots and timers, GitOps scale handling, where traffic
// goes after a promotion). Code that needs "is a run in flight?" reads it here instead of keeping
// its own list of phase names. The changes between phases, and their conditions, are the rules of
// the lifecycle machine (src/machine/rules.ts). docs/concepts.md describes the phases;
// test/unit/api/phases.test.ts pins the table.
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

/** A run measuring its canary: active, before promotion. */
export const measuresCanary = (phase: Phase): boolean =>
  PHASE_TABLE[phase].active && !PHASE_TABLE[phase].afterPromotion;
