// What the adapter watches and writes, in the versions the cluster serves: TrafficSplits and
// HTTPRouteGroups in their newest served version (with conversion None every version returns the
// same stored objects), HTTPRoutes in v1 where served, else v1beta1.
import { GATEWAY_GROUP } from '../api/gateway-api.js';
import {
  HTTP_ROUTE_GROUP_PLURAL,
  SMI_SPECS_GROUP,
  SMI_SPLIT_GROUP,
  TRAFFIC_SPLIT_PLURAL,
} from '../api/smi.js';
import { isNotFound } from '../kube/errors.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import type { ResourceRef } from '../kube/resources.js';
import {
  fetchServedSplitVersions,
  servedSplitVersions,
  type ApiGroupDocument,
} from '../routing/discovery.js';
import { HttpRouteUnavailableError, TrafficSplitUnavailableError } from '../routing/errors.js';
import { fetchServedRouteVersion } from '../routing/gateway-discovery.js';
import { routeRef } from '../routing/http-route.js';

export interface AdapterResources {
  readonly splits: ResourceRef;
  /** undefined: the cluster serves no HTTPRouteGroup (a split with matches is refused). */
  readonly groups: ResourceRef | undefined;
  readonly routes: ResourceRef;
}

const ref = (group: string, version: string, plural: string, kind: string): ResourceRef => ({
  group,
  version,
  plural,
  kind,
  namespaced: true,
});

/** HTTPRouteGroup versions are named like TrafficSplit's; the newest served one. */
async function servedGroupVersion(raw: Pick<KubeRawClient, 'get'>): Promise<string | undefined> {
  try {
    const doc = await raw.get<ApiGroupDocument>(`/apis/${SMI_SPECS_GROUP}`);
    return servedSplitVersions(doc)[0];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Asks the API server once; throws when TrafficSplit or HTTPRoute is not served. */
export async function discoverResources(
  raw: Pick<KubeRawClient, 'get'>,
): Promise<AdapterResources> {
  const [splitVersions, groupVersion, routeVersion] = await Promise.all([
    fetchServedSplitVersions(raw),
    servedGroupVersion(raw),
    fetchServedRouteVersion(raw),
  ]);
  const [splitVersion] = splitVersions;
  if (splitVersion === undefined) {
    throw new TrafficSplitUnavailableError(
      `the cluster serves no TrafficSplit version: install the SMI TrafficSplit CRD (${SMI_SPLIT_GROUP})`,
      [],
    );
  }
  if (routeVersion === undefined) {
    throw new HttpRouteUnavailableError(
      `the cluster serves no HTTPRoute version: install the Gateway API CRDs (${GATEWAY_GROUP})`,
    );
  }
  return {
    splits: ref(SMI_SPLIT_GROUP, splitVersion, TRAFFIC_SPLIT_PLURAL, 'TrafficSplit'),
    groups:
      groupVersion === undefined
        ? undefined
        : ref(SMI_SPECS_GROUP, groupVersion, HTTP_ROUTE_GROUP_PLURAL, 'HTTPRouteGroup'),
    routes: routeRef(routeVersion),
  };
}
