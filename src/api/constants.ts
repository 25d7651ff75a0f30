// Names and vocabularies of the weightlifter.io API. The CRDs in crds/ carry the same enums; the
// drift test (test/unit/api/crd-drift.test.ts) fails when the two disagree.

export const GROUP = 'weightlifter.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const KINDS = {
  canary: 'Canary',
  analysisTemplate: 'AnalysisTemplate',
  clusterAnalysisTemplate: 'ClusterAnalysisTemplate',
} as const;

export const PLURALS = {
  canary: 'canaries',
  analysisTemplate: 'analysistemplates',
  clusterAnalysisTemplate: 'clusteranalysistemplates',
} as const;

// Flagger's Canary has no short names and Argo Rollouts owns `at`/`cat`; ours are prefixed `wl`.
export const SHORT_NAMES = {
  canary: ['wlc', 'wlcanary'],
  analysisTemplate: ['wlat'],
  clusterAnalysisTemplate: ['wlcat'],
} as const;

export const CATEGORY = 'weightlifter';

/** Annotation on a Canary that requests a manual operation; see MANUAL_OPERATIONS. */
export const ANNOTATIONS = {
  /**
   * `<action>` or `<action>:<token>` (e.g. `retry:2026-11-24T12:00:00Z`). The controller handles a
   * value once and records it in `status.operation.request`; a new token repeats an action.
   */
  operation: 'weightlifter.io/operation',
  /** `disabled` on a ConfigMap/Secret excludes it from revision tracking. */
  configTracking: 'weightlifter.io/config-tracking',
} as const;

export const LABELS = {
  /** Set on every object the controller creates: the name of the owning Canary. */
  canary: 'weightlifter.io/canary',
  managedBy: 'app.kubernetes.io/managed-by',
  /**
   * The shard a Canary belongs to (--watch-label-selector); copied from the Canary onto every
   * object the controller creates for it, so they stay in its shard.
   */
  shard: 'weightlifter.io/shard',
} as const;

export const MANAGED_BY = 'weightlifter';
export const FINALIZER = 'weightlifter.io/revert-on-deletion';

export const MANUAL_OPERATIONS = ['promote', 'abort', 'retry', 'pause', 'resume'] as const;
export type ManualOperation = (typeof MANUAL_OPERATIONS)[number];

export const OPERATION_RESULTS = ['Accepted', 'Rejected'] as const;
export type OperationResult = (typeof OPERATION_RESULTS)[number];

export const PHASES = [
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
  'Terminating',
] as const;
export type Phase = (typeof PHASES)[number];

/** How a run in status.history ended. */
export const RUN_RESULTS = ['Succeeded', 'Failed'] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

/** spec.routing.provider; `auto` is resolved per Canary (src/routing/provider.ts). */
export const ROUTING_PROVIDERS = ['auto', 'smi', 'gatewayapi'] as const;
export type RoutingProvider = (typeof ROUTING_PROVIDERS)[number];
/** A provider that names one routing API. */
export type ConcreteRoutingProvider = Exclude<RoutingProvider, 'auto'>;

export const SMI_VERSIONS = ['auto', 'v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'] as const;
export type SmiVersionSetting = (typeof SMI_VERSIONS)[number];

export const TARGET_KINDS = ['Deployment'] as const;
export const TARGET_API_VERSIONS = ['apps/v1'] as const;
export const AUTOSCALER_KINDS = ['HorizontalPodAutoscaler'] as const;
export const AUTOSCALER_API_VERSIONS = ['autoscaling/v2'] as const;

export const TRAFFIC_METRICS = [
  'success-rate',
  'request-rate',
  'p50_response_latency',
  'p90_response_latency',
  'p99_response_latency',
  'success_count',
  'failure_count',
] as const;
export type TrafficMetricName = (typeof TRAFFIC_METRICS)[number];

