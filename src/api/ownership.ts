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

export function managedLabels(canary: Canary): Record<string, string> {
  return { [LABELS.canary]: canary.metadata.name ?? '', [LABELS.managedBy]: MANAGED_BY };
}

/** True when some Canary (any) holds an owner reference on `obj`. */
export function ownedByAnyCanary(obj: KubeObject): boolean {
  return hasOwnerOfKind(obj, GROUP, KINDS.canary);
}
