// Every informer the canary controller reads, over its namespace scope. Reconciles read only
// these caches (never live GETs); writes go through the raw client.
import type { Logger } from 'pino';
import type { AnalysisTemplateSpec } from '../api/analysis-template.js';
import type { CanarySpec, CanaryStatus } from '../api/canary.js';
import {
  ANALYSIS_TEMPLATE_REF,
  CANARY_REF,
  CLUSTER_ANALYSIS_TEMPLATE_REF,
} from '../api/resources.js';
import { serviceNames } from '../api/defaults.js';
import type { TrafficSplitVersion } from '../api/smi.js';
import { Informer, type InformerMetricsSink } from '../kube/informer.js';
import type { IndexFunc } from '../kube/informer-store.js';
import { createListerWatcher } from '../kube/lister-watcher.js';
import type { KubeObject } from '../kube/object-key.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { BUILTIN, type ResourceRef } from '../kube/resources.js';
import type { EndpointSliceJson } from '../routing/endpoints.js';
import { splitRef, type LiveSplit } from '../routing/traffic-split.js';
import type {
  ConfigJson,
  DeploymentJson,
  ServiceJson,
  WorkloadCaches,
} from '../workload/k8s-types.js';
import {
  PROMOTED_TEMPLATE_SELECTOR,
  type ControllerRevisionJson,
} from '../workload/promoted-template.js';
import { ScopedCache } from '../runtime/scoped-cache.js';

/** A Canary as the informer holds it: plain JSON (timestamps are strings). */
export interface CanaryJson extends KubeObject {
  spec: CanarySpec;
  status?: CanaryStatus;
}

export interface TemplateJson extends KubeObject {
  spec: AnalysisTemplateSpec;
}

export { ANALYSIS_TEMPLATE_REF, CANARY_REF, CLUSTER_ANALYSIS_TEMPLATE_REF };

/** Canary indexes: which Canaries a dependent object's event concerns, without scanning. */
export const CANARY_INDEX = { byTarget: 'byTarget', byService: 'byService' } as const;

const nsOf = (o: KubeObject): string => o.metadata?.namespace ?? '';

const CANARY_INDEXERS: Record<string, IndexFunc<CanaryJson>> = {
  [CANARY_INDEX.byTarget]: (c) => [`${nsOf(c)}/${c.spec.targetRef.name}`],
  [CANARY_INDEX.byService]: (c) => [`${nsOf(c)}/${serviceNames(c.spec).apex}`],
};

export interface ControllerCaches extends WorkloadCaches {
  readonly canaries: ScopedCache<CanaryJson>;
  readonly deployments: ScopedCache<DeploymentJson>;
  readonly services: ScopedCache<ServiceJson>;
  readonly configMaps: ScopedCache<ConfigJson>;
  readonly secrets: ScopedCache<ConfigJson>;
  readonly splits: ScopedCache<LiveSplit>;
  /** undefined when the endpoint gate is off. */
  readonly slices: ScopedCache<EndpointSliceJson> | undefined;
  readonly templates: ScopedCache<TemplateJson>;
  /** Stored promoted templates: only ControllerRevisions carrying our label (selector). */
  readonly promoted: ScopedCache<ControllerRevisionJson>;
  readonly clusterTemplates: ScopedCache<TemplateJson>;
  /** Secrets of the controller's namespace (ClusterAnalysisTemplate credentials). */
  readonly controllerSecrets: ScopedCache<ConfigJson>;
  /** Every cache, for start/stop and readiness. */
  readonly all: readonly ScopedCache<KubeObject>[];
}

export interface CachesOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  readonly namespaces: 'all' | readonly string[];
  readonly controllerNamespace: string;
  /** The TrafficSplit version to watch (any served one: conversion is None); undefined = none. */
  readonly splitVersion: TrafficSplitVersion | undefined;
  readonly endpointGate: boolean;
  readonly metrics?: InformerMetricsSink;
}

export function createCaches(opts: CachesOptions): ControllerCaches {
  const scoped = <T extends KubeObject>(
    ref: ResourceRef,
    namespaces: 'all' | readonly string[],
    indexers?: Record<string, IndexFunc<T>>,
    labelSelector?: string,
  ): ScopedCache<T> => {
    const targets = namespaces === 'all' || !ref.namespaced ? [''] : namespaces;
    const informers = new Map<string, Informer<T>>();
    for (const ns of targets) {
      const name = ns === '' ? ref.plural : `${ref.plural}/${ns}`;
      informers.set(
        ns,
        new Informer<T>({
          name,
          listerWatcher: createListerWatcher<T>(opts.raw, ref, {
            namespace: ns === '' ? undefined : ns,
            labelSelector,
          }),
          logger: opts.logger,
          ...(indexers === undefined ? {} : { indexers }),
          ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
        }),
      );
    }
    return new ScopedCache<T>(ref.plural, informers);
  };
  const scope = opts.namespaces;
  const secrets = scoped<ConfigJson>(BUILTIN.secrets, scope);
  const covered = scope === 'all' || scope.includes(opts.controllerNamespace);
  const controllerSecrets = covered
    ? secrets
    : scoped<ConfigJson>(BUILTIN.secrets, [opts.controllerNamespace]);
  const caches = {
    canaries: scoped<CanaryJson>(CANARY_REF, scope, CANARY_INDEXERS),
    deployments: scoped<DeploymentJson>(BUILTIN.deployments, scope),
    services: scoped<ServiceJson>(BUILTIN.services, scope),
    configMaps: scoped<ConfigJson>(BUILTIN.configMaps, scope),
    secrets,
    splits:
      opts.splitVersion === undefined
        ? ScopedCache.empty<LiveSplit>('trafficsplits')
        : scoped<LiveSplit>(splitRef(opts.splitVersion), scope),
    slices: opts.endpointGate
      ? scoped<EndpointSliceJson>(BUILTIN.endpointSlices, scope)
      : undefined,
    templates: scoped<TemplateJson>(ANALYSIS_TEMPLATE_REF, scope),
    promoted: scoped<ControllerRevisionJson>(
      BUILTIN.controllerRevisions,
      scope,
      undefined,
      PROMOTED_TEMPLATE_SELECTOR,
    ),
    clusterTemplates: scoped<TemplateJson>(CLUSTER_ANALYSIS_TEMPLATE_REF, 'all'),
    controllerSecrets,
  };
  const all: ScopedCache<KubeObject>[] = [
    caches.canaries,
    caches.deployments,
    caches.services,
    caches.configMaps,
    caches.secrets,
    caches.splits,
    caches.templates,
    caches.promoted,
    caches.clusterTemplates,
  ] as ScopedCache<KubeObject>[];
  if (caches.slices !== undefined) all.push(caches.slices);
  if (controllerSecrets !== secrets) all.push(controllerSecrets);
  return { ...caches, all };
}
