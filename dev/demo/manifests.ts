// The sample app and its Canary. The app is emulated: the mesh emulator serves its pods and plays
// the behaviour its pod template's annotations ask for (dev/local/emulator/annotations.ts), so a
// "release" is a change of image tag plus, for the bad one, an error rate.
import { EMULATOR_ANNOTATIONS } from '../local/emulator/annotations.js';
import type { DemoRouter } from './options.js';

export const DEMO_NAMESPACE = 'demo';
export const APP = 'podinfo';
/** Pod-template annotation naming the release, so anyone can see which one a Deployment runs. */
export const RELEASE_ANNOTATION = 'demo.weightlifter.io/release';

export const CANARY_SPEC = {
  interval: '5s',
  threshold: 2,
  stepWeights: [10, 25, 50],
  minSuccessRate: 99,
  maxP99Ms: 100,
} as const;

export interface Release {
  readonly name: string;
  readonly image: string;
  /** What the story says about it. */
  readonly description: string;
  /** Emulator annotations (behaviour); the release annotation is added to them. */
  readonly behaviour: Readonly<Record<string, string>>;
}

const IMAGE = 'podinfo';

export const RELEASES = {
  v1: { name: 'v1', image: `${IMAGE}:6.7.0`, description: 'the running version', behaviour: {} },
  v2: {
    name: 'v2',
    image: `${IMAGE}:6.7.1`,
    description: 'healthy: no errors, ~8 ms responses',
    behaviour: { [EMULATOR_ANNOTATIONS.latencyMs]: '8' },
  },
  v3: {
    name: 'v3',
    image: `${IMAGE}:6.8.0`,
    description: 'bad: 30 % of its responses are HTTP 500',
    behaviour: { [EMULATOR_ANNOTATIONS.errorRate]: '0.3', [EMULATOR_ANNOTATIONS.latencyMs]: '8' },
  },
} as const satisfies Record<string, Release>;

export function namespaceYaml(): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${DEMO_NAMESPACE}}\n`;
}

function annotationsOf(release: Release): Record<string, string> {
  return { [RELEASE_ANNOTATION]: release.name, ...release.behaviour };
}

export function appYaml(release: Release): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${APP}, namespace: ${DEMO_NAMESPACE}, labels: {app: ${APP}}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${APP}}}
  template:
    metadata:
      labels: {app: ${APP}}
      annotations: ${JSON.stringify(annotationsOf(release))}
    spec:
      containers:
        - name: app
          image: ${release.image}
          ports: [{name: http, containerPort: 9898}]
`;
}

/** What the story says about each router's route object. */
export const ROUTE_OBJECT = {
  smi: {
    kind: 'TrafficSplit',
    plural: 'trafficsplits',
    resource: 'trafficsplits.split.smi-spec.io',
    api: 'SMI',
  },
  gatewayapi: {
    kind: 'HTTPRoute',
    plural: 'httproutes',
    resource: 'httproutes.gateway.networking.k8s.io',
    api: 'Gateway API',
  },
} as const satisfies Record<
  DemoRouter,
  { kind: string; plural: string; resource: string; api: string }
>;

const ROUTING: Record<DemoRouter, string> = {
  smi: '{provider: smi, smiVersion: auto}',
  gatewayapi: '{provider: gatewayapi}',
};

export function canaryYaml(router: DemoRouter = 'smi'): string {
  const s = CANARY_SPEC;
  return `apiVersion: weightlifter.io/v1alpha1
kind: Canary
metadata: {name: ${APP}, namespace: ${DEMO_NAMESPACE}}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: ${APP}}
  service: {port: 9898, targetPort: http}
  routing: ${ROUTING[router]}
  progressDeadlineSeconds: 60
  analysis:
    interval: ${s.interval}
    threshold: ${s.threshold}
    stepWeights: ${JSON.stringify(s.stepWeights)}
    metrics:
      - name: success-rate
        trafficMetrics: {metric: success-rate}
        thresholdRange: {min: ${s.minSuccessRate}}
      - name: latency-p99
        trafficMetrics: {metric: p99_response_latency}
        thresholdRange: {max: ${s.maxP99Ms}}
`;
}

/**
 * A strategic merge patch that makes `release` the Deployment's pod template. Annotations of the
 * previous release that this one lacks are removed (null), so v3's error rate never lingers.
 */
export function releasePatch(release: Release, previous: Release): string {
  const annotations: Record<string, string | null> = {};
  for (const key of Object.keys(annotationsOf(previous))) annotations[key] = null;
  Object.assign(annotations, annotationsOf(release));
  return JSON.stringify({
    spec: {
      template: {
        metadata: { annotations },
        spec: { containers: [{ name: 'app', image: release.image }] },
      },
    },
  });
}
