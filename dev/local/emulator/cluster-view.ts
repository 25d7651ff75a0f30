import type { Logger } from 'pino';
import { isNotFound } from '../../../src/kube/errors.js';
import { Informer } from '../../../src/kube/informer.js';
import { createListerWatcher } from '../../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, type ResourceRef } from '../../../src/kube/resources.js';
import type { DeploymentObject, ServiceObject, TrafficSplitObject } from './objects.js';
import type { NamespaceObjects } from './topology.js';

export const SPLIT_GROUP = 'split.smi-spec.io';

const splitRef = (version: string): ResourceRef => ({
  group: SPLIT_GROUP,
  version,
  plural: 'trafficsplits',
  kind: 'TrafficSplit',
  namespaced: true,
});

/** The TrafficSplit versions the server serves; [] when the group is not installed. */
export async function servedSplitVersions(raw: KubeRawClient): Promise<string[]> {
  try {
    const group = await raw.get<{ versions?: { version: string }[] }>(`/apis/${SPLIT_GROUP}`);
    return (group.versions ?? []).map((v) => v.version);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

export interface ClusterViewOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  /** Called (synchronously, from informer events) with each namespace whose objects changed. */
  readonly onChange: (namespace: string) => void;
  /** How often served TrafficSplit versions are re-discovered. @default 5000 */
  readonly rediscoverMs?: number;
}

/**
 * Informer caches of everything that shapes traffic: Services, Deployments and TrafficSplits of
 * every served split.smi-spec.io version (re-discovered periodically, so a CRD installed or
 * changed later is followed). With conversion None every version returns the same stored
 * objects; they are merged by name.
 */
export class ClusterView {
  readonly services: Informer<ServiceObject>;
  readonly deployments: Informer<DeploymentObject>;
  readonly #splits = new Map<string, Informer<TrafficSplitObject>>();
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
        this.#o.logger.warn({ err }, 'TrafficSplit version discovery failed');
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
    ]);
  }

  hasSynced(): boolean {
    return (
      this.#discovered &&
      this.services.hasSynced() &&
      this.deployments.hasSynced() &&
      [...this.#splits.values()].every((i) => i.hasSynced())
    );
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
    };
  }

  async #discover(): Promise<void> {
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
