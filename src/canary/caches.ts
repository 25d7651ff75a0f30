// Every informer the canary controller reads, over its namespace scope. Reconciles read only
// these caches (never live GETs); writes go through the raw client.
import type { Logger } from 'pino';
import type { TemplateJson } from '../analysis/template-refs.js';
import type { CanarySpec, CanaryStatus } from '../api/canary.js';
import {
  ANALYSIS_TEMPLATE_REF,
  CANARY_REF,
  CLUSTER_ANALYSIS_TEMPLATE_REF,
} from '../api/resources.js';
import { serviceNames } from '../api/defaults.js';
import { Informer, type InformerMetricsSink } from '../kube/informer.js';
import type { IndexFunc } from '../kube/informer-store.js';
import { createListerWatcher, createNamedListerWatcher } from '../kube/lister-watcher.js';
import type { KubeObject } from '../kube/object-key.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { BUILTIN, type ResourceRef } from '../kube/resources.js';
import type { EndpointSliceJson } from '../routing/endpoints.js';
import type { Router } from '../routing/types.js';
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
import type { HpaJson } from '../workload/k8s-types.js';
import { NamedCache, type NamedCacheMetricsSink } from '../runtime/named-cache.js';
import { ScopedCache } from '../runtime/scoped-cache.js';
import { keepLastWriteTime } from '../kube/write-time.js';
import { RoutedCaches, routedKey, routedObjects } from './routed-caches.js';

/** A Canary as the informer holds it: plain JSON (timestamps are strings). */
export interface CanaryJson extends KubeObject {
  spec: CanarySpec;
  status?: CanaryStatus;
}

export type { TemplateJson };

export { ANALYSIS_TEMPLATE_REF, CANARY_REF, CLUSTER_ANALYSIS_TEMPLATE_REF };

/** Canary indexes: which Canaries a dependent object's event concerns, without scanning. */
export const CANARY_INDEX = {
  byTarget: 'byTarget',
  byService: 'byService',
  /** The objects the routers write for the Canary (routedKey). */
  byRouted: 'byRouted',
} as const;

const nsOf = (o: KubeObject): string => o.metadata?.namespace ?? '';

export function canaryIndexers(routers: readonly Router[]): Record<string, IndexFunc<CanaryJson>> {
  return {
    [CANARY_INDEX.byTarget]: (c) => [`${nsOf(c)}/${c.spec.targetRef.name}`],
    [CANARY_INDEX.byService]: (c) => [`${nsOf(c)}/${serviceNames(c.spec).apex}`],
    [CANARY_INDEX.byRouted]: (c) =>
      routedObjects(routers, c).map((o) => routedKey(o.ref, nsOf(c), o.name)),
  };
}

/**
 * The kinds whose cached copies a reconcile reads and checks against our last write of them
 * (runtime/write-tracker.ts): the Canary, Deployments, Services, and the routers' resources.
 */
export function trackedResources(routers: readonly Router[]): ResourceRef[] {
  return [
    CANARY_REF,
    BUILTIN.deployments,
    BUILTIN.services,
    ...routers.flatMap((r) => r.resources()),
  ];
}

export type CacheLifecycle = Pick<ScopedCache<KubeObject>, 'name' | 'start' | 'stop' | 'hasSynced'>;

export interface ControllerCaches extends WorkloadCaches {
  readonly canaries: ScopedCache<CanaryJson>;
  readonly deployments: ScopedCache<DeploymentJson>;
  readonly services: ScopedCache<ServiceJson>;
  readonly configMaps: ScopedCache<ConfigJson>;
  /**
   * Only the Secrets the Canaries reference (canary/secret-refs.ts), each read and watched by
   * name; a reconcile holds its Canary's before reading them. Never a list or a collection watch:
   * the other Secrets of the cluster are never read.
   */
  readonly secrets: NamedCache<ConfigJson>;
  /** The routers' resources (the route objects they write), one cache each. */
  readonly routed: RoutedCaches;
  /** undefined when the endpoint gate is off. */
  readonly slices: ScopedCache<EndpointSliceJson> | undefined;
  readonly templates: ScopedCache<TemplateJson>;
  /** HorizontalPodAutoscalers: the targets' (spec.autoscalerRef) and their -primary copies. */
  readonly autoscalers: ScopedCache<HpaJson>;
  /** Stored promoted templates: only ControllerRevisions carrying our label (selector). */
  readonly promoted: ScopedCache<ControllerRevisionJson>;
  readonly clusterTemplates: ScopedCache<TemplateJson>;
  /** Every cache, for start/stop. */
  readonly all: readonly CacheLifecycle[];
}

