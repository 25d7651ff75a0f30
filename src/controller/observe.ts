// What one reconcile step observes (the engine's `Observed`), read from the informer caches only.
import type { Canary } from '../api/canary.js';
import {
  ANNOTATIONS,
  FINALIZER,
  MANUAL_OPERATIONS,
  type ManualOperation,
} from '../api/constants.js';
import { primaryName, serviceNames } from '../api/defaults.js';
import { deepEqual } from '../kube/merge-patch.js';
import type { Observed, ObservedTarget, OperationRequest } from '../machine/types.js';
import type { TrafficRouter } from '../routing/types.js';
import { targetRevision } from '../workload/config-tracking.js';
import { WorkloadSpecError } from '../workload/errors.js';
import type { DeploymentJson } from '../workload/k8s-types.js';
import { primaryRevisionOf } from '../workload/primary-builder.js';
import { latestStoredTemplate } from '../workload/promoted-template.js';
import { deploymentReadiness } from '../workload/readiness.js';
import { desiredServices } from '../workload/services-builder.js';
import type { CanaryJson, ControllerCaches } from './caches.js';

export function hasFinalizer(canary: CanaryJson): boolean {
  return canary.metadata?.finalizers?.includes(FINALIZER) ?? false;
}

export function isDeleting(canary: CanaryJson): boolean {
  return (canary.metadata?.deletionTimestamp ?? '') !== '';
}

export interface ObserveInput {
  readonly canary: Canary;
  readonly json: CanaryJson;
  readonly router: TrafficRouter;
  readonly caches: ControllerCaches;
  readonly runSlotAvailable: boolean;
}

export function observe(input: ObserveInput): Observed {
  const { canary, json, router, caches } = input;
  const ns = canary.metadata.namespace ?? '';
  const targetDep = caches.deployments.getByName(ns, canary.spec.targetRef.name);
  let target: ObservedTarget | null = null;
  const deleting = isDeleting(json) && hasFinalizer(json);
  if (targetDep !== undefined) {
    const rev = revisionFor(targetDep, caches, deleting);
    target = {
      revision: rev.revision,
      trackedConfigs: rev.trackedConfigs,
      // The API server defaults replicas to 1; absent only in hand-built objects.
      replicas: targetDep.spec?.replicas ?? 1,
      readiness: deploymentReadiness(targetDep),
    };
  }
  const primaryDep = caches.deployments.getByName(ns, primaryName(canary.spec));
  const names = serviceNames(canary.spec);
  const apex = caches.services.getByName(ns, names.apex);
  // The apex counts only once it selects the primary pods: a pre-existing user Service of that
  // name (not yet taken over) does not make the Canary initialized.
  const apexDesired =
    targetDep === undefined
      ? undefined
      : desiredServices(canary, targetDep).find((d) => d.role === 'apex')?.selector;
  const apexReady =
    apex !== undefined &&
    apexDesired !== undefined &&
    deepEqual(apex.spec?.selector ?? {}, apexDesired);
  const initialized =
    primaryDep !== undefined &&
    apexReady &&
    caches.services.getByName(ns, names.primary) !== undefined &&
    caches.services.getByName(ns, names.canary) !== undefined &&
    caches.routed.objectsOf(json).every((o) => o.cached !== undefined);
  return {
    deleting,
    target,
    primary:
      primaryDep === undefined
        ? null
        : {
            revision: primaryRevisionOf(primaryDep),
            readiness: deploymentReadiness(primaryDep),
            replicas: primaryDep.spec?.replicas ?? 1,
          },
    routes: router.getRoutes(),
    initialized,
    runSlotAvailable: input.runSlotAvailable,
    promotedTemplate: latestStoredTemplate(canary, caches.promoted)?.revision ?? null,
  };
}

/**
 * The target's revision. A required ConfigMap/Secret that does not exist throws
 * WorkloadSpecError (the Canary is blocked until it exists) — except while the Canary is being
 * deleted: the Terminating flow does not need the revision, and blocking deletion on a missing
 * config would keep the finalizer forever.
 */
function revisionFor(
  target: DeploymentJson,
  caches: ControllerCaches,
  deleting: boolean,
): { revision: string; trackedConfigs: Readonly<Record<string, string>> } {
  try {
    return targetRevision(target, caches);
  } catch (err) {
    if (!deleting || !(err instanceof WorkloadSpecError)) throw err;
    return { revision: '', trackedConfigs: {} };
  }
}

const isOperation = (v: string): v is ManualOperation =>
  (MANUAL_OPERATIONS as readonly string[]).includes(v);

/** The `weightlifter.io/operation` annotation: `<action>` or `<action>:<token>`. */
export function operationOf(canary: CanaryJson): OperationRequest | null {
  const value = canary.metadata?.annotations?.[ANNOTATIONS.operation]?.trim();
  if (value === undefined || value === '') return null;
  const colon = value.indexOf(':');
  const action = (colon < 0 ? value : value.slice(0, colon)).trim().toLowerCase();
  return { request: value, action: isOperation(action) ? action : null };
}
