import { PatchStrategy } from './http-constants.js';
import { WeightlifterError } from '../errors/catalogue.js';
import { computeMergePatch, type JsonObject } from './merge-patch.js';
import type { KubeObject } from './object-key.js';
import type { KubeRawClient } from './raw-client.js';
import { objectPath, type ResourceRef } from './resources.js';

/** Thrown instead of modifying an object weightlifter does not own. */
export class OwnershipError extends WeightlifterError {
  constructor(ref: ResourceRef, obj: KubeObject, why: string) {
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name ?? '';
    super(
      'WL_NOT_OWNED',
      `${ref.kind} ${ns === undefined ? '' : `${ns}/`}${name} is not ours: ${why}`,
      {
        details: { kind: ref.kind, namespace: ns, name },
      },
    );
  }
}

/** True when `obj` has a controller owner reference to the object with `ownerUid`. */
export function isControlledBy(obj: KubeObject, ownerUid: string): boolean {
  return (obj.metadata?.ownerReferences ?? []).some(
    (r) => r.controller === true && r.uid === ownerUid,
  );
}

export interface PatchOwnedOptions<T extends KubeObject> {
  readonly raw: KubeRawClient;
  readonly ref: ResourceRef;
  /** The object as last seen (normally from the informer cache). */
  readonly live: T;
  /** Desired values of the fields we own; other fields are left alone. */
  readonly desired: JsonObject;
  /** Ownership check on `live`; returns a reason when not owned, undefined when owned. */
  readonly notOwnedBecause: (live: T) => string | undefined;
  /**
   * Send live's resourceVersion as a precondition, so a decision taken on a stale cache fails
   * with 409 (the caller requeues) instead of overwriting a newer object. @default true
   */
  readonly precondition?: boolean;
}

export interface PatchOwnedResult<T> {
  readonly changed: boolean;
  readonly object: T;
  /** The merge patch sent, when one was. */
  readonly patch?: JsonObject;
}

/**
 * Diff-then-patch (Argo Rollouts' pattern): refuse when the ownership check fails, compute the
 * merge patch of `desired` against `live`, and send it only when non-empty — so a converged
 * object costs no request at all.
 */
export async function patchOwned<T extends KubeObject>(
  opts: PatchOwnedOptions<T>,
): Promise<PatchOwnedResult<T>> {
  const why = opts.notOwnedBecause(opts.live);
  if (why !== undefined) throw new OwnershipError(opts.ref, opts.live, why);
  const diff = computeMergePatch(opts.live, opts.desired);
  if (diff === undefined) return { changed: false, object: opts.live };
  const rv = opts.live.metadata?.resourceVersion;
  const patch =
    opts.precondition === false || rv === undefined ? diff : withResourceVersion(diff, rv);
  const { namespace, name = '' } = opts.live.metadata ?? {};
  const object = await opts.raw.patch<T>(
    objectPath(opts.ref, namespace, name),
    patch,
    PatchStrategy.MergePatch,
  );
  return { changed: true, object, patch };
}

/** Adds metadata.resourceVersion to a merge patch: the server rejects it with 409 if stale. */
export function withResourceVersion(patch: JsonObject, resourceVersion: string): JsonObject {
  const meta = patch['metadata'];
  const metadata = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta : {};
  return { ...patch, metadata: { ...metadata, resourceVersion } };
}