export const TEMPLATE_KINDS = ['AnalysisTemplate', 'ClusterAnalysisTemplate'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const METRIC_PROVIDERS = ['prometheus'] as const;
export type MetricProviderType = (typeof METRIC_PROVIDERS)[number];

export const NO_DATA_POLICIES = ['fail', 'inconclusive', 'pass'] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

/** Which shift of the canary a compare check judges bad. */
export const COMPARE_DIRECTIONS = ['increase', 'decrease', 'either'] as const;
export type CompareDirection = (typeof COMPARE_DIRECTIONS)[number];

export const WEBHOOK_TYPES = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'post-rollout',
  'rollback',
  'event',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

export const MEASUREMENT_RESULTS = ['Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export type MeasurementResult = (typeof MEASUREMENT_RESULTS)[number];

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/**
 * kstatus-compatible: Ready=True means settled; Stalled=True means it cannot progress alone;
 * Reconciling=True means a run or initialization is in flight.
 */
export const CONDITION_TYPES = {
  ready: 'Ready',
  promoted: 'Promoted',
  stalled: 'Stalled',
  reconciling: 'Reconciling',
} as const;
export type ConditionType = (typeof CONDITION_TYPES)[keyof typeof CONDITION_TYPES];

/** Condition reasons. CamelCase per metav1.Condition; the engine may add more here. */
export const CONDITION_REASONS = {
  initializing: 'Initializing',
  initialized: 'Initialized',
  progressing: 'Progressing',
  waiting: 'Waiting',
  waitingPromotion: 'WaitingPromotion',
  promoting: 'Promoting',
  succeeded: 'Succeeded',
  failed: 'Failed',
  terminating: 'Terminating',
  outsideWindow: 'OutsideDeploymentWindow',
  paused: 'Paused',
  suspended: 'Suspended',
  targetNotFound: 'TargetNotFound',
  templateNotFound: 'TemplateNotFound',
  autoscalerNotFound: 'AutoscalerNotFound',
  invalidSpec: 'InvalidSpec',
  unsupportedStrategy: 'UnsupportedStrategy',
  trafficSplitUnavailable: 'TrafficSplitUnavailable',
  httpRouteUnavailable: 'HTTPRouteUnavailable',
  routingUnavailable: 'RoutingUnavailable',
  routeRejected: 'RouteRejected',
  statusRejected: 'StatusRejected',
  notOwned: 'NotOwned',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  thresholdReached: 'FailedChecksThresholdReached',
  aborted: 'Aborted',
  rollbackRequested: 'RollbackRequested',
  checkFailed: 'CheckFailed',
  analysisInconclusive: 'AnalysisInconclusive',
  failFast: 'FailFast',
  waitingForCanary: 'WaitingForCanary',
  canaryNotReady: 'CanaryNotReady',
  primaryNotReady: 'PrimaryNotReady',
  promotionFailed: 'PromotionFailed',
  confirmRolloutPending: 'ConfirmRolloutPending',
  concurrencyLimit: 'ConcurrencyLimit',
  trafficIncreasePending: 'TrafficIncreasePending',
  revisionReverted: 'RevisionReverted',
  trafficShiftStalled: 'TrafficShiftStalled',
  targetNotReady: 'TargetNotReady',
  finalising: 'Finalising',
  metricsUnavailable: 'MetricsUnavailable',
  primaryMissing: 'PrimaryMissing',
  primaryTemplateUnavailable: 'PrimaryTemplateUnavailable',
  waitingForPrimary: 'WaitingForPrimary',
  noChecks: 'NoChecks',
  preflightFailed: 'PreflightFailed',
  analysisWindowTooShort: 'AnalysisWindowTooShort',
  queryInvalid: 'QueryInvalid',
  webhookUrlInvalid: 'WebhookUrlInvalid',
  webhookAddressNotAllowed: 'WebhookAddressNotAllowed',
  metricsAddressNotAllowed: 'MetricsAddressNotAllowed',
} as const;
export type ConditionReason = (typeof CONDITION_REASONS)[keyof typeof CONDITION_REASONS];
