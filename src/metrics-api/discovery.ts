// Discovery documents for metrics.smi-spec.io/v1alpha1. The aggregator reads the APIResourceList
// (legacy discovery: this server does not speak the aggregated apidiscovery.k8s.io format, so
// kube-apiserver falls back to GET /apis/<group>/<version>) and checks availability on it.
import { SMI_METRICS_GROUP, SMI_METRICS_VERSION } from '../metrics/traffic-metrics-api.js';
import { SERVED_RESOURCES, type ServedResource } from './routes.js';

const GROUP_VERSION = `${SMI_METRICS_GROUP}/${SMI_METRICS_VERSION}`;

export interface ApiResource {
  readonly name: string;
  readonly singularName: string;
  readonly namespaced: boolean;
  readonly kind: 'TrafficMetrics';
  readonly verbs: readonly string[];
}

function resources(resource: ServedResource): ApiResource[] {
  const namespaced = resource !== 'namespaces';
  // singularName stays empty: "deployment" would compete with apps/v1 in kubectl's resolution.
  const base = { singularName: '', namespaced, kind: 'TrafficMetrics' } as const;
  return [
    { name: resource, ...base, verbs: ['get', 'list'] },
    { name: `${resource}/edges`, ...base, verbs: ['get'] },
  ];
}

export function apiResourceList(): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: (Object.keys(SERVED_RESOURCES) as ServedResource[]).flatMap(resources),
  };
}

function groupBody(): object {
  const version = { groupVersion: GROUP_VERSION, version: SMI_METRICS_VERSION };
  return { name: SMI_METRICS_GROUP, versions: [version], preferredVersion: version };
}

export function apiGroup(): object {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupBody() };
}

export function apiGroupList(): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [groupBody()] };
}

/**
 * An OpenAPI v2 document without paths: kube-apiserver's OpenAPI aggregation accepts it (a 404
 * would be retried with error logs forever); the TrafficMetrics shapes are not described, since
 * nothing (kubectl explain, server-side apply) can use them for a read-only aggregated API.
 */
export function openApiV2(): object {
  return {
    swagger: '2.0',
    info: { title: 'weightlifter metrics-api', version: SMI_METRICS_VERSION },
    paths: {},
  };
}
