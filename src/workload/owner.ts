// Ownership marks on the objects weightlifter creates: a controller owner reference to the Canary
// (so Kubernetes GC removes them with it, and so we can tell ours from a user's) and two labels.
import type { Canary } from '../api/canary.js';
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../api/constants.js';
import type { KubeObject, OwnerReference } from '../kube/object-key.js';
import { WorkloadSpecError } from './errors.js';

export function canaryOwnerRef(canary: Canary): OwnerReference {
  const { name, uid } = canary.metadata;
  if (name === undefined || uid === undefined) {
    // Only a Canary read from the API server can own anything: GC needs the uid.
    throw new WorkloadSpecError('invalidSpec', 'Canary has no metadata.name/uid', {
      details: { name },
    });
  }
  return {
    apiVersion: API_VERSION,
    kind: KINDS.canary,
    name,
    uid,
    controller: true,
    // Foreground deletion of the Canary waits for its children; needs canaries/finalizers RBAC.
    blockOwnerDeletion: true,
  };
}

export function managedLabels(canary: Canary): Record<string, string> {
  return { [LABELS.canary]: canary.metadata.name ?? '', [LABELS.managedBy]: MANAGED_BY };
}

/** Why `obj` is not controlled by `canary`, or undefined when it is. */
export function notControlledBy(canary: Canary, obj: KubeObject): string | undefined {
  const refs = obj.metadata?.ownerReferences ?? [];
  const controller = refs.find((r) => r.controller === true);
  if (controller === undefined) return 'it has no controller owner reference';
  if (controller.uid === canary.metadata.uid) return undefined;
  return `it is controlled by ${controller.kind} ${controller.name} (uid ${controller.uid})`;
}

/** True when some Canary (any) holds an owner reference on `obj`. */
export function ownedByAnyCanary(obj: KubeObject): boolean {
  return (obj.metadata?.ownerReferences ?? []).some(
    (r) => r.kind === KINDS.canary && r.apiVersion.startsWith('weightlifter.io/'),
  );
}

// Metadata that makes a GitOps tool treat a copy as its own: Flux's ownership labels
// (kustomize.toolkit.fluxcd.io/name, ...) would make Flux prune or revert the primary, Argo CD's
// tracking annotation would show it as an orphaned part of the app, and last-applied-configuration
// would make `kubectl apply` diffs of the copy meaningless.
const FOREIGN_KEY_PARTS = ['toolkit.fluxcd.io', 'argocd.argoproj.io/'] as const;
const FOREIGN_KEYS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

export function withoutForeignKeys(
  map: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    if (FOREIGN_KEYS.has(k) || FOREIGN_KEY_PARTS.some((p) => k.includes(p))) continue;
    out[k] = v;
  }
  return out;
}
