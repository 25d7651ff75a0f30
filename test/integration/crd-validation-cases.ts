// Invalid objects for crd-validation.test.ts: each is a valid base with one mistake, the field
// path the API server must name, and the rule text it must give.
import type { CanarySpec } from '../../src/api/canary.js';

export interface InvalidCase {
  readonly name: string;
  readonly spec: unknown;
  readonly path: string;
  readonly rule: string;
  /** HTTP status; 422 (Invalid) unless the request is malformed. */
  readonly code?: number;
  readonly fieldValidation?: 'Strict';
}

const base = {
  targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
  service: { port: 9898 },
  analysis: { interval: '30s', threshold: 5, stepWeight: 10, maxWeight: 50 },
} as const satisfies CanarySpec;

const spec = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...base, ...patch });

/** The base with analysis fields replaced (stepWeight/maxWeight dropped unless given again). */
const analysis = (fields: Record<string, unknown>): Record<string, unknown> =>
  spec({ analysis: { interval: '30s', threshold: 5, ...fields } });

const metric = (m: Record<string, unknown>): Record<string, unknown> =>
  analysis({ stepWeight: 10, metrics: [m] });

const insider = [{ headers: { 'x-canary': { exact: 'insider' } } }];

/** An A/B analysis: `fields` (the strategy) with a valid match. */
const abWith = (fields: Record<string, unknown>): Record<string, unknown> =>
  analysis({ ...fields, match: insider });

/** An A/B analysis (iterations 3) with this match. */
const ab = (match: unknown): Record<string, unknown> => analysis({ iterations: 3, match });

const okMetric = {
  name: 'success-rate',
  trafficMetrics: { metric: 'success-rate' },
  thresholdRange: { min: 99 },
} as const;

const okCompare = {
  name: 'latency',
  prometheus: { query: 'x' },
  compare: { direction: 'increase' },
} as const;

const webhook = (w: Record<string, unknown>): Record<string, unknown> =>
  analysis({ stepWeight: 10, webhooks: [{ name: 'load', url: 'http://loadtester.test/', ...w }] });

const withoutKey = (key: keyof CanarySpec): Record<string, unknown> =>
  Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

const minLen = 'should be at least 1 chars long';
const lte100 = 'should be less than or equal to 100';
const gte1 = 'should be greater than or equal to 1';
const duration = 'must be a duration such as';
const httpUrl = 'must be an absolute http:// or https:// URL';
const cron = 'must be a 5-field cron expression (minute hour day-of-month month day-of-week)';
const ascending = 'must be strictly ascending (each weight greater than the one before)';

