// Which HTTPRoute version the cluster serves: API discovery of each known version of
// gateway.networking.k8s.io, newest first, counting a version only when it lists httproutes (a
// cluster may serve the group for Gateways alone). v1 where served; v1beta1 where only it is.
import {
  GATEWAY_GROUP,
  HTTP_ROUTE_PLURAL,
  HTTP_ROUTE_VERSIONS,
  type HttpRouteVersion,
} from '../api/gateway-api.js';
import { isNotFound } from '../kube/errors.js';
import type { KubeRawClient } from '../kube/raw-client.js';

/** meta/v1 APIResourceList, as GET /apis/<group>/<version> returns it. */
export interface ApiResourceListDocument {
  readonly resources?: readonly { readonly name?: string }[];
}

/** Whether a version's resource list holds HTTPRoute. */
export function listsHttpRoutes(doc: ApiResourceListDocument): boolean {
  return (doc.resources ?? []).some((r) => r.name === HTTP_ROUTE_PLURAL);
}

/** The newest served HTTPRoute version; undefined when none is. */
export async function fetchServedRouteVersion(
  raw: Pick<KubeRawClient, 'get'>,
): Promise<HttpRouteVersion | undefined> {
  for (const version of HTTP_ROUTE_VERSIONS) {
    try {
      const doc = await raw.get<ApiResourceListDocument>(`/apis/${GATEWAY_GROUP}/${version}`);
      if (listsHttpRoutes(doc)) return version;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return undefined;
}
