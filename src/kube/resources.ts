/** A resource type addressed by group/version/plural, the way the REST API addresses it. */
export interface ResourceRef {
  /** API group; '' for the core group (/api/v1). */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Kind, for objects we build (Events' `regarding`, owner references). */
  readonly kind: string;
}

export function apiVersionOf(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

function groupPrefix(ref: ResourceRef): string {
  return ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
}

/** Collection path; across all namespaces when `namespace` is undefined. */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  const ns =
    ref.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPrefix(ref)}${ns}/${ref.plural}`;
}

/** Object path, optionally a subresource such as 'status'. */
export function objectPath(
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  if (ref.namespaced && (namespace === undefined || namespace === '')) {
    throw new TypeError(`${ref.plural} is namespaced: a namespace is required for ${name}`);
  }
  const base = `${collectionPath(ref, namespace)}/${encodeURIComponent(name)}`;
  return subresource === undefined ? base : `${base}/${subresource}`;
}

const core = (plural: string, kind: string): ResourceRef => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced: true,
});

/** Built-in resources the controller uses. Custom ones (Canary, TrafficSplit) come from api/. */
export const BUILTIN = {
  configMaps: core('configmaps', 'ConfigMap'),
  secrets: core('secrets', 'Secret'),
  services: core('services', 'Service'),
  namespaces: { ...core('namespaces', 'Namespace'), namespaced: false },
  deployments: {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    namespaced: true,
  },
  controllerRevisions: {
    group: 'apps',
    version: 'v1',
    plural: 'controllerrevisions',
    kind: 'ControllerRevision',
    namespaced: true,
  },
  endpointSlices: {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
  },
  leases: {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    kind: 'Lease',
    namespaced: true,
  },
  horizontalPodAutoscalers: {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  events: {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceRef>;
