// The Canary resource as stored by the API server (JSON as returned by CustomObjectsApi: dates
// are RFC 3339 strings). Field docs live in crds/canary.yaml (`kubectl explain`); the drift test
// keeps this file and the CRD in step through src/api/canary-fields.ts.
import type { ObjectMeta } from '../kube/object-key.js';
import type {
  CompareDirection,
  ConditionStatus,
  ManualOperation,
  MeasurementResult,
  NoDataPolicy,
  OperationResult,
  Phase,
  RoutingProvider,
  RunResult,
  SmiVersionSetting,
  TemplateKind,
  TrafficMetricName,
  WebhookType,
} from './constants.js';
import type { HttpMethod } from './gateway-api.js';

export interface Canary {
  apiVersion: 'weightlifter.io/v1alpha1';
  kind: 'Canary';
  metadata: ObjectMeta;
  spec: CanarySpec;
  status?: CanaryStatus;
}

export interface CanarySpec {
  targetRef: TargetRef;
  autoscalerRef?: AutoscalerRef;
  service: CanaryService;
  routing?: Routing;
  analysis?: Analysis;
  schedule?: Schedule;
  progressDeadlineSeconds?: number;
  skipAnalysis?: boolean;
  suspend?: boolean;
  revertOnDeletion?: boolean;
}

export interface TargetRef {
  apiVersion?: 'apps/v1';
  kind?: 'Deployment';
  name: string;
}

/** The target's HorizontalPodAutoscaler; `<name>-primary` is its copy for the primary. */
export interface AutoscalerRef {
  apiVersion?: 'autoscaling/v2';
  kind?: 'HorizontalPodAutoscaler';
  name: string;
  /** Bounds for the primary's HPA instead of the target HPA's. */
  primaryScalerReplicas?: PrimaryScalerReplicas;
}

export interface PrimaryScalerReplicas {
  minReplicas?: number;
  maxReplicas?: number;
}

export interface CanaryService {
  name?: string;
  port: number;
  /** A port number or a container port name. */
  targetPort?: number | string;
  portName?: string;
  appProtocol?: string;
}

export interface Routing {
  /** Unset: the controller's --routing-provider (default auto). */
  provider?: RoutingProvider;
  smiVersion?: SmiVersionSetting;
  parentRefs?: ParentRef[];
}

/** A Gateway API ParentReference (gateway.networking.k8s.io), as the HTTPRoute carries it. */
export interface ParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface Analysis {
  interval?: string;
  threshold?: number;
  stepWeight?: number;
  maxWeight?: number;
  stepWeights?: number[];
  iterations?: number;
  stepWeightPromotion?: number;
  noData?: NoDataPolicy;
  minRequests?: number;
  errorLimit?: number;
  failFast?: boolean;
  /**
   * Run a baseline next to the canary: `<target>-baseline`, the primary's template at the canary's
   * replicas, behind `<service>-baseline`, at the canary's weight; compare checks judge the canary
   * against it instead of the primary.
   */
  baseline?: boolean;
  metrics?: Metric[];
  webhooks?: Webhook[];
  /** A/B release: the requests that go to the canary for the whole run (with iterations). */
  match?: HttpMatch[];
}

/** One A/B match entry: its fields are ANDed; entries are ORed. */
export interface HttpMatch {
  /** Header name → how its value must match. */
  headers?: Record<string, HeaderMatch>;
  /** An RE2 regular expression the request path must match. */
  pathRegex?: string;
  /** HTTP methods, any of which matches. */
  methods?: HttpMethod[];
}

/** Exactly one of exact, prefix, regex. */
export interface HeaderMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface Metric {
  name: string;
  interval?: string;
  /** Exactly one of thresholdRange and compare (CEL). */
  thresholdRange?: ThresholdRange;
  compare?: Compare;
  trafficMetrics?: TrafficMetricsSource;
  prometheus?: PrometheusSource;
  templateRef?: TemplateRef;
  templateVariables?: Record<string, string>;
}

