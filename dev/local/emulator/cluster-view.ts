import type { Logger } from 'pino';
import { isNotFound } from '../../../src/kube/errors.js';
import { Informer } from '../../../src/kube/informer.js';
import { createListerWatcher } from '../../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, type ResourceRef } from '../../../src/kube/resources.js';
import type { RouteGroupJson } from '../../../src/smi-adapter/route-group.js';
import type {
  DeploymentObject,
  HttpRouteObject,
  ServiceObject,
  TrafficSplitObject,
} from './objects.js';
import type { NamespaceObjects } from './topology.js';

export const SPLIT_GROUP = 'split.smi-spec.io';

const splitRef = (version: string): ResourceRef => ({
  group: SPLIT_GROUP,
  version,
  plural: 'trafficsplits',
  kind: 'TrafficSplit',
  namespaced: true,
});

/** The versions the server serves of an API group; [] when the group is not installed. */
async function servedVersions(raw: KubeRawClient, apiGroup: string): Promise<string[]> {
  try {
    const group = await raw.get<{ versions?: { version: string }[] }>(`/apis/${apiGroup}`);
    return (group.versions ?? []).map((v) => v.version);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** The TrafficSplit versions the server serves; [] when the group is not installed. */
export const servedSplitVersions = (raw: KubeRawClient): Promise<string[]> =>
  servedVersions(raw, SPLIT_GROUP);

export const SPECS_GROUP = 'specs.smi-spec.io';
/**
 * HTTPRouteGroup versions a split's `matches` can use, in order of preference: TrafficSplit
 * v1alpha3 and v1alpha4 name groups of the same version, which keep their matches under `spec`
 * (v1alpha1 and v1alpha2 keep them at the top level, where a read through these versions prunes
 * them).
 */
const ROUTE_GROUP_VERSIONS = ['v1alpha4', 'v1alpha3'] as const;

const routeGroupRef = (version: string): ResourceRef => ({
  group: SPECS_GROUP,
  version,
  plural: 'httproutegroups',
  kind: 'HTTPRouteGroup',
  namespaced: true,
});

/** The HTTPRouteGroup version to read (v1alpha4, else v1alpha3); undefined when neither is served. */
export async function servedRouteGroupVersion(raw: KubeRawClient): Promise<string | undefined> {
  const served = await servedVersions(raw, SPECS_GROUP);
  return ROUTE_GROUP_VERSIONS.find((v) => served.includes(v));
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** HTTPRoute versions in order of preference (conversion None: the same objects in each). */
const HTTP_ROUTE_VERSIONS = ['v1', 'v1beta1'] as const;

const httpRouteRef = (version: string): ResourceRef => ({
  group: GATEWAY_GROUP,
  version,
  plural: 'httproutes',
  kind: 'HTTPRoute',
  namespaced: true,
});

/** The HTTPRoute version to use (v1, else v1beta1); undefined when neither is served. */
export async function servedHttpRouteVersion(raw: KubeRawClient): Promise<string | undefined> {
  for (const version of HTTP_ROUTE_VERSIONS) {
    try {
      const list = await raw.get<{ resources?: { name: string }[] }>(
        `/apis/${GATEWAY_GROUP}/${version}`,
      );
      if ((list.resources ?? []).some((r) => r.name === 'httproutes')) return version;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return undefined;
}

export interface ClusterViewOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  /** Called (synchronously, from informer events) with each namespace whose objects changed. */
  readonly onChange: (namespace: string) => void;
  /** How often served TrafficSplit and HTTPRoute versions are re-discovered. @default 5000 */
  readonly rediscoverMs?: number;
  /** Watch TrafficSplits (an SMI mesh). @default true */
  readonly smi?: boolean;
  /** Watch HTTPRoutes (a GAMMA mesh). @default false */
  readonly gatewayApi?: boolean;
}

/**
 * Informer caches of everything that shapes traffic: Services, Deployments and TrafficSplits of
 * every served split.smi-spec.io version (re-discovered periodically, so a CRD installed or
 * changed later is followed). With conversion None every version returns the same stored
 * objects; they are merged by name. With SMI, also the HTTPRouteGroups those splits' `matches`
 * name, through one served version (v1alpha4, else v1alpha3). With `gatewayApi`, HTTPRoutes too,
 * through one served version (v1, else v1beta1). Both are re-discovered the same way.
 */
export class ClusterView {
  readonly services: Informer<ServiceObject>;
  readonly deployments: Informer<DeploymentObject>;
  readonly #splits = new Map<string, Informer<TrafficSplitObject>>();
  #routes: { version: string; informer: Informer<HttpRouteObject> } | undefined;
  #groups: { version: string; informer: Informer<RouteGroupJson> } | undefined;
  readonly #o: ClusterViewOptions;
  #timer: NodeJS.Timeout | undefined;
  #discovered = false;
  #stopped = false;

  constructor(opts: ClusterViewOptions) {
    this.#o = opts;
    this.services = this.#informer<ServiceObject>('services', BUILTIN.services);
    this.deployments = this.#informer<DeploymentObject>('deployments', BUILTIN.deployments);
  }

  async start(): Promise<void> {
    this.services.start();
    this.deployments.start();
    await this.#discover();
    this.#discovered = true;
    this.#timer = setInterval(() => {
      this.#discover().catch((err: unknown) => {
        this.#o.logger.warn({ err }, 'route API version discovery failed');
      });
    }, this.#o.rediscoverMs ?? 5000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.all([
      this.services.stop(),
      this.deployments.stop(),
      ...[...this.#splits.values()].map((i) => i.stop()),
      ...(this.#routes === undefined ? [] : [this.#routes.informer.stop()]),
      ...(this.#groups === undefined ? [] : [this.#groups.informer.stop()]),
    ]);
  }

  hasSynced(): boolean {
    return (
      this.#discovered &&
      this.services.hasSynced() &&
      this.deployments.hasSynced() &&
      [...this.#splits.values()].every((i) => i.hasSynced()) &&
      (this.#routes?.informer.hasSynced() ?? true) &&
      (this.#groups?.informer.hasSynced() ?? true)
    );
  }

  /** The HTTPRoute version being watched; undefined when none is (or Gateway API is off). */
  httpRouteVersion(): string | undefined {
    return this.#routes?.version;
  }

  splitVersions(): string[] {
    return [...this.#splits.keys()];
  }

  namespaceObjects(namespace: string): NamespaceObjects {
    const splits = new Map<string, TrafficSplitObject>();
    for (const inf of this.#splits.values()) {
      for (const s of inf.list(namespace)) {
        const name = s.metadata?.name ?? '';
        if (!splits.has(name)) splits.set(name, s);
      }
    }
    return {
      namespace,
      services: this.services.list(namespace),
      deployments: this.deployments.list(namespace),
      splits: [...splits.values()],
      httpRoutes: this.#routes?.informer.list(namespace) ?? [],
      routeGroups: this.#groups?.informer.list(namespace) ?? [],
    };
  }

  async #discover(): Promise<void> {
    if (this.#o.smi !== false) {
      await this.#discoverSplits();
      await this.#discoverRouteGroups();
    }
    if (this.#o.gatewayApi === true) await this.#discoverHttpRoutes();
  }

  async #discoverHttpRoutes(): Promise<void> {
    const version = await servedHttpRouteVersion(this.#o.raw);
    if (this.#stopped || version === this.#routes?.version) return;
    const old = this.#routes;
    this.#routes = undefined;
    this.#routes = await this.#replace(old, version, 'HTTPRoutes', (v) =>
      this.#informer<HttpRouteObject>(`httproutes.${v}`, httpRouteRef(v)),
    );
  }

  /**
   * Stops `old` (its namespaces are told, as their objects are gone from the view) and starts an
   * informer for `version`, unless that is undefined.
   */
  async #replace<T extends KubeObject>(
    old: { version: string; informer: Informer<T> } | undefined,
    version: string | undefined,
    what: string,
    make: (version: string) => Informer<T>,
  ): Promise<{ version: string; informer: Informer<T> } | undefined> {
    if (old !== undefined) {
      const namespaces = new Set(old.informer.list().map((r) => r.metadata?.namespace ?? ''));
      await old.informer.stop();
      namespaces.forEach((ns) => {
        this.#o.onChange(ns);
      });
    }
    if (version === undefined) return undefined;
    const informer = make(version);
    informer.start();
    this.#o.logger.info({ version }, `watching ${what}`);
    return { version, informer };
  }

  async #discoverRouteGroups(): Promise<void> {
    const version = await servedRouteGroupVersion(this.#o.raw);
    if (this.#stopped || version === this.#groups?.version) return;
    const old = this.#groups;
    this.#groups = undefined;
    this.#groups = await this.#replace(old, version, 'HTTPRouteGroups', (v) =>
      this.#informer<RouteGroupJson>(`httproutegroups.${v}`, routeGroupRef(v)),
    );
  }

  async #discoverSplits(): Promise<void> {
    const versions = await servedSplitVersions(this.#o.raw);
    if (this.#stopped) return;
    for (const [version, inf] of this.#splits) {
      if (versions.includes(version)) continue;
      this.#splits.delete(version);
      const namespaces = new Set(inf.list().map((s) => s.metadata?.namespace ?? ''));
      await inf.stop();
      namespaces.forEach((ns) => {
        this.#o.onChange(ns);
      });
    }
    for (const version of versions) {
      if (this.#splits.has(version)) continue;
      const inf = this.#informer<TrafficSplitObject>(`trafficsplits.${version}`, splitRef(version));
      this.#splits.set(version, inf);
      inf.start();
      this.#o.logger.info({ version }, 'watching TrafficSplits');
    }
  }

  #informer<T extends KubeObject>(name: string, ref: ResourceRef): Informer<T> {
    const inf = new Informer<T>({
      name,
      listerWatcher: createListerWatcher<T>(this.#o.raw, ref),
      logger: this.#o.logger.child({ informer: name }),
    });
    inf.onEvent((e) => {
      this.#o.onChange(e.obj.metadata?.namespace ?? '');
    });
    return inf;
  }
}
