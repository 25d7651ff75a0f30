// Ownership marks on the objects a controller creates: a controller owner reference (so
// Kubernetes GC removes them with their owner, and so we can tell ours from a user's), and the
// metadata a copy must not inherit. What weightlifter's own marks are (the Canary as owner, its
// labels) is in api/ownership.ts.
import type { KubeObject, OwnerReference } from './object-key.js';

/** An owner as read from the API server: GC needs its uid. */
export interface Owner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

export function controllerReference(owner: Owner): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    // Foreground deletion of the owner waits for its children; needs <owner>/finalizers RBAC.
    blockOwnerDeletion: true,
  };
}

/** Why `obj` is not controlled by `owner`, or undefined when it is. */
export function notControlledBy(
  owner: { readonly metadata?: { readonly uid?: string | undefined } },
  obj: KubeObject,
): string | undefined {
  const refs = obj.metadata?.ownerReferences ?? [];
  const controller = refs.find((r) => r.controller === true);
  if (controller === undefined) return 'it has no controller owner reference';
  if (controller.uid === owner.metadata?.uid) return undefined;
  return `it is controlled by ${controller.kind} ${controller.name} (uid ${controller.uid})`;
}

/** True when `obj` has an owner reference (controller or not) to a `kind` of API group `group`. */
export function hasOwnerOfKind(obj: KubeObject, group: string, kind: string): boolean {
  return (obj.metadata?.ownerReferences ?? []).some(
    (r) => r.kind === kind && r.apiVersion.startsWith(`${group}/`),
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
