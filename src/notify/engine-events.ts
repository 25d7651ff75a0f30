// Which engine Events become alerts. The engine announces every transition as an `emitEvent`
// effect (src/machine); a rollback is a Warning whose reason says why, so the reason alone picks
// the notification. Everything else (Advanced, PromotionStep, Initialized...) is progress detail
// that belongs in Events, not in a chat channel.
import { CONDITION_REASONS as R } from '../api/constants.js';
import { NOTIFICATION_KINDS as K, type NotifyEvent } from './types.js';

type KindEntry = (typeof K)[keyof typeof K];

const NORMAL: Readonly<Record<string, KindEntry>> = {
  NewRevision: K.runStarted,
  [R.succeeded]: K.promoted,
};

const WARNING: Readonly<Record<string, KindEntry>> = {
  [R.thresholdReached]: K.thresholdReached,
  [R.progressDeadlineExceeded]: K.progressDeadline,
  [R.promotionFailed]: K.promotionFailed,
  [R.aborted]: K.aborted,
  [R.canaryNotReady]: K.rolledBack,
  [R.rollbackRequested]: K.rolledBack,
  [R.analysisInconclusive]: K.rolledBack,
  // Fail-fast: a check failed at two successive scrapes within a step.
  [R.failFast]: K.rolledBack,
  [R.checkFailed]: K.checkFailed,
  [R.targetNotFound]: K.stalled,
  [R.invalidSpec]: K.stalled,
  // A blocked step (src/machine/phases/blocked.ts): needs a human too.
  [R.templateNotFound]: K.stalled,
  [R.autoscalerNotFound]: K.stalled,
  [R.unsupportedStrategy]: K.stalled,
  [R.trafficSplitUnavailable]: K.stalled,
  // The mesh refused the route object (Gateway API Accepted=False): stalled until a person acts.
  [R.routeRejected]: K.stalled,
  // The API server refused the status a step would write (src/canary/status-rejections.ts).
  [R.statusRejected]: K.stalled,
  [R.notOwned]: K.stalled,
  [R.primaryNotReady]: K.stalled,
  [R.trafficShiftStalled]: K.stalled,
  [R.primaryTemplateUnavailable]: K.stalled,
  // Deletion waits for the target before it hands the apex Service back.
  [R.targetNotReady]: K.stalled,
  // Pre-flight: the run did not start because a check cannot be evaluated.
  [R.preflightFailed]: K.stalled,
  [R.analysisWindowTooShort]: K.stalled,
  [R.queryInvalid]: K.stalled,
  [R.webhookUrlInvalid]: K.stalled,
  [R.webhookAddressNotAllowed]: K.stalled,
  [R.metricsAddressNotAllowed]: K.stalled,
  // A rollback because the checks could not be evaluated (the hold before it is not alerted).
  [R.metricsUnavailable]: K.rolledBack,
};

/** Warning reasons that are alerts only once the run has failed (before, they are a hold). */
const ONLY_WHEN_FAILED: ReadonlySet<string> = new Set([R.metricsUnavailable]);

/** What the reconciler knows when it applies an emitEvent effect. */
export interface EngineEventInput {
  readonly canary: { readonly namespace: string; readonly name: string };
  /** The status the step persisted (plan.status). */
  readonly status: {
    readonly phase?: string | undefined;
    readonly revision?: string | undefined;
    readonly canaryWeight?: number | undefined;
    readonly failedChecks?: number | undefined;
  };
  readonly event: {
    readonly eventType: 'Normal' | 'Warning';
    readonly reason: string;
    readonly message: string;
  };
  readonly now: number;
  readonly cluster?: string | null;
}

/** The alert for an engine Event, or null when the Event is not alert-worthy. */
export function notificationFor(input: EngineEventInput): NotifyEvent | null {
  const table = input.event.eventType === 'Warning' ? WARNING : NORMAL;
  const entry = Object.hasOwn(table, input.event.reason) ? table[input.event.reason] : undefined;
  if (entry === undefined) return null;
  if (ONLY_WHEN_FAILED.has(input.event.reason) && input.status.phase !== 'Failed') return null;
  return {
    kind: entry.kind,
    severity: entry.severity,
    canary: input.canary.name,
    namespace: input.canary.namespace,
    phase: input.status.phase ?? 'Unknown',
    reason: input.event.reason,
    message: input.event.message,
    revision: input.status.revision ?? null,
    timestamp: new Date(input.now).toISOString(),
    canaryWeight: input.status.canaryWeight ?? null,
    failedChecks: input.status.failedChecks ?? null,
    cluster: input.cluster ?? null,
  };
}
