// The resume point: the persisted status, normalised into the engine's working state, and back.
// Every step starts here — the engine keeps nothing in memory between reconciles, so a restart
// or a leader change resumes exactly where the last persisted status left off.
import type { Condition, MeasurementRecord, OperationStatus, RunRecord } from '../api/canary.js';
import { PHASES, type Phase } from '../api/constants.js';
import { formatDuration, parseDuration } from '../time/duration.js';
import type { IdleScaleHistory } from '../workload/gitops-scale.js';
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
  /** The Ready reason and message a hold replaced (hold.ts); restored on release. */
  readonly heldFrom: HeldFrom | null;
  /** The route object lags canaryWeight since then (phases/traffic-shift.ts); null when it does not. */
  readonly trafficShift: TrafficShift | null;
  /** Fail-fast's cadence and its last failing evaluation (phases/fail-fast.ts). */
  readonly failFast: FailFastState;
  readonly paused: boolean;
  readonly targetScaledDown: boolean;
  /** Scale-downs of the idle target recorded in the status; null when there is no record. */
  readonly idleScale: IdleScaleRecord | null;
  readonly operation: OperationStatus | null;
  readonly lastAnalysis: readonly MeasurementRecord[];
  /** status.history (history.ts): the current or last run and the one before it. */
  readonly history: readonly RunRecord[];
  readonly conditions: readonly Condition[];
  readonly observedGeneration: number | null;
  /** No status was ever written. */
  readonly fresh: boolean;
}

export interface FailFastState {
  /** The scrape interval the run's pre-flight read; null: unknown (the fallback applies). */
  readonly everyMs: number | null;
  /**
   * Where the window of the fail-fast evaluation that last failed ended (its `until`); null after
   * any other result, and at each tick.
   */
  readonly failedAt: number | null;
  /** The checks that failed then. */
  readonly failed: readonly string[];
}

export const NO_FAIL_FAST: FailFastState = { everyMs: null, failedAt: null, failed: [] };

function failFastOf(status: EngineStatus): FailFastState {
  const f = status.failFast;
  if (f === undefined) return NO_FAIL_FAST;
  const every = f.every === undefined ? null : parseDuration(f.every);
  return {
    everyMs: every !== null && every > 0 ? every : null,
    failedAt: time(f.failedAt),
    failed: f.failed ?? [],
  };
}

export interface HeldFrom {
  readonly reason: string;
  readonly message: string;
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

/**
 * `legacy`: read from a status written before status.idleScale existed. It is not written back
 * as it is (the stored status has no field to diff against); the next record writes the field.
 */
export type IdleScaleRecord = IdleScaleHistory & { readonly legacy?: true };

/** The condition that carried the idle-scale record before status.idleScale existed. */
const LEGACY_IDLE_SCALE_CONDITION = 'TargetScaledDown';
/** Its message then: `scale-down <n> of <max> at <ISO time>; <why>`. */
const LEGACY_IDLE_SCALE_RECORD = /^scale-down (\d+) of \d+ at ([^;\s]+);/;

/**
 * A status written before status.idleScale existed kept the record only in the TargetScaledDown
 * condition's message: read it from there once, as the earlier version did. The next record
 * writes the field.
 */
function legacyIdleScale(conditions: readonly Condition[]): IdleScaleRecord | null {
  const c = conditions.find((x) => x.type === LEGACY_IDLE_SCALE_CONDITION);
  if (c === undefined) return null;
  const m = LEGACY_IDLE_SCALE_RECORD.exec(c.message);
  const attempts = Number(m?.[1]);
  const when = Date.parse(m?.[2] ?? '');
  // Hand-edited beyond reading: never fight on a guess.
  if (!Number.isInteger(attempts) || Number.isNaN(when)) {
    return { attempts: 0, gaveUp: true, legacy: true };
  }
  return c.status === 'False'
    ? { attempts, lastAttemptAt: when, gaveUp: true, legacy: true }
    : { attempts, lastAttemptAt: when, legacy: true };
}

function idleScaleOf(status: EngineStatus): IdleScaleRecord | null {
  const recorded = status.idleScale;
  if (recorded === undefined) return legacyIdleScale(status.conditions ?? []);
  const when = time(recorded.lastAttemptAt);
  return {
    attempts: count(recorded.attempts),
    ...(when === null ? {} : { lastAttemptAt: when }),
    ...(recorded.gaveUp === true ? { gaveUp: true } : {}),
  };
}

/** The Ready reason that said "the route lags" before status.trafficShiftSince existed. */
const LEGACY_SHIFTING_REASON = 'ShiftingTraffic';

/**
 * `legacy`: read from a status written before status.trafficShiftSince existed, which said so
 * only in its Ready reason (the lag began at phaseSince, which the first lagging step set). Not
 * written back as it is (the stored status has no field to diff against), like IdleScaleRecord.
 */
export interface TrafficShift {
  readonly since: number;
  readonly legacy?: true;
}

function trafficShiftOf(status: EngineStatus): TrafficShift | null {
  const since = time(status.trafficShiftSince);
  if (since !== null) return { since };
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (ready?.reason !== LEGACY_SHIFTING_REASON) return null;
  return { since: time(status.phaseSince) ?? 0, legacy: true };
}

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
    heldFrom:
      s.heldFrom === undefined ? null : { reason: s.heldFrom.reason, message: s.heldFrom.message },
    trafficShift: trafficShiftOf(s),
    failFast: failFastOf(s),
    paused: s.paused === true,
    targetScaledDown: s.targetScaledDown === true,
    idleScale: idleScaleOf(s),
    operation: s.operation ?? null,
    lastAnalysis: s.lastAnalysis ?? [],
    history: s.history ?? [],
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
  if (state.heldFrom !== null) out.heldFrom = { ...state.heldFrom };
  if (state.trafficShift !== null && state.trafficShift.legacy !== true)
    out.trafficShiftSince = iso(state.trafficShift.since);
  const { everyMs, failedAt, failed } = state.failFast;
  if (everyMs !== null || failedAt !== null) {
    out.failFast = {
      ...(everyMs === null ? {} : { every: formatDuration(everyMs) }),
      ...(failedAt === null ? {} : { failedAt: iso(failedAt), failed: [...failed] }),
    };
  }
  if (state.paused) out.paused = true;
  if (state.targetScaledDown) out.targetScaledDown = true;
  if (state.idleScale !== null && state.idleScale.legacy !== true) {
    const { attempts, lastAttemptAt, gaveUp } = state.idleScale;
    out.idleScale = {
      attempts,
      ...(lastAttemptAt === undefined ? {} : { lastAttemptAt: iso(lastAttemptAt) }),
      ...(gaveUp === true ? { gaveUp: true } : {}),
    };
  }
  if (state.operation !== null) out.operation = { ...state.operation };
  if (state.lastAnalysis.length > 0) out.lastAnalysis = [...state.lastAnalysis];
  if (state.history.length > 0) out.history = [...state.history];
  return out;
}
