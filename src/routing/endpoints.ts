// Weight only goes to a backend whose Service has ready endpoints (EndpointSlices, label
// kubernetes.io/service-name). This is the check Argo Rollouts' SMI path lacked: at promotion it
// moved the split back to a Service whose endpoints had not caught up yet (#1826, #2050), and a
// restarted run leaked traffic to pods that were not ready (#1665). The reconciler calls
// `checkRouteChange` before `setRoutes` and holds (requeue) while it says no.
import type { Canary } from '../api/canary.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { splitNames } from './traffic-split.js';
import type { Routes } from './types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** discovery.k8s.io/v1 EndpointSlice, the fields read here. */
export interface EndpointSliceJson extends KubeObject {
  endpoints?: {
    addresses?: string[];
    conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  }[];
}

export type BackendEndpoints =
  | { readonly state: 'ready'; readonly ready: number; readonly notReady: number }
  | {
      readonly state: 'notReady';
      readonly ready: number;
      readonly notReady: number;
      readonly reason: string;
    }
  /** The cluster provides no EndpointSlices (no cache given): the check cannot block. */
  | { readonly state: 'unknown'; readonly reason: string };

export interface EndpointCheckOptions {
  /** At least this many ready endpoints (e.g. the Deployment's replicas). @default 1 */
  readonly minReady?: number;
  /**
   * Also require that no endpoint is unready or terminating: after a rollout, the slice then
   * shows only the new pods, so traffic moved now cannot reach an old or half-started pod.
   */
  readonly settled?: boolean;
}

/** Ready endpoints of Service `service`; `slices` undefined means the cluster has no slices. */
export function serviceEndpoints(
  slices: ObjectReader<EndpointSliceJson> | undefined,
  namespace: string,
  service: string,
  opts: EndpointCheckOptions = {},
): BackendEndpoints {
  if (slices === undefined) {
    return { state: 'unknown', reason: 'EndpointSlices are not available in this cluster' };
  }
  let ready = 0;
  let notReady = 0;
  for (const slice of slices.list(namespace)) {
    if (slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== service) continue;
    for (const ep of slice.endpoints ?? []) {
      const n = ep.addresses?.length ?? 0;
      // API contract: a nil `ready` means unknown and should be read as ready.
      const isReady = ep.conditions?.ready !== false && ep.conditions?.terminating !== true;
      if (isReady) ready += n;
      else notReady += n;
    }
  }
  const minReady = opts.minReady ?? 1;
  if (ready < Math.max(minReady, 1)) {
    const reason = `Service ${service} has ${ready} ready endpoint(s), needs ${Math.max(minReady, 1)}`;
    return { state: 'notReady', ready, notReady, reason };
  }
  if (opts.settled === true && notReady > 0) {
    const reason = `Service ${service} still has ${notReady} unready or terminating endpoint(s)`;
    return { state: 'notReady', ready, notReady, reason };
  }
  return { state: 'ready', ready, notReady };
}

export interface CanaryEndpoints {
  readonly primary: BackendEndpoints;
  readonly canary: BackendEndpoints;
  /** The -baseline Service's, with a baseline (it takes the canary's weight). */
  readonly baseline?: BackendEndpoints;
}

/** Endpoints of the canary's -primary and -canary Services, and -baseline with a baseline. */
export function canaryEndpoints(
  canary: Canary,
  slices: ObjectReader<EndpointSliceJson> | undefined,
  opts: { readonly primary?: EndpointCheckOptions; readonly canary?: EndpointCheckOptions } = {},
): CanaryEndpoints {
  const names = splitNames(canary);
  const endpoints = {
    primary: serviceEndpoints(slices, names.namespace, names.primary, opts.primary),
    canary: serviceEndpoints(slices, names.namespace, names.canary, opts.canary),
  };
  return names.baseline === undefined
    ? endpoints
    : {
        ...endpoints,
        baseline: serviceEndpoints(slices, names.namespace, names.baseline, opts.canary),
      };
}

export type RouteCheck =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly backend: 'primary' | 'canary' | 'baseline';
      readonly reason: string;
    };

/**
 * Whether moving from `current` to `desired` is safe: every backend whose weight goes up (or is
 * set for the first time) to more than 0 must have ready endpoints. Lowering a weight is always
 * allowed — taking traffic away from a backend never needs it to be ready.
 */
export function checkRouteChange(
  current: Routes | null,
  desired: Routes,
  endpoints: CanaryEndpoints,
): RouteCheck {
  // A baseline takes the canary's weight: it goes up exactly when the canary's does.
  const backends = [
    ['primary', desired.primaryWeight, current?.primaryWeight, endpoints.primary],
    ['canary', desired.canaryWeight, current?.canaryWeight, endpoints.canary],
    ...(endpoints.baseline === undefined
      ? []
      : [['baseline', desired.canaryWeight, current?.canaryWeight, endpoints.baseline] as const]),
  ] as const;
  for (const [backend, want, have, ep] of backends) {
    if (want === 0 || (have !== undefined && want <= have)) continue;
    if (ep.state === 'notReady') return { allowed: false, backend, reason: ep.reason };
  }
  return { allowed: true };
}
