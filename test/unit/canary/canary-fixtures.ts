// In-memory caches for the canary controller's unit tests: real Informers over a ListerWatcher
// fake (our own seam) that lists fixed objects and never closes its watch until stopped.
import { pino } from 'pino';
import type { CanarySpec, CanaryStatus } from '../../../src/api/canary.js';
import type { TrafficSplitVersion } from '../../../src/api/smi.js';
import type {
  CacheLifecycle,
  CanaryJson,
  ControllerCaches,
  TemplateJson,
} from '../../../src/canary/caches.js';
import { canaryIndexers } from '../../../src/canary/caches.js';
import { RoutedCaches } from '../../../src/canary/routed-caches.js';
import { NamedCache } from '../../../src/runtime/named-cache.js';
import { ScopedCache } from '../../../src/runtime/scoped-cache.js';
import { Informer } from '../../../src/kube/informer.js';
import type { IndexFunc } from '../../../src/kube/informer-store.js';
import type { ListerWatcher } from '../../../src/kube/lister-watcher.js';
import { keyOf, type KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import type { EndpointSliceJson } from '../../../src/routing/endpoints.js';
import { SmiTrafficSplitRouter } from '../../../src/routing/smi.js';
import type { LiveSplit } from '../../../src/routing/traffic-split.js';
import type { Router } from '../../../src/routing/types.js';
import type { ConfigJson, DeploymentJson, ServiceJson } from '../../../src/workload/k8s-types.js';
import type { ControllerRevisionJson } from '../../../src/workload/promoted-template.js';
import type { HpaJson } from '../../../src/workload/k8s-types.js';

const logger = pino({ level: 'silent' });

function staticLister<T extends KubeObject>(items: readonly T[]): ListerWatcher<T> {
  return {
    list: () => Promise.resolve({ items: [...items], resourceVersion: '1' }),
    watch: () => {
      let stop: () => void = () => undefined;
      const ended = new Promise<{ kind: 'closed' }>((resolve) => {
        stop = () => {
          resolve({ kind: 'closed' });
        };
      });
      return {
        stop: () => {
          stop();
        },
        ended,
      };
    },
  };
}

export async function memoryCache<T extends KubeObject>(
  name: string,
  items: readonly T[],
  indexers?: Record<string, IndexFunc<T>>,
  listerWatcher: ListerWatcher<T> = staticLister(items),
): Promise<ScopedCache<T>> {
  const informer = new Informer<T>({
    name,
    listerWatcher,
    logger,
    relistIntervalMs: 0,
    ...(indexers === undefined ? {} : { indexers }),
  });
  const cache = new ScopedCache<T>(name, new Map([['', informer]]));
  cache.start();
  await informer.waitForSync(1_000);
  return cache;
}

/** The SMI router watching TrafficSplit v1alpha4, with `served` as the versions served now. */
export function smiRouter(
  opts: { raw?: KubeRawClient; served?: () => readonly TrafficSplitVersion[] } = {},
): SmiTrafficSplitRouter {
  const served = opts.served ?? (() => ['v1alpha4'] as const);
  return new SmiTrafficSplitRouter({
    raw: opts.raw ?? ({} as unknown as KubeRawClient),
    logger,
    versions: { served: () => Promise.resolve(served()) },
    // HTTPRouteGroups served in the same versions as TrafficSplits (the SDK's CRDs).
    routeGroupVersions: { served: () => Promise.resolve(served()) },
    watched: 'v1alpha4',
  });
}

export interface CachesInput {
  /** @default [smiRouter()] */
  routers?: readonly Router[];
  /** Objects of the routers' resources, by plural (`splits` are the trafficsplits). */
  routed?: Readonly<Record<string, readonly KubeObject[]>>;
  /** A router resource's ListerWatcher by plural, instead of its fixed `routed` objects. */
  routedListers?: Readonly<Record<string, ListerWatcher<KubeObject>>>;
  canaries?: CanaryJson[];
  deployments?: DeploymentJson[];
  services?: ServiceJson[];
  configMaps?: ConfigJson[];
  secrets?: ConfigJson[];
  splits?: LiveSplit[];
  templates?: TemplateJson[];
  clusterTemplates?: TemplateJson[];
  autoscalers?: HpaJson[];
  promoted?: ControllerRevisionJson[];
}

export async function memoryCaches(input: CachesInput): Promise<ControllerCaches> {
  const routers = input.routers ?? [smiRouter()];
  const canaries = await memoryCache('canaries', input.canaries ?? [], canaryIndexers(routers));
  const objects: Readonly<Record<string, readonly KubeObject[]>> = {
    trafficsplits: input.splits ?? [],
    ...input.routed,
  };
  const routedCaches = new Map<string, ScopedCache<KubeObject>>();
  for (const ref of routers.flatMap((r) => r.resources())) {
    const items = objects[ref.plural] ?? [];
    const lister = input.routedListers?.[ref.plural];
    routedCaches.set(ref.plural, await memoryCache(ref.plural, items, undefined, lister));
  }
  const routed = new RoutedCaches(routers, (ref) => {
    const cache = routedCaches.get(ref.plural);
    if (cache === undefined) throw new Error(`no memory cache for ${ref.plural}`);
    return cache;
  });
  const secrets = await heldSecrets(input.secrets ?? []);
  const caches = {
    canaries,
    deployments: await memoryCache('deployments', input.deployments ?? []),
    services: await memoryCache('services', input.services ?? []),
    configMaps: await memoryCache('configmaps', input.configMaps ?? []),
    secrets,
    slices: await memoryCache<EndpointSliceJson>('endpointslices', []),
    templates: await memoryCache('analysistemplates', input.templates ?? []),
    promoted: await memoryCache('controllerrevisions', input.promoted ?? []),
    autoscalers: await memoryCache('horizontalpodautoscalers', input.autoscalers ?? []),
    clusterTemplates: await memoryCache('clusteranalysistemplates', input.clusterTemplates ?? []),
  };
  const all: CacheLifecycle[] = [...Object.values(caches), ...routedCaches.values()];
  return { ...caches, routed, all };
}

/** The by-name Secret cache over fixed Secrets, each already held (by `fixtures`) and read. */
export async function heldSecrets(
  items: readonly ConfigJson[],
  held: readonly string[] = items.map(keyOf),
): Promise<NamedCache<ConfigJson>> {
  const secrets = new NamedCache<ConfigJson>({
    name: 'secrets',
    informerFor: (namespace, name) =>
      new Informer<ConfigJson>({
        name: `secrets/${namespace}/${name}`,
        listerWatcher: staticLister(items.filter((s) => keyOf(s) === `${namespace}/${name}`)),
        logger,
        relistIntervalMs: 0,
      }),
  });
  secrets.start();
  secrets.hold('fixtures', held);
  await secrets.whenSynced(held, 1_000);
  return secrets;
}

export async function stopCaches(caches: ControllerCaches): Promise<void> {
  await Promise.all([...new Set(caches.all)].map((c) => c.stop()));
}

export function canaryJson(
  ns: string,
  name: string,
  spec: Partial<CanarySpec> = {},
  status?: CanaryStatus,
  meta: Partial<NonNullable<KubeObject['metadata']>> = {},
): CanaryJson {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: {
      namespace: ns,
      name,
      uid: `uid-${name}`,
      resourceVersion: '10',
      generation: 1,
      ...meta,
    },
    // A strategy, as the CRD requires one unless skipAnalysis is set.
    spec: { targetRef: { name }, service: { port: 9898 }, analysis: { stepWeight: 20 }, ...spec },
    ...(status === undefined ? {} : { status }),
  };
}

export function deploymentJson(
  ns: string,
  name: string,
  opts: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    replicas?: number;
    configMap?: string;
    ownerCanary?: string;
    ready?: boolean;
  } = {},
): DeploymentJson {
  const labels = opts.labels ?? { app: name };
  const replicas = opts.replicas ?? 1;
  const ready = opts.ready ?? true;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      namespace: ns,
      name,
      generation: 1,
      resourceVersion: '5',
      ...(opts.annotations === undefined ? {} : { annotations: opts.annotations }),
      ...(opts.ownerCanary === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'weightlifter.io/v1alpha1',
                kind: 'Canary',
                name: opts.ownerCanary,
                uid: `uid-${opts.ownerCanary}`,
                controller: true,
              },
            ],
          }),
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'example.invalid/app:1',
              ...(opts.configMap === undefined
                ? {}
                : { envFrom: [{ configMapRef: { name: opts.configMap } }] }),
            },
          ],
        },
      },
    },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready ? replicas : 0,
      availableReplicas: ready ? replicas : 0,
    },
  };
}
