// The emulator's CPU model, served as the resource metrics API (metrics.k8s.io/v1beta1): a
// running pod uses a small base plus its Deployment's `cpu-millicores-per-rps` pod template
// annotation times the requests per second it handles. Pure: pods, rates and a time in,
// PodMetrics out.
import { parseQuantity } from '../../../src/kube/quantity.js';
import { rfc3339 } from '../../../src/metrics-api/objects.js';
import type { PodObject } from './objects.js';

export const RESOURCE_METRICS_GROUP = 'metrics.k8s.io';
export const RESOURCE_METRICS_VERSION = 'v1beta1';
const API_VERSION = `${RESOURCE_METRICS_GROUP}/${RESOURCE_METRICS_VERSION}`;

/** CPU every running pod uses without any load, in millicores. */
export const BASE_CPU_MILLICORES = 1;
/** Memory is not modelled: every container reports this much. */
export const CONTAINER_MEMORY = '16Mi';

export interface ContainerMetricsJson {
  readonly name: string;
  readonly usage: { readonly cpu: string; readonly memory: string };
}

export interface PodMetricsJson {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: 'PodMetrics';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly creationTimestamp: string;
  };
  readonly timestamp: string;
  readonly window: string;
  readonly containers: readonly ContainerMetricsJson[];
}

/** A pod's CPU in millicores: the base plus `cpuMillicoresPerRps` × its requests per second. */
export function podCpuMillicores(rps: number, cpuMillicoresPerRps: number): number {
  return BASE_CPU_MILLICORES + rps * cpuMillicoresPerRps;
}

/** CPU as metrics-server writes it: whole nanocores. */
export const nanocores = (millicores: number): string => `${Math.round(millicores * 1e6)}n`;

/**
 * A pod's CPU spread over its `spec.containers` in proportion to their CPU requests (a container
 * without one gets none), evenly when no container has one; so each container's utilization is
 * the pod's.
 */
export function containerMetrics(pod: PodObject, cpuMillicores: number): ContainerMetricsJson[] {
  const containers = pod.spec?.containers ?? [];
  const requests = containers.map((c) => parseQuantity(c.resources?.requests?.['cpu']) ?? 0);
  const total = requests.reduce((a, b) => a + b, 0);
  return containers.map((c, i) => {
    const share = total > 0 ? (requests[i] ?? 0) / total : 1 / containers.length;
    return {
      name: c.name ?? '',
      usage: { cpu: nanocores(cpuMillicores * share), memory: CONTAINER_MEMORY },
    };
  });
}

/**
 * The Deployment a pod belongs to: its controlling ReplicaSet's name without the
 * `-<pod-template-hash>` the deployment controller appends; undefined for any other pod.
 */
export function deploymentOf(pod: PodObject): string | undefined {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (owner?.kind !== 'ReplicaSet' || hash === undefined || !owner.name.endsWith(`-${hash}`)) {
    return undefined;
  }
  return owner.name.slice(0, -(hash.length + 1));
}

const isRunning = (pod: PodObject): boolean =>
  pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined;

const isReady = (pod: PodObject): boolean =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export interface UsageInputs {
  /** A Deployment's `cpu-millicores-per-rps`; undefined when the emulator does not know it. */
  readonly cpuMillicoresPerRps: (namespace: string, deployment: string) => number | undefined;
  /** Requests per second a Deployment's pods handled over the window. */
  readonly rps: (namespace: string, deployment: string) => number;
  /** End of the measurement window (ms since the epoch) and its length. */
  readonly atMs: number;
  readonly windowMs: number;
}

/**
 * PodMetrics of every running pod (phase Running, not being deleted). A Deployment's requests per
 * second are shared evenly by its Ready pods; a pod that is not Ready, or not of a Deployment
 * the emulator knows, uses the base alone.
 */
export function podMetrics(pods: readonly PodObject[], inputs: UsageInputs): PodMetricsJson[] {
  const running = pods.filter(isRunning);
  const readyCount = new Map<string, number>();
  for (const pod of running.filter(isReady)) {
    const key = `${pod.metadata?.namespace ?? ''}/${deploymentOf(pod) ?? ''}`;
    readyCount.set(key, (readyCount.get(key) ?? 0) + 1);
  }
  const timestamp = rfc3339(inputs.atMs);
  const window = `${inputs.windowMs / 1000}s`;
  return running.map((pod) => {
    const namespace = pod.metadata?.namespace ?? '';
    const deployment = deploymentOf(pod);
    const perRps =
      deployment === undefined ? undefined : inputs.cpuMillicoresPerRps(namespace, deployment);
    let rps = 0;
    if (deployment !== undefined && perRps !== undefined && isReady(pod)) {
      rps = inputs.rps(namespace, deployment) / (readyCount.get(`${namespace}/${deployment}`) ?? 1);
    }
    return {
      apiVersion: API_VERSION,
      kind: 'PodMetrics',
      metadata: {
        name: pod.metadata?.name ?? '',
        namespace,
        labels: pod.metadata?.labels ?? {},
        creationTimestamp: timestamp,
      },
      timestamp,
      window,
      containers: containerMetrics(pod, podCpuMillicores(rps, perRps ?? 0)),
    };
  });
}
