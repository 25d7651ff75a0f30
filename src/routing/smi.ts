// The SMI TrafficSplit router as the controller sees it: one TrafficSplit informer, at the newest
// version served at start-up (any would do: TrafficSplit CRDs convert nothing, so every version
// reads the same object), and per Canary a SmiRouter writing the version it pins or the newest one
// served now (discovery.ts). Found nothing at start-up: it watches nothing, and says when a
// version appears, so the process restarts to watch it.
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.js';
import { TRAFFIC_SPLIT_VERSIONS, type TrafficSplitVersion } from '../api/smi.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import type { ResourceRef } from '../kube/resources.js';
import {
  ServedVersionsCache,
  fetchServedRouteGroupVersions,
  fetchServedSplitVersions,
  pickSplitVersion,
  type ServedVersionsSource,
} from './discovery.js';
import { SMI_TRAFFIC_SPLIT, SmiRouter } from './smi-router.js';
import { smiV1alpha1 } from './smi-v1alpha1.js';
import { smiV1alpha2 } from './smi-v1alpha2.js';
import { smiV1alpha3, smiV1alpha4 } from './smi-v1alpha3.js';
import { splitNames, splitRef, type SplitCodec } from './traffic-split.js';
import { TrafficSplitUnavailableError, UnsupportedStrategyError } from './errors.js';
import { SMI_CAPABILITIES } from './strategy.js';
import type { KubeObject } from '../kube/object-key.js';
import { notControlledBy } from '../kube/owner.js';
import { unrouted, type ProviderSelection } from './provider.js';
import { rediscover } from './rediscover.js';
import {
  WEIGHTED,
  type CanaryNames,
  type RoutedObject,
  type RoutedReaders,
  type Router,
  type TrafficRouter,
  type TrafficStrategy,
} from './types.js';

export const SPLIT_CODECS = {
  v1alpha1: smiV1alpha1,
  v1alpha2: smiV1alpha2,
  v1alpha3: smiV1alpha3,
  v1alpha4: smiV1alpha4,
} as const satisfies Record<TrafficSplitVersion, SplitCodec>;

export interface SmiTrafficSplitDeps {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  /** Served versions, asked per Canary (a ServedVersionsCache in production). */
  readonly versions: ServedVersionsSource;
  /**
   * Served HTTPRouteGroup versions, asked only for an A/B Canary (a ServedVersionsCache over
   * fetchServedRouteGroupVersions in production).
   */
  readonly routeGroupVersions: ServedVersionsSource;
  /** The version watched; undefined when none was served at start-up. */
  readonly watched: TrafficSplitVersion | undefined;
  /** Resolves provider auto with the other routers; unset: it serves auto alone. */
  readonly selection?: ProviderSelection;
}

export class SmiTrafficSplitRouter implements Router {
  readonly kind = SMI_TRAFFIC_SPLIT;
  readonly #d: SmiTrafficSplitDeps;
  /** Where a Canary's split is looked up: the watched version, or any while none is. */
  readonly #ref: ResourceRef;

  constructor(deps: SmiTrafficSplitDeps) {
    this.#d = deps;
    this.#ref = splitRef(deps.watched ?? TRAFFIC_SPLIT_VERSIONS[0]);
  }

  resources(): readonly ResourceRef[] {
    return this.#d.watched === undefined ? [] : [this.#ref];
  }

  readonly provider = 'smi';

  served(): boolean {
    return this.#d.watched !== undefined;
  }

  serves(canary: CanaryNames, read?: RoutedReaders): boolean {
    const selection = this.#d.selection;
    if (selection === undefined) return (canary.spec.routing?.provider ?? 'auto') !== 'gatewayapi';
    if (read === undefined) return selection.candidates(canary).includes('smi');
    const choice = selection.choose(canary, read);
    return choice.ok && choice.provider === 'smi';
  }

