// Manifests of the e2e scenarios: an emulated app ("podinfo") and its Canary with short intervals
// so a whole run takes seconds. Behaviour of a revision is set through the emulator's pod-template
// annotations (error rate, latency, readiness).
import { EMULATOR_ANNOTATIONS } from '../../dev/local/emulator/annotations.js';

export const APP = 'podinfo';

export function namespaceYaml(ns: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`;
}

export interface AppOptions {
  readonly replicas?: number;
  /** Pod-template annotations (revision markers and emulator behaviour). */
  readonly annotations?: Record<string, string>;
  /** The Deployment's own labels, besides app (e.g. a shard). */
  readonly labels?: Record<string, string>;
  /** The container's CPU request (what an HPA's CPU utilization is a share of). @default none */
  readonly cpuRequest?: string;
}

export function appYaml(ns: string, opts: AppOptions = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${APP}, namespace: ${ns}, labels: ${JSON.stringify({ app: APP, ...opts.labels })}}
spec:
  replicas: ${opts.replicas ?? 2}
  selector: {matchLabels: {app: ${APP}}}
  template:
    metadata:
      labels: {app: ${APP}}
      annotations: ${JSON.stringify(opts.annotations ?? {})}
    spec:
      containers:
        - name: app
          image: podinfo:6.7.0
          ports: [{name: http, containerPort: 9898}]
${opts.cpuRequest === undefined ? '' : `          resources: {requests: {cpu: ${opts.cpuRequest}}}\n`}`;
}

export interface CanaryOptions {
  readonly interval?: string;
  readonly threshold?: number;
  readonly stepWeights?: readonly number[];
  readonly progressDeadlineSeconds?: number;
  readonly latencyMaxMs?: number;
  /**
   * The metrics' query window. A step lasts max(interval, window): a check measures only its own
   * weight's traffic. 3s holds three scrapes of the local Prometheus (1s). @default '3s'
   */
  readonly window?: string;
  /** Extra YAML list items under analysis.webhooks. */
  readonly webhooks?: readonly { name: string; type: string; url: string }[];
  readonly smiVersion?: string;
  /** spec.routing.provider. @default 'smi' */
  readonly provider?: 'smi' | 'gatewayapi' | 'auto';
  /** spec.revertOnDeletion, when given (the CRD's default is true). */
  readonly revertOnDeletion?: boolean;
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly skipAnalysis?: boolean;
  /**
   * spec.analysis.failFast, when given (the CRD's default is true). A test of the failed-checks
   * threshold turns it off: fail-fast would otherwise race the second failing step.
   */
  readonly failFast?: boolean;
  /** An A/B release: spec.analysis.iterations and match (instead of stepWeights). */
  readonly ab?: { readonly iterations: number; readonly match: readonly unknown[] };
  /** spec.autoscalerRef, when given. */
  readonly autoscalerRef?: {
    readonly name: string;
    readonly primaryScalerReplicas?: { minReplicas?: number; maxReplicas?: number };
  };
}

function strategyYaml(opts: CanaryOptions): string {
  if (opts.ab === undefined)
    return `    stepWeights: ${JSON.stringify(opts.stepWeights ?? [20, 50])}`;
  return `    iterations: ${String(opts.ab.iterations)}\n    match: ${JSON.stringify(opts.ab.match)}`;
}

export function canaryYaml(ns: string, opts: CanaryOptions = {}): string {
  const hooks =
    opts.webhooks === undefined || opts.webhooks.length === 0
      ? ''
      : `    webhooks:\n${opts.webhooks
          .map((h) => `      - {name: ${h.name}, type: ${h.type}, url: "${h.url}", timeout: 5s}\n`)
          .join('')}`;
  const provider = opts.provider ?? 'smi';
  const smiVersion = provider === 'smi' ? `, smiVersion: ${opts.smiVersion ?? 'auto'}` : '';
  const revert =
    opts.revertOnDeletion === undefined
      ? ''
      : `  revertOnDeletion: ${String(opts.revertOnDeletion)}\n`;
  const failFast = opts.failFast === undefined ? '' : `    failFast: ${String(opts.failFast)}\n`;
  const autoscaler =
    opts.autoscalerRef === undefined
      ? ''
      : `  autoscalerRef: ${JSON.stringify(opts.autoscalerRef)}\n`;
  return `apiVersion: weightlifter.io/v1alpha1
kind: Canary
metadata:
  name: ${APP}
  namespace: ${ns}
  annotations: ${JSON.stringify(opts.annotations ?? {})}
  labels: ${JSON.stringify(opts.labels ?? {})}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: ${APP}}
  service: {port: 9898, targetPort: http}
  routing: {provider: ${provider}${smiVersion}}
  progressDeadlineSeconds: ${opts.progressDeadlineSeconds ?? 60}
${revert}${autoscaler}  skipAnalysis: ${opts.skipAnalysis === true ? 'true' : 'false'}
  analysis:
    interval: ${opts.interval ?? '2s'}
    threshold: ${opts.threshold ?? 2}
${failFast}${strategyYaml(opts)}
    metrics:
      - name: success-rate
        interval: ${opts.window ?? '3s'}
        trafficMetrics: {metric: success-rate}
        thresholdRange: {min: 99}
      - name: latency-p99
        interval: ${opts.window ?? '3s'}
        trafficMetrics: {metric: p99_response_latency}
        thresholdRange: {max: ${opts.latencyMaxMs ?? 100}}
${hooks}`;
}

/** The app's HorizontalPodAutoscaler (autoscaling/v2, CPU utilization), named like the app. */
export function hpaYaml(ns: string, opts: { minReplicas: number; maxReplicas: number }): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${APP}, namespace: ${ns}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${APP}}
  minReplicas: ${String(opts.minReplicas)}
  maxReplicas: ${String(opts.maxReplicas)}
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 30}
`;
}

/** A merge patch of the app's pod template annotations: a new revision with that behaviour. */
export function revisionPatch(annotations: Record<string, string | null>): string {
  return JSON.stringify({ spec: { template: { metadata: { annotations } } } });
}

export const BEHAVIOUR = {
  errorRate: (r: number) => ({ [EMULATOR_ANNOTATIONS.errorRate]: String(r) }),
  latencyMs: (ms: number) => ({ [EMULATOR_ANNOTATIONS.latencyMs]: String(ms) }),
  neverReady: () => ({ [EMULATOR_ANNOTATIONS.ready]: 'false' }),
  cpuMillicoresPerRps: (m: number) => ({ [EMULATOR_ANNOTATIONS.cpuMillicoresPerRps]: String(m) }),
} as const;
