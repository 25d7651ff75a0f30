// Whether the mesh (or Gateway) applies the weights an HTTPRoute carries, read from the route's
// status.parents[]: one entry per parent and controller, each with conditions stamped with the
// route generation they describe. A weight counts as applied only when, for every parent of ours,
// an entry says Accepted=True about the current generation and none says ResolvedRefs=False.
// Entries about other parents (a Gateway the route is also attached to, another mesh's view of
// another Service) say nothing about ours. Pure; gateway-router.ts reads it from the cache.
import type { ParentRef } from '../api/canary.js';
import { GATEWAY_GROUP } from '../api/gateway-api.js';
import { isJsonObject, type JsonObject } from '../kube/merge-patch.js';
import type { LiveRoute } from './http-route.js';

export type RouteAcceptance =
  | { readonly state: 'accepted' }
  /** Not (yet) about the current generation, or no entry for our parent: wait. */
  | { readonly state: 'pending'; readonly reason: string; readonly message: string }
  /** The parent's controller refused the current generation: its own reason and message. */
  | { readonly state: 'rejected'; readonly reason: string; readonly message: string };

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number | undefined;
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

function conditionsOf(entry: JsonObject): Condition[] {
  const list = entry['conditions'];
  if (!Array.isArray(list)) return [];
  return list.filter(isJsonObject).map((c) => ({
    type: str(c['type']),
    status: str(c['status']),
    reason: str(c['reason']),
    message: str(c['message']),
    observedGeneration:
      typeof c['observedGeneration'] === 'number' ? c['observedGeneration'] : undefined,
  }));
}

/**
 * Whether a status entry's parentRef names `ours`, with the API's defaults (group
 * gateway.networking.k8s.io, kind Gateway, the route's namespace) applied to both sides.
 */
export function sameParent(entryRef: unknown, ours: ParentRef, routeNamespace: string): boolean {
  if (!isJsonObject(entryRef)) return false;
  const norm = (r: Readonly<Record<string, unknown>>): string =>
    JSON.stringify([
      str(r['group'], GATEWAY_GROUP),
      str(r['kind'], 'Gateway'),
      str(r['namespace'], routeNamespace),
      str(r['name']),
      str(r['sectionName']),
      typeof r['port'] === 'number' ? r['port'] : null,
    ]);
  return norm(entryRef) === norm({ ...ours });
}

const describeParent = (p: ParentRef): string =>
  `${p.kind ?? 'Gateway'} ${p.namespace === undefined ? '' : `${p.namespace}/`}${p.name}` +
  (p.sectionName === undefined ? '' : ` section ${p.sectionName}`) +
  (p.port === undefined ? '' : ` port ${p.port}`);

/**
 * The acceptance of the route by one parent. `controllerName`, when given, counts only that
 * controller's entries (the mesh's); otherwise any controller's entry for the parent counts.
 */
export function parentAcceptance(
  route: LiveRoute,
  parent: ParentRef,
  controllerName?: string,
): RouteAcceptance {
  const generation = route.metadata?.generation;
  const namespace = route.metadata?.namespace ?? '';
  const parents = Array.isArray(route.status?.parents) ? route.status.parents : [];
  const entries = parents
    .filter(isJsonObject)
    .filter((e) => sameParent(e['parentRef'], parent, namespace))
    .filter((e) => controllerName === undefined || e['controllerName'] === controllerName);
  const who = describeParent(parent);
  if (entries.length === 0) {
    return {
      state: 'pending',
      reason: 'NoParentStatus',
      message: `${who} has not reported on the route`,
    };
  }
  const current = (c: Condition): boolean =>
    generation === undefined ||
    (c.observedGeneration !== undefined && c.observedGeneration >= generation);
  const verdicts = entries.map((entry): RouteAcceptance => {
    const by = str(entry['controllerName'], 'its controller');
    const conditions = conditionsOf(entry).filter(current);
    const accepted = conditions.find((c) => c.type === 'Accepted');
    const resolved = conditions.find((c) => c.type === 'ResolvedRefs');
    const refused =
      accepted?.status === 'False' ? accepted : resolved?.status === 'False' ? resolved : undefined;
    if (refused !== undefined) {
      return {
        state: 'rejected',
        reason: refused.reason === '' ? refused.type : refused.reason,
        message: `${who} (${by}) ${refused.type}=False: ${refused.message}`,
      };
    }
    if (accepted?.status === 'True') return { state: 'accepted' };
    return {
      state: 'pending',
      reason: 'AcceptancePending',
      message: `${who} (${by}) has not accepted generation ${generation ?? '?'} of the route yet`,
    };
  });
  // One controller refusing is enough to miss the weights; one accepting is needed.
  return (
    verdicts.find((v) => v.state === 'rejected') ??
    verdicts.find((v) => v.state === 'accepted') ??
    verdicts[0] ?? { state: 'pending', reason: 'NoParentStatus', message: who }
  );
}

/** The route's acceptance by all of `parents`: the first rejection, else the first wait. */
export function routeAcceptance(
  route: LiveRoute,
  parents: readonly ParentRef[],
  controllerName?: string,
): RouteAcceptance {
  if (parents.length === 0) {
    return { state: 'pending', reason: 'NoParent', message: 'the route has no parentRefs' };
  }
  let pending: RouteAcceptance | undefined;
  for (const parent of parents) {
    const a = parentAcceptance(route, parent, controllerName);
    if (a.state === 'rejected') return a;
    if (a.state === 'pending') pending ??= a;
  }
  return pending ?? { state: 'accepted' };
}