export interface CachesOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  readonly namespaces: 'all' | readonly string[];
  readonly controllerNamespace: string;
  /** Their resources are watched; their objectsOf() index the Canaries. */
  readonly routers: readonly Router[];
  readonly endpointGate: boolean;
  readonly metrics?: InformerMetricsSink & NamedCacheMetricsSink;
  /**
   * This replica's shard (--watch-label-selector): every namespaced cache lists and watches only
   * the objects it selects. ClusterAnalysisTemplates are shared by every shard and cached whole;
   * Secrets are read by name (NamedCache), so they need no shard label.
   */
  readonly shardSelector?: string | undefined;
}

export function createCaches(opts: CachesOptions): ControllerCaches {
  const shard = opts.shardSelector;
  const scoped = <T extends KubeObject>(
    ref: ResourceRef,
    namespaces: 'all' | readonly string[],
    indexers?: Record<string, IndexFunc<T>>,
    /** Default: the shard's selector; '' for none. */
    labelSelector: string | undefined = shard,
    transform?: (obj: T) => T,
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
            labelSelector: labelSelector === '' ? undefined : labelSelector,
          }),
          logger: opts.logger,
          ...(indexers === undefined ? {} : { indexers }),
          ...(transform === undefined ? {} : { transform }),
          ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
        }),
      );
    }
    return new ScopedCache<T>(ref.plural, informers);
  };
  const scope = opts.namespaces;
  const m = opts.metrics;
  // One series for all of them: their relists and watch errors, not one per Secret name (a
  // Secret's sync is its reconcile's wait, not the controller's readiness).
  const perName: InformerMetricsSink | undefined = m && {
    incRelist: (_informer, reason) => {
      m.incRelist(BUILTIN.secrets.plural, reason);
    },
    incWatchError: () => {
      m.incWatchError(BUILTIN.secrets.plural);
    },
    setSynced: () => undefined,
  };
  const secrets = new NamedCache<ConfigJson>({
    name: BUILTIN.secrets.plural,
    informerFor: (namespace, name) =>
      new Informer<ConfigJson>({
        name: `${BUILTIN.secrets.plural}/${namespace}/${name}`,
        listerWatcher: createNamedListerWatcher(opts.raw, BUILTIN.secrets, namespace, name),
        logger: opts.logger,
        ...(perName === undefined ? {} : { metrics: perName }),
      }),
    ...(m === undefined ? {} : { metrics: m }),
  });
  const caches = {
    canaries: scoped<CanaryJson>(CANARY_REF, scope, canaryIndexers(opts.routers)),
    deployments: scoped<DeploymentJson>(BUILTIN.deployments, scope),
    services: scoped<ServiceJson>(BUILTIN.services, scope),
    configMaps: scoped<ConfigJson>(BUILTIN.configMaps, scope),
    secrets,
    // A route object's last write time tells the engine when its weights may have changed
    // (Observed.routesWrittenAt), so the rest of its managedFields is all the cache drops.
    routed: new RoutedCaches(opts.routers, (ref) =>
      scoped<KubeObject>(ref, scope, undefined, undefined, keepLastWriteTime),
    ),
    slices: opts.endpointGate
      ? scoped<EndpointSliceJson>(BUILTIN.endpointSlices, scope)
      : undefined,
    templates: scoped<TemplateJson>(ANALYSIS_TEMPLATE_REF, scope),
    autoscalers: scoped<HpaJson>(BUILTIN.horizontalPodAutoscalers, scope),
    promoted: scoped<ControllerRevisionJson>(
      BUILTIN.controllerRevisions,
      scope,
      undefined,
      shard === undefined ? PROMOTED_TEMPLATE_SELECTOR : `${PROMOTED_TEMPLATE_SELECTOR},${shard}`,
    ),
    clusterTemplates: scoped<TemplateJson>(CLUSTER_ANALYSIS_TEMPLATE_REF, 'all', undefined, ''),
  };
  const all: CacheLifecycle[] = [
    caches.canaries,
    caches.deployments,
    caches.services,
    caches.configMaps,
    caches.secrets,
    caches.templates,
    caches.autoscalers,
    caches.promoted,
    caches.clusterTemplates,
  ];
  all.push(...caches.routed.all().map((c) => c.cache));
  if (caches.slices !== undefined) all.push(caches.slices);
  return { ...caches, all };
}
