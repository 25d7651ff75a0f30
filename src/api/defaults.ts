// Defaults. STORED_DEFAULTS are what the API server writes into a Canary (the CRD's `default`s; the
// drift test checks they agree). DERIVED_DEFAULTS depend on other fields, so the CRD cannot store
// them: the controller resolves them with the helpers below.
import type { Analysis, CanarySpec, Metric, ParentRef, Routing, Webhook } from './canary.js';

export const STORED_DEFAULTS = {
  targetRef: { apiVersion: 'apps/v1', kind: 'Deployment' },
  autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  service: { portName: 'http' },
  routing: { smiVersion: 'auto' },
  parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  analysis: {
    interval: '1m',
    threshold: 5,
    stepWeightPromotion: 0,
    noData: 'inconclusive',
    minRequests: 0,
    errorLimit: 5,
    failFast: true,
    baseline: false,
  },
  templateRef: { kind: 'AnalysisTemplate' },
  compare: { confidence: 0.98, tolerance: 0.1, minSamples: 10 },
  webhook: { type: 'rollout', timeout: '10s', retries: 0 },
  schedule: { timeZone: 'UTC' },
  progressDeadlineSeconds: 600,
  skipAnalysis: false,
  suspend: false,
  revertOnDeletion: true,
  templateProvider: { type: 'prometheus' },
} as const;

export const DERIVED_DEFAULTS = {
  /** analysis.maxWeight with stepWeight; with stepWeights the last weight is the maximum. */
  maxWeight: 100,
} as const;

/** Names of the three Services; spec.service.name defaults to spec.targetRef.name. */
export function serviceNames(spec: Pick<CanarySpec, 'service' | 'targetRef'>): {
  apex: string;
  primary: string;
  canary: string;
} {
  const apex = spec.service.name ?? spec.targetRef.name;
  return { apex, primary: `${apex}-primary`, canary: `${apex}-canary` };
}

/** The primary Deployment's name. */
export function primaryName(spec: Pick<CanarySpec, 'targetRef'>): string {
  return `${spec.targetRef.name}-primary`;
}

/** The baseline Deployment's name (a copy of the primary's pods, for compare checks). */
export function baselineName(spec: Pick<CanarySpec, 'targetRef'>): string {
  return `${spec.targetRef.name}-baseline`;
}

/** Whether the Canary runs a baseline beside its canary (spec.analysis.baseline). */
export const hasBaseline = (spec: Pick<CanarySpec, 'analysis'>): boolean =>
  spec.analysis?.baseline === true;

/** The baseline Service's name: the apex Service's, suffixed like the primary's and canary's. */
export function baselineServiceName(spec: Pick<CanarySpec, 'service' | 'targetRef'>): string {
  return `${serviceNames(spec).apex}-baseline`;
}

/** A metric's query window: its own interval, else the analysis interval. */
export function metricWindow(
  metric: Pick<Metric, 'interval'>,
  analysis: Pick<Analysis, 'interval'>,
): string {
  return metric.interval ?? analysis.interval ?? STORED_DEFAULTS.analysis.interval;
}

/**
 * Fills the defaults the API server would store, for specs built in code (tests, `weightlifter
 * validate`). Objects read from the API server already have them.
 */
export function withStoredDefaults(spec: CanarySpec): CanarySpec {
  const d = STORED_DEFAULTS;
  const out: CanarySpec = {
    ...spec,
    targetRef: { ...d.targetRef, ...spec.targetRef },
    ...(spec.autoscalerRef === undefined
      ? {}
      : { autoscalerRef: { ...d.autoscalerRef, ...spec.autoscalerRef } }),
    service: { ...d.service, ...spec.service },
    routing: routingWithDefaults(spec.routing ?? {}),
    progressDeadlineSeconds: spec.progressDeadlineSeconds ?? d.progressDeadlineSeconds,
    skipAnalysis: spec.skipAnalysis ?? d.skipAnalysis,
    suspend: spec.suspend ?? d.suspend,
    revertOnDeletion: spec.revertOnDeletion ?? d.revertOnDeletion,
  };
  if (spec.analysis) out.analysis = analysisWithDefaults(spec.analysis);
  if (spec.schedule) out.schedule = { ...d.schedule, ...spec.schedule };
  return out;
}

function routingWithDefaults(routing: Routing): Routing {
  const out: Routing = { ...STORED_DEFAULTS.routing, ...routing };
  if (routing.parentRefs) out.parentRefs = routing.parentRefs.map(parentRefWithDefaults);
  return out;
}

function parentRefWithDefaults(ref: ParentRef): ParentRef {
  return { ...STORED_DEFAULTS.parentRef, ...ref };
}

function analysisWithDefaults(analysis: Analysis): Analysis {
  const out: Analysis = { ...STORED_DEFAULTS.analysis, ...analysis };
  if (analysis.metrics) out.metrics = analysis.metrics.map(metricWithDefaults);
  if (analysis.webhooks) out.webhooks = analysis.webhooks.map(webhookWithDefaults);
  return out;
}

function metricWithDefaults(metric: Metric): Metric {
  if (!metric.templateRef) return metric;
  return { ...metric, templateRef: { ...STORED_DEFAULTS.templateRef, ...metric.templateRef } };
}

function webhookWithDefaults(webhook: Webhook): Webhook {
  return { ...STORED_DEFAULTS.webhook, ...webhook };
}
