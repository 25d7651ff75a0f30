// The resume point: the persisted status, normalised into the engine's working state, and back.
// Every step starts here — the engine keeps nothing in memory between reconciles, so a restart
// or a leader change resumes exactly where the last persisted status left off.
import type { Condition, MeasurementRecord, OperationStatus } from '../api/canary.js';
import { PHASES, type Phase } from '../api/constants.js';
import type { EngineStatus } from './types.js';

export interface RunState {
  readonly phase: Phase;
  /** Start of the current bounded wait (phase entry, or the last weight change). */
  readonly phaseSince: number | null;
  readonly canaryWeight: number;
  readonly stepIndex: number;
  readonly failedChecks: number;
  readonly iterations: number;
  readonly revision: string | null;
  readonly lastPromotedRevision: string | null;
  readonly trackedConfigs: Readonly<Record<string, string>>;
  readonly nextWindowStart: number | null;
  readonly lastAnalysisAt: number | null;
  readonly inconclusiveSince: number | null;
  /** Ticks in a row whose checks could not be evaluated (Error results, no Failed one). */
  readonly consecutiveErrors: number;
  /** When the canary became unready in this run; its readiness deadline runs from here. */
  readonly canaryUnreadySince: number | null;
  /** A check of this run returned data (a value); noData: pass never promotes without it. */
  readonly dataSeen: boolean;
  readonly heldSince: number | null;
  readonly paused: boolean;
  readonly targetScaledDown: boolean;
  readonly operation: OperationStatus | null;
  readonly lastAnalysis: readonly MeasurementRecord[];
  readonly conditions: readonly Condition[];
  readonly observedGeneration: number | null;
  /** No status was ever written. */
  readonly fresh: boolean;
}

const time = (s: string | undefined): number | null => {
  if (s === undefined) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
};
const iso = (t: number): string => new Date(t).toISOString();
const count = (n: number | undefined): number =>
  n !== undefined && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
const isPhase = (p: unknown): p is Phase => (PHASES as readonly unknown[]).includes(p);

/** Normalises a persisted status. Missing or unreadable fields take their start values. */
export function machineInputFromStatus(status: EngineStatus | undefined): RunState {
  const s = status ?? {};
  return {
    // An unknown phase (hand-edited status) restarts initialisation, which is idempotent.
    phase: isPhase(s.phase) ? s.phase : 'Initializing',
    phaseSince: time(s.phaseSince),
    canaryWeight: Math.min(100, count(s.canaryWeight)),
    stepIndex: count(s.stepIndex),
    failedChecks: count(s.failedChecks),
    iterations: count(s.iterations),
    revision: s.revision ?? null,
    lastPromotedRevision: s.lastPromotedRevision ?? null,
    trackedConfigs: s.trackedConfigs ?? {},
    nextWindowStart: time(s.nextWindowStart),
    lastAnalysisAt: time(s.lastAnalysisAt),
    inconclusiveSince: time(s.inconclusiveSince),
    consecutiveErrors: count(s.consecutiveErrors),
    canaryUnreadySince: time(s.canaryUnreadySince),
    dataSeen: s.dataSeen === true,
    heldSince: time(s.heldSince),
    paused: s.paused === true,
    targetScaledDown: s.targetScaledDown === true,
    operation: s.operation ?? null,
    lastAnalysis: s.lastAnalysis ?? [],
    conditions: s.conditions ?? [],
    observedGeneration: s.observedGeneration ?? null,
    fresh: status === undefined || s.phase === undefined,
  };
}

/** The status the engine writes for a state; absent fields are the start values. */
export function statusFromRunState(state: RunState): EngineStatus {
  const out: EngineStatus = {
    phase: state.phase,
    canaryWeight: state.canaryWeight,
    stepIndex: state.stepIndex,
    failedChecks: state.failedChecks,
    iterations: state.iterations,
    trackedConfigs: { ...state.trackedConfigs },
    conditions: [...state.conditions],
  };
  if (state.observedGeneration !== null) out.observedGeneration = state.observedGeneration;
  if (state.phaseSince !== null) out.phaseSince = iso(state.phaseSince);
  if (state.revision !== null) out.revision = state.revision;
  if (state.lastPromotedRevision !== null) out.lastPromotedRevision = state.lastPromotedRevision;
  if (state.nextWindowStart !== null) out.nextWindowStart = iso(state.nextWindowStart);
  if (state.lastAnalysisAt !== null) out.lastAnalysisAt = iso(state.lastAnalysisAt);
  if (state.inconclusiveSince !== null) out.inconclusiveSince = iso(state.inconclusiveSince);
  if (state.consecutiveErrors > 0) out.consecutiveErrors = state.consecutiveErrors;
  if (state.canaryUnreadySince !== null) out.canaryUnreadySince = iso(state.canaryUnreadySince);
  if (state.dataSeen) out.dataSeen = true;
  if (state.heldSince !== null) out.heldSince = iso(state.heldSince);
  if (state.paused) out.paused = true;
  if (state.targetScaledDown) out.targetScaledDown = true;
  if (state.operation !== null) out.operation = { ...state.operation };
  if (state.lastAnalysis.length > 0) out.lastAnalysis = [...state.lastAnalysis];
  return out;
}