export const invalidCanaries: readonly InvalidCase[] = [
  // weights
  {
    name: 'stepWeight above 100',
    spec: analysis({ stepWeight: 101 }),
    path: 'spec.analysis.stepWeight',
    rule: lte100,
  },
  {
    name: 'stepWeight 0',
    spec: analysis({ stepWeight: 0 }),
    path: 'spec.analysis.stepWeight',
    rule: gte1,
  },
  {
    name: 'negative stepWeight',
    spec: analysis({ stepWeight: -5 }),
    path: 'spec.analysis.stepWeight',
    rule: gte1,
  },
  {
    name: 'maxWeight above 100',
    spec: analysis({ stepWeight: 10, maxWeight: 150 }),
    path: 'spec.analysis.maxWeight',
    rule: lte100,
  },
  {
    name: 'a stepWeights item above 100',
    spec: analysis({ stepWeights: [10, 120] }),
    path: 'spec.analysis.stepWeights[1]',
    rule: lte100,
  },
  {
    name: 'a stepWeights item 0',
    spec: analysis({ stepWeights: [0, 20] }),
    path: 'spec.analysis.stepWeights[0]',
    rule: gte1,
  },
  {
    name: 'stepWeights descending',
    spec: analysis({ stepWeights: [10, 30, 20] }),
    path: 'spec.analysis.stepWeights',
    rule: ascending,
  },
  {
    name: 'stepWeights repeating a weight',
    spec: analysis({ stepWeights: [10, 20, 20, 40] }),
    path: 'spec.analysis.stepWeights',
    rule: ascending,
  },
  {
    name: 'empty stepWeights',
    spec: analysis({ stepWeights: [] }),
    path: 'spec.analysis.stepWeights',
    rule: 'should have at least 1 items',
  },
  {
    name: 'both stepWeight and stepWeights',
    spec: analysis({ stepWeight: 10, stepWeights: [10, 20] }),
    path: 'spec.analysis.stepWeights',
    rule: 'Forbidden: stepWeight and stepWeights are mutually exclusive',
  },
  {
    name: 'maxWeight below stepWeight',
    spec: analysis({ stepWeight: 30, maxWeight: 20 }),
    path: 'spec.analysis.maxWeight',
    rule: 'maxWeight must be greater than or equal to stepWeight',
  },
  {
    name: 'maxWeight with stepWeights',
    spec: analysis({ stepWeights: [10, 20], maxWeight: 50 }),
    path: 'spec.analysis.maxWeight',
    rule: 'Forbidden: maxWeight applies only to stepWeight',
  },
  // strategy
  {
    name: 'iterations together with stepWeight',
    spec: analysis({ stepWeight: 10, iterations: 3 }),
    path: 'spec.analysis.iterations',
    rule: 'Forbidden: iterations (blue/green) cannot be combined with stepWeight, stepWeights or maxWeight',
  },
  {
    name: 'no strategy at all',
    spec: analysis({}),
    path: 'spec.analysis',
    rule: 'Required value: spec.analysis needs a strategy: set stepWeight (with optional maxWeight), stepWeights, or iterations',
  },
  {
    name: 'no analysis without skipAnalysis',
    spec: withoutKey('analysis'),
    path: 'spec.analysis',
    rule: 'Required value: spec.analysis is required unless spec.skipAnalysis is true',
  },
  {
    name: 'iterations 0',
    spec: analysis({ iterations: 0 }),
    path: 'spec.analysis.iterations',
    rule: gte1,
  },
  // analysis settings
  {
    name: 'threshold 0',
    spec: analysis({ stepWeight: 10, threshold: 0 }),
    path: 'spec.analysis.threshold',
    rule: gte1,
  },
  {
    name: 'interval "5x"',
    spec: analysis({ stepWeight: 10, interval: '5x' }),
    path: 'spec.analysis.interval',
    rule: duration,
  },
  {
    name: 'interval below 1s',
    spec: analysis({ stepWeight: 10, interval: '500ms' }),
    path: 'spec.analysis.interval',
    rule: 'of at least 1s',
  },
  {
    name: 'unknown noData policy',
    spec: analysis({ stepWeight: 10, noData: 'ignore' }),
    path: 'spec.analysis.noData',
    rule: 'Unsupported value: "ignore": supported values: "fail", "inconclusive", "pass"',
  },
  {
    name: 'stepWeightPromotion above 100',
    spec: analysis({ stepWeight: 10, stepWeightPromotion: 200 }),
    path: 'spec.analysis.stepWeightPromotion',
    rule: lte100,
  },
  // target and service
  {
    name: 'missing targetRef',
    spec: withoutKey('targetRef'),
    path: 'spec.targetRef',
    rule: 'Required value',
  },
  {
    name: 'targetRef kind StatefulSet',
    spec: spec({ targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'podinfo' } }),
    path: 'spec.targetRef.kind',
    rule: 'Unsupported value: "StatefulSet": supported values: "Deployment"',
  },
  {
    name: 'targetRef apiVersion apps/v1beta1',
    spec: spec({ targetRef: { apiVersion: 'apps/v1beta1', kind: 'Deployment', name: 'podinfo' } }),
    path: 'spec.targetRef.apiVersion',
    rule: 'Unsupported value: "apps/v1beta1": supported values: "apps/v1"',
  },
  {
    name: 'targetRef without name',
    spec: spec({ targetRef: { kind: 'Deployment' } }),
    path: 'spec.targetRef.name',
    rule: 'Required value',
  },
  {
    name: 'target name unusable as a Service name',
    spec: spec({ targetRef: { name: 'my.app' } }),
    path: 'spec.targetRef.name',
    rule: 'must be a DNS-1035 label of at most 55 characters',
  },
  // autoscalerRef
  {
    name: 'autoscalerRef kind KEDA ScaledObject',
    spec: spec({ autoscalerRef: { kind: 'ScaledObject', name: 'podinfo' } }),
    path: 'spec.autoscalerRef.kind',
    rule: 'Unsupported value: "ScaledObject": supported values: "HorizontalPodAutoscaler"',
  },
  {
    name: 'autoscalerRef apiVersion autoscaling/v1',
    spec: spec({ autoscalerRef: { apiVersion: 'autoscaling/v1', name: 'podinfo' } }),
    path: 'spec.autoscalerRef.apiVersion',
    rule: 'Unsupported value: "autoscaling/v1": supported values: "autoscaling/v2"',
  },
  {
    name: 'autoscalerRef without name',
    spec: spec({ autoscalerRef: {} }),
    path: 'spec.autoscalerRef.name',
    rule: 'Required value',
  },
  {
    name: 'primaryScalerReplicas minReplicas 0',
    spec: spec({ autoscalerRef: { name: 'podinfo', primaryScalerReplicas: { minReplicas: 0 } } }),
    path: 'spec.autoscalerRef.primaryScalerReplicas.minReplicas',
    rule: gte1,
  },
  {
    name: 'primaryScalerReplicas maxReplicas 0',
    spec: spec({ autoscalerRef: { name: 'podinfo', primaryScalerReplicas: { maxReplicas: 0 } } }),
    path: 'spec.autoscalerRef.primaryScalerReplicas.maxReplicas',
    rule: gte1,
  },
  {
    name: 'primaryScalerReplicas minReplicas above maxReplicas',
    spec: spec({
      autoscalerRef: { name: 'podinfo', primaryScalerReplicas: { minReplicas: 5, maxReplicas: 2 } },
    }),
    path: 'spec.autoscalerRef.primaryScalerReplicas',
    rule: 'minReplicas must not exceed maxReplicas',
  },
  // Tenancy: a Canary names objects of its own namespace only; no field takes another namespace.
  {
    name: 'a target in another namespace (namespace/name)',
    spec: spec({ targetRef: { name: 'other-team/podinfo' } }),
    path: 'spec.targetRef.name',
    rule: 'should match',
  },
  {
    name: 'a target namespace field, with strict field validation',
    spec: spec({ targetRef: { name: 'podinfo', namespace: 'other-team' } }),
    path: 'spec.targetRef.namespace',
    rule: 'unknown field',
    code: 400,
    fieldValidation: 'Strict',
  },
  {
    name: 'a Service in another namespace (namespace/name)',
    spec: spec({ service: { port: 9898, name: 'other-team/podinfo' } }),
    path: 'spec.service.name',
    rule: 'should match',
  },
  {
    name: 'a Service namespace field, with strict field validation',
    spec: spec({ service: { port: 9898, namespace: 'other-team' } }),
    path: 'spec.service.namespace',
    rule: 'unknown field',
    code: 400,
    fieldValidation: 'Strict',
  },
  {
    name: 'a template in another namespace (namespace/name)',
    spec: metric({ name: 'm', templateRef: { name: 'other-team/t' }, thresholdRange: { max: 1 } }),
    path: 'spec.analysis.metrics[0].templateRef.name',
    rule: 'should match',
  },
  {
    name: 'a template namespace field, with strict field validation',
    spec: metric({
      name: 'm',
      templateRef: { name: 't', namespace: 'other-team' },
      thresholdRange: { max: 1 },
    }),
    path: 'spec.analysis.metrics[0].templateRef.namespace',
    rule: 'unknown field',
    code: 400,
    fieldValidation: 'Strict',
  },
  {
    name: 'missing service',
    spec: withoutKey('service'),
    path: 'spec.service',
    rule: 'Required value',
  },
  {
    name: 'service port out of range',
    spec: spec({ service: { port: 70000 } }),
    path: 'spec.service.port',
    rule: 'should be less than or equal to 65535',
  },
  {
    name: 'routing provider not supported',
    spec: spec({ routing: { provider: 'istio' } }),
    path: 'spec.routing.provider',
    rule: 'Unsupported value: "istio": supported values: "auto", "smi", "gatewayapi"',
  },
  {
    name: 'parentRefs with provider smi',
    spec: spec({ routing: { provider: 'smi', parentRefs: [{ name: 'edge' }] } }),
    path: 'spec.routing.parentRefs',
    rule: 'parentRefs are Gateway API parent references: they need provider gatewayapi or auto',
  },
  {
    name: 'a Service parent outside the core group',
    spec: spec({ routing: { parentRefs: [{ kind: 'Service', name: 'web' }] } }),
    path: 'spec.routing.parentRefs[0].group',
    rule: 'a Service parent has group "" (the core API group)',
  },
  {
    name: 'parentRef without a name',
    spec: spec({ routing: { parentRefs: [{ kind: 'Gateway' }] } }),
    path: 'spec.routing.parentRefs[0].name',
    rule: 'Required value',
  },
  {
    name: 'unknown smiVersion',
    spec: spec({ routing: { smiVersion: 'v1beta1' } }),
    path: 'spec.routing.smiVersion',
    rule: 'Unsupported value: "v1beta1"',
  },
  {
    name: 'negative progressDeadlineSeconds',
    spec: spec({ progressDeadlineSeconds: -1 }),
    path: 'spec.progressDeadlineSeconds',
    rule: gte1,
  },
  {
    name: 'zero progressDeadlineSeconds',
    spec: spec({ progressDeadlineSeconds: 0 }),
    path: 'spec.progressDeadlineSeconds',
    rule: gte1,
  },
  // metrics
  {
    name: 'a metric with no source',
    spec: metric({ name: 'm', thresholdRange: { min: 1 } }),
    path: 'spec.analysis.metrics[0]',
    rule: 'Required value: a metric needs a source: set one of trafficMetrics, prometheus or templateRef',
  },
  {
    name: 'a metric with two sources',
    spec: metric({ ...okMetric, prometheus: { query: 'up' } }),
    path: 'spec.analysis.metrics[0]',
    rule: 'Forbidden: a metric takes exactly one source: trafficMetrics, prometheus and templateRef are mutually exclusive',
  },
  {
    name: 'an unknown metric source (pruned, so no source is left)',
    spec: metric({ name: 'm', datadog: { query: 'avg:x' }, thresholdRange: { min: 1 } }),
    path: 'spec.analysis.metrics[0]',
    rule: 'a metric needs a source',
  },
  {
    name: 'an unknown metric source with strict field validation',
    spec: metric({ name: 'm', datadog: { query: 'avg:x' }, thresholdRange: { min: 1 } }),
    path: 'spec.analysis.metrics[0].datadog',
    rule: 'unknown field',
    code: 400,
    fieldValidation: 'Strict',
  },
  {
    name: 'an unknown trafficMetrics metric',
    spec: metric({ ...okMetric, trafficMetrics: { metric: 'error-rate' } }),
    path: 'spec.analysis.metrics[0].trafficMetrics.metric',
    rule: 'Unsupported value: "error-rate": supported values: "success-rate", "request-rate"',
  },
  {
    name: 'an empty metric name',
    spec: metric({ ...okMetric, name: '' }),
    path: 'spec.analysis.metrics[0].name',
    rule: minLen,
  },
  {
    name: 'duplicate metric names',
    spec: analysis({
      stepWeight: 10,
      metrics: [okMetric, { ...okMetric, trafficMetrics: { metric: 'request-rate' } }],
    }),
    path: 'spec.analysis.metrics[1]',
    rule: 'Duplicate value: {"name":"success-rate"}',
  },
  {
    name: 'a metric with neither thresholdRange nor compare',
    spec: metric({ name: 'm', trafficMetrics: { metric: 'success-rate' } }),
    path: 'spec.analysis.metrics[0]',
    rule: 'a metric takes exactly one of thresholdRange and compare',
  },
  {
    name: 'a metric with both thresholdRange and compare',
    spec: metric({ ...okCompare, thresholdRange: { max: 1 } }),
    path: 'spec.analysis.metrics[0]',
    rule: 'a metric takes exactly one of thresholdRange and compare',
  },
  {
    name: 'compare with trafficMetrics p99_response_latency',
    spec: metric({
      name: 'm',
      trafficMetrics: { metric: 'p99_response_latency' },
      compare: { direction: 'increase' },
    }),
    path: 'spec.analysis.metrics[0].compare',
    rule: 'compare with trafficMetrics takes only success-rate (its request counts)',
  },
  {
    name: 'a success-rate compare with maxRatio',
    spec: metric({
      name: 'm',
      trafficMetrics: { metric: 'success-rate' },
      compare: { direction: 'either', maxRatio: 2 },
    }),
    path: 'spec.analysis.metrics[0].compare',
    rule: 'maxRatio and minRatio do not apply to a success-rate compare',
  },
  {
    name: 'compare without direction',
    spec: metric({ ...okCompare, compare: {} }),
    path: 'spec.analysis.metrics[0].compare.direction',
    rule: 'Required value',
  },
  {
    name: 'compare with direction "up"',
    spec: metric({ ...okCompare, compare: { direction: 'up' } }),
    path: 'spec.analysis.metrics[0].compare.direction',
    rule: 'Unsupported value: "up"',
  },
  {
    name: 'compare with confidence 1',
    spec: metric({ ...okCompare, compare: { direction: 'increase', confidence: 1 } }),
    path: 'spec.analysis.metrics[0].compare.confidence',
    rule: 'should be less than 1',
  },
  {
    name: 'compare with confidence 0.3',
    spec: metric({ ...okCompare, compare: { direction: 'increase', confidence: 0.3 } }),
    path: 'spec.analysis.metrics[0].compare.confidence',
    rule: 'should be greater than or equal to 0.5',
  },
  {
    name: 'compare with a negative tolerance',
    spec: metric({ ...okCompare, compare: { direction: 'increase', tolerance: -0.1 } }),
    path: 'spec.analysis.metrics[0].compare.tolerance',
    rule: 'should be greater than or equal to 0',
  },
  {
    name: 'compare with maxRatio 1',
    spec: metric({ ...okCompare, compare: { direction: 'increase', maxRatio: 1 } }),
    path: 'spec.analysis.metrics[0].compare.maxRatio',
    rule: 'should be greater than 1',
  },
  {
    name: 'compare with minRatio 1',
    spec: metric({ ...okCompare, compare: { direction: 'decrease', minRatio: 1 } }),
    path: 'spec.analysis.metrics[0].compare.minRatio',
    rule: 'should be less than 1',
  },
  {
    name: 'compare with maxRatio and direction decrease',
    spec: metric({ ...okCompare, compare: { direction: 'decrease', maxRatio: 1.5 } }),
    path: 'spec.analysis.metrics[0].compare.maxRatio',
    rule: 'maxRatio gates an increase; it does not apply with direction decrease',
  },
  {
    name: 'compare with minRatio and direction increase',
    spec: metric({ ...okCompare, compare: { direction: 'increase', minRatio: 0.5 } }),
    path: 'spec.analysis.metrics[0].compare.minRatio',
    rule: 'minRatio gates a decrease; it does not apply with direction increase',
  },
  {
    name: 'compare with minSamples 0',
    spec: metric({ ...okCompare, compare: { direction: 'increase', minSamples: 0 } }),
    path: 'spec.analysis.metrics[0].compare.minSamples',
    rule: gte1,
  },
  {
    name: 'thresholdRange with min above max',
    spec: metric({ ...okMetric, thresholdRange: { min: 99, max: 90 } }),
    path: 'spec.analysis.metrics[0].thresholdRange.min',
    rule: 'thresholdRange.min must be less than or equal to thresholdRange.max',
  },
  {
    name: 'thresholdRange with neither min nor max',
    spec: metric({ ...okMetric, thresholdRange: {} }),
    path: 'spec.analysis.metrics[0].thresholdRange',
    rule: 'Required value: thresholdRange needs min, max or both',
  },
  {
    name: 'a metric interval "1 minute"',
    spec: metric({ ...okMetric, interval: '1 minute' }),
    path: 'spec.analysis.metrics[0].interval',
    rule: duration,
  },
  {
    name: 'an empty prometheus query',
    spec: metric({ name: 'm', prometheus: { query: '' }, thresholdRange: { max: 1 } }),
    path: 'spec.analysis.metrics[0].prometheus.query',
    rule: minLen,
  },
  {
    name: 'an unknown templateRef kind',
    spec: metric({
      name: 'm',
      templateRef: { name: 't', kind: 'MetricTemplate' },
      thresholdRange: { max: 1 },
    }),
    path: 'spec.analysis.metrics[0].templateRef.kind',
    rule: 'Unsupported value: "MetricTemplate": supported values: "AnalysisTemplate", "ClusterAnalysisTemplate"',
  },
  {
    name: 'templateVariables without templateRef',
    spec: metric({ ...okMetric, templateVariables: { direction: 'inbound' } }),
    path: 'spec.analysis.metrics[0].templateVariables',
    rule: 'Forbidden: templateVariables applies only to a metric with templateRef',
  },
  // webhooks
  {
    name: 'an unknown webhook type',
    spec: webhook({ type: 'pre-rollot' }),
    path: 'spec.analysis.webhooks[0].type',
    rule: 'Unsupported value: "pre-rollot": supported values: "confirm-rollout", "pre-rollout", "rollout"',
  },
  {
    name: 'a webhook url with scheme ftp',
    spec: webhook({ url: 'ftp://loadtester.test/' }),
    path: 'spec.analysis.webhooks[0].url',
    rule: httpUrl,
  },
  {
    name: 'a relative webhook url',
    spec: webhook({ url: '/hooks/load' }),
    path: 'spec.analysis.webhooks[0].url',
    rule: httpUrl,
  },
  {
    name: 'a webhook without url',
    spec: analysis({ stepWeight: 10, webhooks: [{ name: 'x' }] }),
    path: 'spec.analysis.webhooks[0].url',
    rule: 'Required value',
  },
  {
    name: 'a webhook timeout "soon"',
    spec: webhook({ timeout: 'soon' }),
    path: 'spec.analysis.webhooks[0].timeout',
    rule: duration,
  },
  {
    name: 'webhook retries above 10',
    spec: webhook({ retries: 11 }),
    path: 'spec.analysis.webhooks[0].retries',
    rule: 'should be less than or equal to 10',
  },
  {
    name: 'duplicate webhook names',
    spec: analysis({
      stepWeight: 10,
      webhooks: [
        { name: 'load', url: 'http://a.test/' },
        { name: 'load', url: 'http://b.test/' },
      ],
    }),
    path: 'spec.analysis.webhooks[1]',
    rule: 'Duplicate value: {"name":"load"}',
  },
  // schedule
  {
    name: 'a 4-field allow cron',
    spec: spec({ schedule: { allow: ['* 8-17 * *'] } }),
    path: 'spec.schedule.allow[0]',
    rule: cron,
  },
  {
    name: 'an allow cron in words',
    spec: spec({ schedule: { allow: ['every day at 8'] } }),
    path: 'spec.schedule.allow[0]',
    rule: cron,
  },
  {
    name: 'a 6-field deny cron',
    spec: spec({ schedule: { deny: ['0 0 * 24-26 12 *'] } }),
    path: 'spec.schedule.deny[0]',
    rule: cron,
  },
  {
    name: 'an unknown time zone',
    spec: spec({ schedule: { timeZone: 'Mars/Olympus_Mons', allow: ['* * * * *'] } }),
    path: 'spec.schedule.timeZone',
    rule: 'must be an IANA time zone name such as UTC or Europe/Berlin',
  },
  {
    name: 'the Local time zone',
    spec: spec({ schedule: { timeZone: 'Local', allow: ['* * * * *'] } }),
    path: 'spec.schedule.timeZone',
    rule: 'must name a zone: Local would be the time zone of whichever host reads it',
  },
  // baseline
  {
    name: 'baseline with blue/green',
    spec: analysis({ iterations: 3, baseline: true }),
    path: 'spec.analysis.baseline',
    rule: 'Forbidden: baseline needs a progressive canary (stepWeight or stepWeights)',
  },
  {
    name: 'baseline with a step weight above 50',
    spec: analysis({ stepWeights: [20, 60], baseline: true }),
    path: 'spec.analysis.baseline',
    rule: "with baseline the canary's weight is at most 50",
  },
  {
    name: 'baseline with stepWeight and the default maxWeight (100)',
    spec: analysis({ stepWeight: 10, baseline: true }),
    path: 'spec.analysis.baseline',
    rule: "with baseline the canary's weight is at most 50",
  },
  // A/B match
  {
    name: 'match without iterations',
    spec: abWith({ stepWeight: 10 }),
    path: 'spec.analysis.match',
    rule: 'Required value: match (A/B release) needs iterations',
  },
  {
    name: 'match with stepWeights',
    spec: abWith({ iterations: 3, stepWeights: [10, 20] }),
    path: 'spec.analysis.match',
    rule: 'Forbidden: match (A/B release) cannot be combined with stepWeight, stepWeights or maxWeight',
  },
  {
    name: 'match with maxWeight',
    spec: abWith({ iterations: 3, maxWeight: 50 }),
    path: 'spec.analysis.match',
    rule: 'Forbidden: match (A/B release) cannot be combined with stepWeight, stepWeights or maxWeight',
  },
  {
    name: 'an empty match list',
    spec: ab([]),
    path: 'spec.analysis.match',
    rule: 'should have at least 1 items',
  },
  {
    name: 'an empty match entry',
    spec: ab([{}]),
    path: 'spec.analysis.match[0]',
    rule: 'Required value: a match needs headers, pathRegex or methods',
  },
  {
    name: 'nine match entries',
    spec: ab(Array.from({ length: 9 }, (_, i) => ({ headers: { [`x-${i}`]: { exact: 'y' } } }))),
    path: 'spec.analysis.match',
    rule: 'must have at most 8 items',
  },
  {
    name: 'a header with two kinds of match',
    spec: ab([{ headers: { 'x-canary': { exact: 'a', prefix: 'b' } } }]),
    path: 'spec.analysis.match[0].headers[x-canary]',
    rule: 'set exactly one of exact, prefix, regex',
  },
  {
    name: 'a header with no kind of match',
    spec: ab([{ headers: { 'x-canary': {} } }]),
    path: 'spec.analysis.match[0].headers[x-canary]',
    rule: 'set exactly one of exact, prefix, regex',
  },
  {
    name: 'an invalid header regex',
    spec: ab([{ headers: { cookie: { regex: 'insider=(1' } } }]),
    path: 'spec.analysis.match[0].headers[cookie].regex',
    rule: 'must be a valid RE2 regular expression',
  },
  {
    name: 'an invalid pathRegex',
    spec: ab([{ pathRegex: '/api/[v1' }]),
    path: 'spec.analysis.match[0].pathRegex',
    rule: 'must be a valid RE2 regular expression',
  },
  {
    name: 'a header name with a space',
    spec: ab([{ headers: { 'x canary': { exact: 'insider' } } }]),
    path: 'spec.analysis.match[0].headers',
    rule: 'header names must be HTTP token characters',
  },
  {
    name: 'the same header twice, in two cases',
    spec: ab([{ headers: { 'X-Canary': { exact: 'a' }, 'x-canary': { exact: 'b' } } }]),
    path: 'spec.analysis.match[0].headers',
    rule: 'header names are case-insensitive: each may appear only once',
  },
  {
    name: 'seventeen headers in one match',
    spec: ab([
      {
        headers: Object.fromEntries(
          Array.from({ length: 17 }, (_, i) => [`x-${i}`, { exact: 'y' }]),
        ),
      },
    ]),
    path: 'spec.analysis.match[0].headers',
    rule: 'must have at most 16 items',
  },
  {
    name: 'an unknown method',
    spec: ab([{ methods: ['FETCH'] }]),
    path: 'spec.analysis.match[0].methods[0]',
    rule: 'Unsupported value: "FETCH"',
  },
  {
    name: 'a method twice',
    spec: ab([{ methods: ['GET', 'GET'] }]),
    path: 'spec.analysis.match[0].methods[1]',
    rule: 'Duplicate value: "GET"',
  },
];

