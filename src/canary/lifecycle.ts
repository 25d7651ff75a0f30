// The two multi-object sequences whose order matters, so the reconciler cannot get it wrong:
// initialization (nothing may route to the primary before its pods are ready: a pre-existing apex
// Service, or a TrafficSplit the mesh applies at once, would otherwise send clients to pods that
// cannot serve) and deletion (the apex Service is handed back before anything of ours goes).
// Each step is idempotent; a `waiting` result means "requeue and call again".
import type { Canary } from '../api/canary.js';
import { primaryName } from '../api/defaults.js';
import { canaryEndpoints, checkRouteChange, type EndpointSliceJson } from '../routing/endpoints.js';
import { ALL_TO_PRIMARY, type TrafficRouter } from '../routing/types.js';
import type { ObjectReader } from '../kube/object-reader.js';
import type { WorkloadDeps } from '../workload/deps.js';
import { deletePrimaryHpa, ensurePrimaryHpa } from '../workload/autoscaler.js';
import { ensurePrimary } from '../workload/primary.js';
import { ensurePrimaryFromStored, type PromotedDeps } from '../workload/promoted-store.js';
import { deploymentReadiness } from '../workload/readiness.js';
import {
  ensureApexService,
  ensureBackendServices,
  releaseApexService,
} from '../workload/services.js';

const NONE_STORED: PromotedDeps['promoted'] = { getByName: () => undefined, list: () => [] };

export type StepResult =
  | { readonly state: 'done' }
  | { readonly state: 'waiting'; readonly reason: string }
  /** The primary's rollout failed (ProgressDeadlineExceeded): waiting will not help. */
  | { readonly state: 'failed'; readonly reason: string };

export interface LifecycleDeps extends WorkloadDeps {
  /** Stored promoted templates; absent: none is stored (a primary is then built from the target). */
  readonly promoted?: PromotedDeps['promoted'];
  /** EndpointSlices; undefined where the cluster has none (the endpoint gate then opens). */
  readonly slices: ObjectReader<EndpointSliceJson> | undefined;
}

/**
 * 1. primary Deployment (+ config copies, + its HPA with spec.autoscalerRef): from the target, or — `primaryFrom: 'stored'`, a primary
 * deleted after something was promoted — from the stored template of the promoted revision;
 * 2. -primary/-canary Services; 3. wait for the primary Deployment to be ready and its Service to
 * have ready endpoints; 4. TrafficSplit (100/0);
 * 5. apex Service (created, or taken over). The target is NOT scaled here: the engine scales it to
 * 0 once it has recorded Initialized and the split is seen at 100/0.
 */
export async function initializeWorkload(
  deps: LifecycleDeps,
  canary: Canary,
  router: TrafficRouter,
  primaryFrom: 'target' | 'stored' = 'target',
): Promise<StepResult> {
  if (primaryFrom === 'stored') {
    await ensurePrimaryFromStored({ ...deps, promoted: deps.promoted ?? NONE_STORED }, canary);
  } else {
    await ensurePrimary(deps, canary);
  }
  await ensurePrimaryHpa(deps, canary, 'create');
  await ensureBackendServices(deps, canary);
  const primary = deps.caches.deployments.getByName(
    canary.metadata.namespace,
    primaryName(canary.spec),
  );
  // Just created: the cache has not seen it yet.
  if (primary === undefined) return { state: 'waiting', reason: 'primary Deployment created' };
  const readiness = deploymentReadiness(primary);
  if (readiness.state === 'failed') return { state: 'failed', reason: readiness.message };
  if (readiness.state === 'pending') return { state: 'waiting', reason: readiness.message };
  const gate = checkRouteChange(
    router.getRoutes(),
    ALL_TO_PRIMARY,
    canaryEndpoints(canary, deps.slices),
  );
  if (!gate.allowed) return { state: 'waiting', reason: gate.reason };
  await router.reconcile();
  await ensureApexService(deps, canary);
  return { state: 'done' };
}

/**
 * Deletion. With revertOnDeletion — after the engine has scaled the target up, seen it ready and
 * routed all traffic to it (0/100) — the apex Service is handed back to the target's pods and
 * outlives the Canary; without it, only a taken-over apex is given back (it is the user's) and
 * GC deletes ours. Then the TrafficSplit is deleted. The caller removes the finalizer; GC removes
 * the rest (primary, backend Services, config copies); with revertOnDeletion the primary's HPA is
 * deleted here, once the target serves.
 */
export async function finalizeWorkload(
  deps: WorkloadDeps,
  canary: Canary,
  router: Pick<TrafficRouter, 'finalize'>,
): Promise<StepResult> {
  const revert = canary.spec.revertOnDeletion ?? true;
  await releaseApexService(deps, canary, revert);
  await router.finalize();
  // The target serves (with its own HPA): the primary's HPA goes now, before GC removes the rest.
  if (revert) await deletePrimaryHpa(deps, canary);
  return { state: 'done' };
}
