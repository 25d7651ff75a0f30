// What `status` shows, computed once from the Canary and its Events (pure: time is passed in).
// The human view and `-o json|yaml` both print this, so scripts get the same facts the user sees:
// metric values joined with their thresholds from the spec, the step list resolved from the spec,
// and time in phase measured from status.phaseSince.
import type { Canary, Condition, OperationStatus, RunRecord } from '../../api/canary.js';
import type { CompareDirection } from '../../api/constants.js';
import { STORED_DEFAULTS, hasBaseline } from '../../api/defaults.js';
import { matchText } from './match-text.js';
import { progressionOf, strategyFrom, type Strategy } from '../../progression/strategy.js';
import { since } from './duration.js';

export interface MetricSummary {
  readonly name: string;
  readonly value: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** A compare check's bad direction; null for threshold checks. */
  readonly compare: CompareDirection | null;
  /** What a compare check judges against: the baseline (spec.analysis.baseline), else the primary. */
  readonly against?: 'baseline';
  /** A measurement result, or Pending when the metric has not been measured in this run. */
  readonly result: 'Successful' | 'Failed' | 'Inconclusive' | 'Error' | 'Pending';
  readonly message: string | null;
  readonly at: string | null;
}

/** A Kubernetes Event about the Canary, normalised across core/v1 and events.k8s.io/v1. */
export interface CanaryEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  /** Last time it was seen (RFC 3339), when known. */
  readonly lastSeen: string | null;
}

/** A route object the Canary routes through, as `status` names it (`HTTPRoute/podinfo`). */
export interface RouteObjectRef {
  readonly kind: 'TrafficSplit' | 'HTTPRoute';
  readonly name: string;
}

/** What `status <name>` found about the Canary's route objects. */
export interface RoutesSeen {
  /** Usually one; two while the Canary moves from one provider to the other; [] before any. */
  readonly objects: readonly RouteObjectRef[];
  /** Why they could not be read (e.g. RBAC), or null. */
  readonly error: string | null;
}

export interface CanarySummary {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly phaseSince: string | null;
  readonly inPhaseSeconds: number | null;
  readonly canaryWeight: number;
  readonly stepIndex: number;
  readonly iterations: number;
  readonly strategy: Strategy | null;
  /** spec.analysis.match on one line (an A/B release); null without one. */
  readonly match: string | null;
  readonly failedChecks: number;
  readonly threshold: number;
  readonly revision: string | null;
  readonly lastPromotedRevision: string | null;
  readonly paused: boolean;
  readonly suspended: boolean;
  readonly generation: number | null;
  readonly observedGeneration: number | null;
  /** The Ready condition's message: the controller's own sentence about where the run is. */
  readonly message: string | null;
  readonly reason: string | null;
  readonly conditions: readonly Condition[];
  readonly operation: OperationStatus | null;
  readonly metrics: readonly MetricSummary[];
  readonly events: readonly CanaryEvent[];
  /** Why events could not be listed (e.g. RBAC), shown instead of them. */
  readonly eventsError: string | null;
  /** The route objects, when looked up (`status <name>`); null in lists. */
  readonly routes: RoutesSeen | null;
  /** The current (or last) run from status.history, per step; null before the first. */
  readonly run: RunRecord | null;
}

const MAX_EVENTS = 8;

function metricsOf(canary: Canary): MetricSummary[] {
  const specMetrics = canary.spec.analysis?.metrics ?? [];
  const records = canary.status?.lastAnalysis ?? [];
  const fromSpec = specMetrics.map((m): MetricSummary => {
    const r = records.find((x) => x.metric === m.name);
    return {
      name: m.name,
      value: r?.value ?? null,
      min: m.thresholdRange?.min ?? null,
      max: m.thresholdRange?.max ?? null,
      compare: m.compare?.direction ?? null,
      ...(m.compare !== undefined && hasBaseline(canary.spec)
        ? { against: 'baseline' as const }
        : {}),
      result: r?.result ?? 'Pending',
      message: r?.message ?? null,
      at: r?.at ?? null,
    };
  });
  // Results that are not spec metrics (a refusing rollout webhook is recorded as a failed check).
  const extra = records
    .filter((r) => !specMetrics.some((m) => m.name === r.metric))
    .map((r): MetricSummary => ({
      name: r.metric,
      value: r.value ?? null,
      min: null,
      max: null,
      compare: null,
      result: r.result,
      message: r.message ?? null,
      at: r.at,
    }));
  return [...fromSpec, ...extra];
}

function strategyOf(canary: Canary): Strategy | null {
  const a = canary.spec.analysis ?? {};
  const result = strategyFrom(progressionOf(a));
  return result.ok ? result.strategy : null;
}

const byLastSeen = (a: CanaryEvent, b: CanaryEvent): number =>
  (a.lastSeen ?? '').localeCompare(b.lastSeen ?? '');

export function summarize(
  canary: Canary,
  events: readonly CanaryEvent[],
  now: number,
  eventsError: string | null = null,
  routes: RoutesSeen | null = null,
): CanarySummary {
  const s = canary.status ?? {};
  const ready = (s.conditions ?? []).find((c) => c.type === 'Ready');
  const inPhase = since(s.phaseSince, now);
  return {
    namespace: canary.metadata.namespace ?? '',
    name: canary.metadata.name ?? '',
    phase: s.phase ?? 'Pending',
    phaseSince: s.phaseSince ?? null,
    inPhaseSeconds: inPhase === null ? null : Math.floor(inPhase / 1000),
    canaryWeight: s.canaryWeight ?? 0,
    stepIndex: s.stepIndex ?? 0,
    iterations: s.iterations ?? 0,
    strategy: strategyOf(canary),
    match: matchText(canary.spec.analysis?.match),
    failedChecks: s.failedChecks ?? 0,
    threshold: canary.spec.analysis?.threshold ?? STORED_DEFAULTS.analysis.threshold,
    revision: s.revision ?? null,
    lastPromotedRevision: s.lastPromotedRevision ?? null,
    paused: s.paused === true,
    suspended: canary.spec.suspend === true,
    generation: canary.metadata.generation ?? null,
    observedGeneration: s.observedGeneration ?? null,
    message: ready?.message ?? null,
    reason: ready?.reason ?? null,
    conditions: s.conditions ?? [],
    operation: s.operation ?? null,
    metrics: metricsOf(canary),
    events: [...events].sort(byLastSeen).slice(-MAX_EVENTS),
    eventsError,
    routes,
    run: s.history?.at(-1) ?? null,
  };
}
