// spec.autoscalerRef: the target's HorizontalPodAutoscaler and its `<name>-primary` copy, which
// scales the primary Deployment. The copy is written at initialization (created when missing) and
// at every promotion (brought to the target HPA's spec then), never in between: a change to the
// target's HPA alone is not a revision and waits for the next promotion. Once the copy exists,
// weightlifter never writes the primary's replicas (its HPA owns them).
import type { AutoscalerRef, Canary } from '../api/canary.js';
import { primaryName } from '../api/defaults.js';
import { canaryOwnerRef, managedLabels } from '../api/ownership.js';
import { OwnershipError, patchOwned } from '../kube/diff-patch.js';
import { isAlreadyExists, isNotFound } from '../kube/errors.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { notControlledBy, withoutForeignKeys } from '../kube/owner.js';
import { BUILTIN, collectionPath, objectPath } from '../kube/resources.js';
import type { WorkloadDeps, WriteAction } from './deps.js';
import { WorkloadSpecError } from './errors.js';
import type { DeploymentJson, HpaJson } from './k8s-types.js';
import type { Readiness } from './readiness.js';
import { replacing, toJson } from './replace.js';

/** The HPA cache; only a Canary with spec.autoscalerRef needs it. */
export function autoscalers(deps: Pick<WorkloadDeps, 'caches'>): ObjectReader<HpaJson> {
  const reader = deps.caches.autoscalers;
  if (reader === undefined) throw new Error('spec.autoscalerRef needs the autoscaler cache');
  return reader;
}

/** The API server's default for an HPA without minReplicas. */
const DEFAULT_MIN_REPLICAS = 1;

export function primaryHpaName(ref: Pick<AutoscalerRef, 'name'>): string {
  return `${ref.name}-primary`;
}

/** The target's HPA; a missing one, or one scaling another workload, is a spec error. */
export function targetHpa(
  canary: Canary,
  ref: AutoscalerRef,
  autoscalers: ObjectReader<HpaJson>,
): HpaJson {
  const hpa = autoscalers.getByName(canary.metadata.namespace, ref.name);
  if (hpa === undefined) {
    throw new WorkloadSpecError(
      'autoscalerNotFound',
      `HorizontalPodAutoscaler ${ref.name} (spec.autoscalerRef) does not exist`,
      { details: { namespace: canary.metadata.namespace } },
    );
  }
  const scaled = hpa.spec?.scaleTargetRef;
  const target = canary.spec.targetRef.name;
  if (scaled?.kind !== 'Deployment' || scaled.name !== target) {
    throw new WorkloadSpecError(
      'invalidSpec',
      `HorizontalPodAutoscaler ${ref.name} scales ${scaled?.kind ?? '?'} ${scaled?.name ?? '?'}, ` +
        `not the target Deployment ${target}`,
      { details: { namespace: canary.metadata.namespace } },
    );
  }
  return hpa;
}

/** The minReplicas the canary starts a run at: the target HPA's. */
export function hpaMinReplicas(hpa: HpaJson): number {
  return hpa.spec?.minReplicas ?? DEFAULT_MIN_REPLICAS;
}

/** The desired `<name>-primary`: the target HPA's spec, scaling the primary, owned. Pure. */
export function buildPrimaryHpa(canary: Canary, ref: AutoscalerRef, target: HpaJson): HpaJson {
  const spec = target.spec ?? {};
  const bounds = ref.primaryScalerReplicas;
  const minReplicas = bounds?.minReplicas ?? spec.minReplicas ?? DEFAULT_MIN_REPLICAS;
  const maxReplicas = bounds?.maxReplicas ?? spec.maxReplicas ?? minReplicas;
  if (minReplicas > maxReplicas) {
    throw new WorkloadSpecError(
      'invalidSpec',
      `the primary's HorizontalPodAutoscaler would have minReplicas ${minReplicas} above ` +
        `maxReplicas ${maxReplicas} (spec.autoscalerRef.primaryScalerReplicas with ${ref.name})`,
      { details: { namespace: canary.metadata.namespace } },
    );
  }
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: primaryHpaName(ref),
      namespace: canary.metadata.namespace ?? '',
      labels: { ...withoutForeignKeys(target.metadata?.labels), ...managedLabels(canary) },
      ownerReferences: [canaryOwnerRef(canary)],
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: primaryName(canary.spec) },
      minReplicas,
      maxReplicas,
      ...(spec.metrics === undefined ? {} : { metrics: structuredClone(spec.metrics) }),
      ...(spec.behavior === undefined ? {} : { behavior: structuredClone(spec.behavior) }),
    },
  };
}