export interface ThresholdRange {
  min?: number;
  max?: number;
}

/** Judge the canary's series against the primary's (src/analysis/compare/, docs/statistics.md). */
export interface Compare {
  direction: CompareDirection;
  confidence?: number;
  tolerance?: number;
  maxRatio?: number;
  minRatio?: number;
  minSamples?: number;
}

export interface TrafficMetricsSource {
  metric: TrafficMetricName;
}

export interface PrometheusSource {
  query: string;
  address?: string;
}

export interface TemplateRef {
  name: string;
  kind?: TemplateKind;
}

export interface Webhook {
  name: string;
  type?: WebhookType;
  url: string;
  timeout?: string;
  retries?: number;
  metadata?: Record<string, string>;
}

export interface Schedule {
  timeZone?: string;
  allow?: string[];
  deny?: string[];
}

export interface CanaryStatus {
  observedGeneration?: number;
  phase?: Phase;
  phaseSince?: string;
  canaryWeight?: number;
  stepIndex?: number;
  failedChecks?: number;
  iterations?: number;
  revision?: string;
  lastPromotedRevision?: string;
  trackedConfigs?: Record<string, string>;
  nextWindowStart?: string;
  paused?: boolean;
  lastAnalysisAt?: string;
  inconclusiveSince?: string;
  consecutiveErrors?: number;
  canaryUnreadySince?: string;
  dataSeen?: boolean;
  heldSince?: string;
  heldFrom?: HeldFromStatus;
  trafficShiftSince?: string;
  failFast?: FailFastStatus;
  targetScaledDown?: boolean;
  idleScale?: IdleScaleStatus;
  operation?: OperationStatus;
  lastAnalysis?: MeasurementRecord[];
  history?: RunRecord[];
  conditions?: Condition[];
}

/** One run in status.history: the per-step record the dashboard and `status` chart. */
export interface RunRecord {
  revision: string;
  startedAt: string;
  /** Set when the run ended (the phase it ended in). */
  endedAt?: string;
  result?: RunResult;
  steps: StepRecord[];
}

/** A step of a run: an analysis tick, a weight change, or the run's end. */
export interface StepRecord {
  at: string;
  /** The canary weight after the step. */
  weight: number;
  /** The checks this step measured (at the previous step's weight); absent when none ran. */
  checks?: CheckRecord[];
}

export interface CheckRecord {
  metric: string;
  result: MeasurementResult;
  value?: number;
}

/** The Ready reason and message a pause or suspend replaced; restored on release. */
export interface HeldFromStatus {
  reason: string;
  message: string;
}

/** Fail-fast's record within a run (see crds/canary.yaml). */
export interface FailFastStatus {
  every?: string;
  failedAt?: string;
  failed?: string[];
}

/** Scale-downs of the idle target in the current idle period (see crds/canary.yaml). */
export interface IdleScaleStatus {
  attempts: number;
  lastAttemptAt?: string;
  gaveUp?: boolean;
}

export interface OperationStatus {
  request: string;
  action?: ManualOperation;
  result: OperationResult;
  message?: string;
  handledAt: string;
}

export interface MeasurementRecord {
  metric: string;
  result: MeasurementResult;
  value?: number;
  message?: string;
  at: string;
  compare?: CompareRecord;
}

/** A compare check's evidence (canary against the primary); absent fields were not computed. */
export interface CompareRecord {
  canary: CompareSideRecord;
  primary: CompareSideRecord;
  shift?: number;
  shiftLower?: number;
  shiftUpper?: number;
  pValue?: number;
  meanRatio?: number;
}

/** One side: its points and their median, or (success-rate) its requests and failures. */
export interface CompareSideRecord {
  samples: number;
  median?: number;
  failures?: number;
}

/** metav1.Condition, as JSON. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}
