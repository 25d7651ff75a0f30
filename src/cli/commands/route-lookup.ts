// Which routing APIs the cluster serves and which route object a Canary routes through, for the
// CLI: `status` names the object (TrafficSplit/<name> or HTTPRoute/<name>), `validate` says what
// provider `auto` would pick. The same discovery and ownership rules as the controller's routers
// (a TrafficSplit the Canary controls; an HTTPRoute it controls or took over).
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import type { HttpRouteVersion } from '../../api/gateway-api.js';
import type { TrafficSplitVersion } from '../../api/smi.js';
import { isNotFound } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/object-key.js';
import { notControlledBy } from '../../kube/owner.js';
import type { KubeRawClient } from '../../kube/raw-client.js';
import { objectPath, type ResourceRef } from '../../kube/resources.js';
import { fetchServedSplitVersions } from '../../routing/discovery.js';
import { fetchServedRouteVersion } from '../../routing/gateway-discovery.js';
import { routeRef } from '../../routing/http-route.js';
import { routeNotOwnedBecause } from '../../routing/route-ownership.js';
import { splitRef } from '../../routing/traffic-split.js';
import type { RouteObjectRef } from '../render/summary.js';

/** The newest served version of each routing API; undefined where it is not served. */
export interface ServedRoutingApis {
  readonly trafficSplit: TrafficSplitVersion | undefined;
  readonly httpRoute: HttpRouteVersion | undefined;
}

export async function servedRoutingApis(
  raw: Pick<KubeRawClient, 'get'>,
): Promise<ServedRoutingApis> {
  const [splits, httpRoute] = await Promise.all([
    fetchServedSplitVersions(raw),
    fetchServedRouteVersion(raw),
  ]);
  return { trafficSplit: splits[0], httpRoute };
}

async function getIfFound(raw: KubeRawClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await raw.get<KubeObject>(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The route objects of `canary` (named after its apex Service), of each served API: usually one;
 * two while the Canary moves from one provider to the other. [] before the first route is made.
 */
export async function canaryRouteObjects(
  raw: KubeRawClient,
  canary: Canary,
  served: ServedRoutingApis,
): Promise<RouteObjectRef[]> {
  const namespace = canary.metadata.namespace ?? 'default';
  const name = serviceNames(canary.spec).apex;
  const candidates: [RouteObjectRef['kind'], ResourceRef, (o: KubeObject) => boolean][] = [];
  if (served.trafficSplit !== undefined) {
    candidates.push([
      'TrafficSplit',
      splitRef(served.trafficSplit),
      (o) => notControlledBy(canary, o) === undefined,
    ]);
  }
  if (served.httpRoute !== undefined) {
    candidates.push([
      'HTTPRoute',
      routeRef(served.httpRoute),
      (o) => routeNotOwnedBecause(canary, o) === undefined,
    ]);
  }
  const found: RouteObjectRef[] = [];
  for (const [kind, ref, ours] of candidates) {
    const obj = await getIfFound(raw, objectPath(ref, namespace, name));
    if (obj !== undefined && ours(obj)) found.push({ kind, name });
  }
  return found;
}
