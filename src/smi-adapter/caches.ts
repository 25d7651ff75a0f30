// The adapter's informers over its namespace scope, and how their events map to TrafficSplit keys:
// a split is its own key; an HTTPRoute wakes the split of its name; a Service the splits whose root
// it is; an HTTPRouteGroup the splits whose matches name it.
import type { Logger } from 'pino';
import type { KeySource } from '../canary/controller.js';
import { keysFrom, ownKeys } from '../canary/controller.js';
import { Informer, type InformerMetricsSink } from '../kube/informer.js';
import type { IndexFunc } from '../kube/informer-store.js';
import { isJsonObject } from '../kube/merge-patch.js';
import { createListerWatcher } from '../kube/lister-watcher.js';
import { keyOf, type KubeObject } from '../kube/object-key.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { BUILTIN, type ResourceRef } from '../kube/resources.js';
import { ScopedCache } from '../runtime/scoped-cache.js';
import type { LiveRoute } from '../routing/http-route.js';
import type { AdapterCaches } from './reconciler.js';
import type { AdapterResources } from './resources.js';
import type { RouteGroupJson } from './route-group.js';
import type { ServicePortsJson, SplitJson } from './translate.js';

const BY_ROOT = 'byRootService';
const BY_GROUP = 'byRouteGroup';

const nsOf = (o: KubeObject): string => o.metadata?.namespace ?? '';

const splitIndexers: Record<string, IndexFunc<SplitJson>> = {
  [BY_ROOT]: (s) => (typeof s.spec?.service === 'string' ? [`${nsOf(s)}/${s.spec.service}`] : []),
  [BY_GROUP]: (s) =>
    (Array.isArray(s.spec?.matches) ? s.spec.matches : [])
      .filter(isJsonObject)
      .flatMap((m) => (typeof m['name'] === 'string' ? [`${nsOf(s)}/${m['name']}`] : [])),
};

export interface AdapterInformers extends AdapterCaches {
  readonly splits: ScopedCache<SplitJson>;
  readonly all: readonly ScopedCache<KubeObject>[];
  readonly sources: readonly KeySource[];
}

export function createAdapterCaches(opts: {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  readonly resources: AdapterResources;
  readonly namespaces: 'all' | readonly string[];
  readonly metrics?: InformerMetricsSink;
}): AdapterInformers {
  const scoped = <T extends KubeObject>(
    ref: ResourceRef,
    indexers?: Record<string, IndexFunc<T>>,
  ): ScopedCache<T> => {
    const targets = opts.namespaces === 'all' ? [''] : opts.namespaces;
    const informers = new Map<string, Informer<T>>();
    for (const ns of targets) {
      informers.set(
        ns,
        new Informer<T>({
          name: ns === '' ? ref.plural : `${ref.plural}/${ns}`,
          listerWatcher: createListerWatcher<T>(opts.raw, ref, {
            namespace: ns === '' ? undefined : ns,
          }),
          logger: opts.logger,
          ...(indexers === undefined ? {} : { indexers }),
          ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
        }),
      );
    }
    return new ScopedCache<T>(ref.plural, informers);
  };
  const { resources } = opts;
  const splits = scoped<SplitJson>(resources.splits, splitIndexers);
  const routes = scoped<LiveRoute>(resources.routes);
  const services = scoped<ServicePortsJson>(BUILTIN.services);
  const groups =
    resources.groups === undefined
      ? ScopedCache.empty<RouteGroupJson>('httproutegroups')
      : scoped<RouteGroupJson>(resources.groups);
  const splitKeys = (index: string) => (e: { obj: KubeObject }) =>
    splits.byIndex(index, keyOf(e.obj)).map((s) => keyOf(s));
  const sources: KeySource[] = [
    ownKeys(splits),
    ownKeys(routes),
    keysFrom(services, splitKeys(BY_ROOT)),
    keysFrom(groups, splitKeys(BY_GROUP)),
  ];
  return {
    splits,
    routes,
    services,
    groups,
    all: [splits, routes, services, groups] as ScopedCache<KubeObject>[],
    sources,
  };
}