const template = { provider: { type: 'prometheus' }, query: 'vector(1)' } as const;

export const invalidTemplates: readonly InvalidCase[] = [
  {
    name: 'missing query',
    spec: { provider: template.provider },
    path: 'spec.query',
    rule: 'Required value',
  },
  { name: 'empty query', spec: { ...template, query: '' }, path: 'spec.query', rule: minLen },
  {
    name: 'blank query',
    spec: { ...template, query: '  \n ' },
    path: 'spec.query',
    rule: 'spec.query must not be blank',
  },
  {
    name: 'unknown provider type',
    spec: { ...template, provider: { type: 'datadog' } },
    path: 'spec.provider.type',
    rule: 'Unsupported value: "datadog": supported values: "prometheus"',
  },
  {
    name: 'provider address without scheme',
    spec: { ...template, provider: { address: 'prometheus:9090' } },
    path: 'spec.provider.address',
    rule: httpUrl,
  },
  {
    name: 'secretRef without name',
    spec: { ...template, provider: { secretRef: {} } },
    path: 'spec.provider.secretRef.name',
    rule: 'Required value',
  },
  // Tenancy: a namespaced template's credentials are in its own namespace; none names another.
  {
    name: 'a secretRef in another namespace (namespace/name)',
    spec: { ...template, provider: { secretRef: { name: 'other-team/creds' } } },
    path: 'spec.provider.secretRef.name',
    rule: 'should match',
  },
  {
    name: 'a secretRef namespace field, with strict field validation',
    spec: { ...template, provider: { secretRef: { name: 'creds', namespace: 'other-team' } } },
    path: 'spec.provider.secretRef.namespace',
    rule: 'unknown field',
    code: 400,
    fieldValidation: 'Strict',
  },
];
