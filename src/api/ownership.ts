// weightlifter's marks on the objects it creates: a controller owner reference to the Canary and
// two labels. The mechanics (owner references, the controller check) are in kube/owner.ts.
import { ConditionedError } from '../kube/conditioned-error.js';
import type { KubeObject, OwnerReference } from '../kube/object-key.js';
import { controllerReference, hasOwnerOfKind } from '../kube/owner.js';
import type { Canary } from './canary.js';
import {
  API_VERSION,
  CONDITION_REASONS,
  GROUP,
  KINDS,
  LABELS,
  MANAGED_BY,
  type ConditionReason,
} from './constants.js';

export function canaryOwnerRef(canary: Canary): OwnerReference {
  const { name, uid } = canary.metadata;
  if (name === undefined || uid === undefined) {
    // Only a Canary read from the API server can own anything: GC needs the uid.
    throw new ConditionedError<ConditionReason>(
      'WL_INVALID_SPEC',
      CONDITION_REASONS.invalidSpec,
      'Canary has no metadata.name/uid',
      { details: { name } },
    );
  }
  return controllerReference({ apiVersion: API_VERSION, kind: KINDS.canary, name, uid });
}

/** Our labels on what we create: the Canary's name, managed-by, and the Canary's shard if any. */
export function managedLabels(canary: Canary): Record<string, string> {
  return {
    [LABELS.canary]: canary.metadata.name ?? '',
    [LABELS.managedBy]: MANAGED_BY,
    ...shardLabels(canary),
  };
}

/**
 * The Canary's `weightlifter.io/shard` label, or nothing: what keeps the objects we create in the
 * Canary's shard, so the replica that owns the Canary (--watch-label-selector) also sees them.
 */
export function shardLabels(canary: Canary): Record<string, string> {
  const shard = canary.metadata.labels?.[LABELS.shard];
  return shard === undefined ? {} : { [LABELS.shard]: shard };
}

/** The labels of a `-primary` config copy: no canary-name label (copies may be shared). */
export function copyLabels(canary: Canary): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, ...shardLabels(canary) };
}

/**
 * The labels we remove from an object we give back (taken over, or left to outlive the Canary):
 * our marks only. Its shard label stays: it had one to be seen by the shard, and it still belongs
 * there.
 */
export const RELEASED_LABELS: Readonly<Record<string, null>> = {
  [LABELS.canary]: null,
  [LABELS.managedBy]: null,
};

/** True when some Canary (any) holds an owner reference on `obj`. */
export function ownedByAnyCanary(obj: KubeObject): boolean {
  return hasOwnerOfKind(obj, GROUP, KINDS.canary);
}