  unroutedBecause(canary: CanaryNames, read: RoutedReaders): Error | undefined {
    return unrouted(this.#d.selection, canary, read);
  }

  /** The Canary's TrafficSplit in `read` when the Canary controls it. */
  ownedObject(canary: CanaryNames, read: RoutedReaders): KubeObject | undefined {
    const live = read(this.#ref).getByName(
      canary.metadata?.namespace ?? '',
      splitNames(canary).name,
    );
    return live !== undefined &&
      notControlledBy({ metadata: { uid: canary.metadata?.uid } }, live) === undefined
      ? live
      : undefined;
  }

  objectsOf(canary: CanaryNames): readonly RoutedObject[] {
    return [{ ref: this.#ref, name: splitNames(canary).name }];
  }

  /**
   * Throws TrafficSplitUnavailableError (no served or pinned version) or UnsupportedStrategyError
   * (`strategy` not expressible by the chosen version).
   */
  async forCanary(
    canary: Canary,
    read: RoutedReaders,
    strategy: TrafficStrategy,
  ): Promise<TrafficRouter> {
    const version = pickSplitVersion(
      await this.#d.versions.served(),
      canary.spec.routing?.smiVersion,
    );
    if (strategy.kind === 'abMatch' && SMI_CAPABILITIES[version].abMatch) {
      const groups = await this.#d.routeGroupVersions.served();
      if (!groups.includes(version)) {
        throw new UnsupportedStrategyError(
          `abMatch cannot be expressed over SMI: spec.analysis.match over TrafficSplit ${version} ` +
            `needs HTTPRouteGroup ${version} (specs.smi-spec.io), which the cluster does not serve ` +
            `(served: ${groups.length === 0 ? 'none' : groups.join(', ')})`,
          { details: { strategy: strategy.kind, version } },
        );
      }
    }
    return new SmiRouter(SPLIT_CODECS[version], canary, strategy, {
      raw: this.#d.raw,
      splits: read(this.#ref),
      logger: this.#d.logger,
    });
  }

  /**
   * Every served version returns the same object (conversion None), so any served version deletes
   * it: the newest, whatever the Canary pins.
   */
  async release(canary: Canary, read: RoutedReaders): Promise<void> {
    const unpinned: Canary = {
      ...canary,
      spec: { ...canary.spec, routing: { ...canary.spec.routing, smiVersion: 'auto' } },
    };
    let router: TrafficRouter;
    try {
      router = await this.forCanary(unpinned, read, WEIGHTED);
    } catch (err) {
      if (err instanceof TrafficSplitUnavailableError) return;
      throw err;
    }
    await router.finalize();
  }

  resourcesChanged(signal: AbortSignal): Promise<string> {
    // Watching a version already: a version installed later reads the same objects.
    if (this.#d.watched !== undefined) return new Promise(() => undefined);
    const probe = async (): Promise<string | undefined> => {
      const [found] = await fetchServedSplitVersions(this.#d.raw);
      return found === undefined ? undefined : `TrafficSplit ${found} is served now`;
    };
    return rediscover(signal, probe, this.#d.logger, 'TrafficSplit');
  }
}

export interface SmiTrafficSplitOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  readonly now: () => number;
  readonly selection?: ProviderSelection;
}

/** Asks the API server which TrafficSplit version to watch. */
export async function createSmiTrafficSplitRouter(
  opts: SmiTrafficSplitOptions,
): Promise<SmiTrafficSplitRouter> {
  const [watched] = await fetchServedSplitVersions(opts.raw);
  if (watched === undefined) {
    opts.logger.warn(
      'no TrafficSplit version is served; Canaries stay blocked until SMI is installed',
    );
  }
  return new SmiTrafficSplitRouter({
    raw: opts.raw,
    logger: opts.logger,
    versions: new ServedVersionsCache({ raw: opts.raw, now: opts.now }),
    routeGroupVersions: new ServedVersionsCache({
      raw: opts.raw,
      now: opts.now,
      fetch: fetchServedRouteGroupVersions,
    }),
    watched,
    ...(opts.selection === undefined ? {} : { selection: opts.selection }),
  });
}