/**
 * Writes `<name>-primary` from the target's HPA: created when missing; an existing one is brought
 * to the target HPA's spec only when `sync` (promotion). A no-op without spec.autoscalerRef.
 */
export async function ensurePrimaryHpa(
  deps: WorkloadDeps,
  canary: Canary,
  mode: 'create' | 'sync',
): Promise<WriteAction> {
  const ref = canary.spec.autoscalerRef;
  await deleteHpas(deps, canary, ownedPrimaryHpas(deps, canary, ref && primaryHpaName(ref)));
  if (ref === undefined) return 'unchanged';
  const want = buildPrimaryHpa(canary, ref, targetHpa(canary, ref, autoscalers(deps)));
  const live = autoscalers(deps).getByName(canary.metadata.namespace, primaryHpaName(ref));
  if (live === undefined) {
    try {
      await deps.raw.create(collectionPath(HPA_REF, canary.metadata.namespace), want);
    } catch (err) {
      // Created by a step the cache has not caught up with: the next step sees it.
      if (!isAlreadyExists(err)) throw err;
      return 'unchanged';
    }
    deps.logger.info({ hpa: want.metadata?.name }, 'primary autoscaler created');
    return 'created';
  }
  const why = notControlledBy(canary, live);
  if (why !== undefined) throw new OwnershipError(HPA_REF, live, why);
  if (mode === 'create') return 'unchanged';
  const result = await patchOwned({
    raw: deps.raw,
    ref: HPA_REF,
    live,
    desired: {
      metadata: { labels: toJson(want.metadata?.labels ?? {}) },
      spec: replacing(live.spec, want.spec),
    },
    notOwnedBecause: (obj) => notControlledBy(canary, obj),
  });
  if (result.changed) deps.logger.info({ hpa: want.metadata?.name }, 'primary autoscaler updated');
  return result.changed ? 'patched' : 'unchanged';
}

/**
 * HPAs of ours that scale the primary, other than `keep`: left by an earlier spec.autoscalerRef
 * (removed, or naming another HPA). Two HPAs must never scale one Deployment.
 */
function ownedPrimaryHpas(deps: Pick<WorkloadDeps, 'caches'>, canary: Canary, keep?: string) {
  const primary = primaryName(canary.spec);
  return (deps.caches.autoscalers?.list(canary.metadata.namespace) ?? []).filter(
    (h) =>
      h.metadata?.name !== keep &&
      h.spec?.scaleTargetRef?.name === primary &&
      notControlledBy(canary, h) === undefined,
  );
}

async function deleteHpas(deps: WorkloadDeps, canary: Canary, hpas: readonly HpaJson[]) {
  for (const hpa of hpas) {
    const name = hpa.metadata?.name ?? '';
    try {
      await deps.raw.delete(objectPath(HPA_REF, canary.metadata.namespace, name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    deps.logger.info({ hpa: name }, 'primary autoscaler deleted');
  }
}

/** Deletes the primary's HPAs of ours (deletion, once the target serves again). */
export async function deletePrimaryHpa(deps: WorkloadDeps, canary: Canary): Promise<void> {
  await deleteHpas(deps, canary, ownedPrimaryHpas(deps, canary));
}

export const HPA_REF = BUILTIN.horizontalPodAutoscalers;

/** The `<name>-primary` HPA in the cache, when the Canary has spec.autoscalerRef. */
export function livePrimaryHpa(
  deps: Pick<WorkloadDeps, 'caches'>,
  canary: Canary,
): HpaJson | undefined {
  const ref = canary.spec.autoscalerRef;
  if (ref === undefined) return undefined;
  return deps.caches.autoscalers?.getByName(canary.metadata.namespace, primaryHpaName(ref));
}

/**
 * The primary's readiness bar: its own replica count, and not below its HPA's minReplicas (after a
 * promotion raised them, the HPA scales the primary up only at its next sync).
 */
export function primaryReplicaFloor(primary: DeploymentJson, hpa: HpaJson | undefined): number {
  return Math.max(primary.spec?.replicas ?? 1, hpa?.spec?.minReplicas ?? 0);
}

/** A ready primary with fewer replicas than its HPA's minReplicas is still pending. */
export function withAutoscalerFloor(
  readiness: Readiness,
  primary: DeploymentJson,
  hpa: HpaJson | undefined,
): Readiness {
  if (readiness.state !== 'ready') return readiness;
  const floor = primaryReplicaFloor(primary, hpa);
  const available = primary.status?.availableReplicas ?? 0;
  if (available >= floor) return readiness;
  return {
    state: 'pending',
    message:
      `${primary.metadata?.name ?? ''}: ${available} of ${floor} replicas available ` +
      `(minReplicas of HorizontalPodAutoscaler ${hpa?.metadata?.name ?? ''})`,
  };
}
