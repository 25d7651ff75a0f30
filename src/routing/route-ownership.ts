// Who may change an existing HTTPRoute named after the apex Service, as a pure decision (the
// apex Service's rule, src/workload/takeover.ts, applied to a route):
//   - a route this Canary controls (it created it: controller owner reference) is ours;
//   - a route someone else controls is never touched;
//   - a route nobody controls is taken over only when its author annotated it
//     `weightlifter.io/takeover: "true"`: then only our rule's backendRefs change (plus our labels
//     and a record of the backendRefs we replaced), no owner reference is added — GC must never
//     delete a user's route — and releasing the Canary puts the recorded backendRefs back.
import { isJsonObject, type Json } from '../kube/merge-patch.js';
import type { KubeObject } from '../kube/object-key.js';
import { notControlledBy } from '../kube/owner.js';

export const ROUTE_ANNOTATIONS = {
  /** `"true"` on a route weightlifter did not create: its author lets weightlifter take it over. */
  takeover: 'weightlifter.io/takeover',
  /** Written by us on a taken-over route: JSON RouteTakenOver, used to give it back. */
  takenOver: 'weightlifter.io/taken-over',
} as const;

/** Recorded on a taken-over route. */
export interface RouteTakenOver {
  readonly canary: string;
  /** The backendRefs of the rule we took; null: we added our rule, and remove it on release. */
  readonly backendRefs: Json[] | null;
}

/** A Canary as far as owning things goes (the informer's plain JSON will do). */
export interface CanaryIdentity {
  readonly metadata?:
    { readonly name?: string | undefined; readonly uid?: string | undefined } | undefined;
}

export type RouteOwnership =
  | { readonly kind: 'owned' }
  /** Taken over by this Canary (record present), or may be now (record undefined). */
  | { readonly kind: 'takenOver'; readonly record: RouteTakenOver | undefined }
  | { readonly kind: 'refused'; readonly why: string };

export function parseRouteTakenOver(value: string | undefined): RouteTakenOver | undefined {
  if (value === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // garbage: treated as no record
    throw err;
  }
  if (!isJsonObject(v) || typeof v['canary'] !== 'string') return undefined;
  const refs = v['backendRefs'];
  return { canary: v['canary'], backendRefs: Array.isArray(refs) ? refs : null };
}

export function routeOwnership(canary: CanaryIdentity, route: KubeObject): RouteOwnership {
  const notOwned = notControlledBy({ metadata: { uid: canary.metadata?.uid } }, route);
  if (notOwned === undefined) return { kind: 'owned' };
  const name = route.metadata?.name ?? '';
  if ((route.metadata?.ownerReferences ?? []).some((r) => r.controller === true)) {
    return { kind: 'refused', why: notOwned };
  }
  const annotations = route.metadata?.annotations ?? {};
  const record = parseRouteTakenOver(annotations[ROUTE_ANNOTATIONS.takenOver]);
  if (record !== undefined && record.canary !== canary.metadata?.name) {
    return { kind: 'refused', why: `HTTPRoute ${name} was taken over by Canary ${record.canary}` };
  }
  if (record !== undefined) return { kind: 'takenOver', record };
  if (annotations[ROUTE_ANNOTATIONS.takeover] === 'true') {
    return { kind: 'takenOver', record: undefined };
  }
  return {
    kind: 'refused',
    why:
      `HTTPRoute ${name} exists and was not created by weightlifter; annotate it with ` +
      `${ROUTE_ANNOTATIONS.takeover}="true" to let weightlifter route its apex rule`,
  };
}

/** Why this Canary may not change `route`, or undefined when it may (owned or taken over). */
export function routeNotOwnedBecause(
  canary: CanaryIdentity,
  route: KubeObject,
): string | undefined {
  const own = routeOwnership(canary, route);
  return own.kind === 'refused' ? own.why : undefined;
}
