// Deleting a Canary whose step cannot run (an invalid spec, no TrafficSplit version served): the
// engine lets go without the Terminating flow (machine/phases/blocked.ts), and observe() uses this
// to say whether the target can serve yet. Handing the apex back earlier — the target sits at 0
// replicas while the primary serves — would point clients at no ready pod: an outage. Pure.
import type { EndpointSliceJson } from '../routing/endpoints.js';
import { serviceEndpoints } from '../routing/endpoints.js';
import type { ObjectReader } from '../kube/object-reader.js';
import type { DeploymentJson } from '../workload/k8s-types.js';
import { deploymentReadiness } from '../workload/readiness.js';

export interface ReleaseWaitInput {
  readonly target: DeploymentJson;
  readonly namespace: string;
  /**
   * The `-canary` Service, which selects the target's pods, when it exists: its ready endpoints
   * are what the apex will have once it is handed back.
   */
  readonly canaryService: string | undefined;
  /** undefined where the cluster has no EndpointSlices (Deployment status alone decides). */
  readonly slices: ObjectReader<EndpointSliceJson> | undefined;
}

/** Why the apex may not be handed back to the target yet; undefined once the target can serve. */
export function targetNotReadyReason(input: ReleaseWaitInput): string | undefined {
  const readiness = deploymentReadiness(input.target);
  if (readiness.state !== 'ready') return readiness.message;
  if (input.canaryService === undefined || input.slices === undefined) return undefined;
  const replicas = input.target.spec?.replicas ?? 1;
  const endpoints = serviceEndpoints(input.slices, input.namespace, input.canaryService, {
    minReady: replicas,
  });
  return endpoints.state === 'ready' ? undefined : endpoints.reason;
}
