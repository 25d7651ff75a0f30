// The Gateway API HTTPRoute router as the controller sees it: one HTTPRoute informer at the
// version served at start-up (v1, else v1beta1: the same stored object either way), and per Canary
// an HttpRouteRouter writing that version. Found none at start-up: it watches nothing, and says
// when HTTPRoute appears, so the process restarts to watch it.
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.js';
import { HTTP_ROUTE_VERSIONS, type HttpRouteVersion } from '../api/gateway-api.js';
import type { KubeObject } from '../kube/object-key.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import type { ResourceRef } from '../kube/resources.js';
import { HttpRouteUnavailableError, UnsupportedStrategyError } from './errors.js';
import { fetchServedRouteVersion } from './gateway-discovery.js';
import { GATEWAY_HTTP_ROUTE, HttpRouteRouter } from './gateway-router.js';
import { routeNames, routeRef } from './http-route.js';
import { unrouted, type ProviderSelection } from './provider.js';
import { rediscover } from './rediscover.js';
import { routeNotOwnedBecause } from './route-ownership.js';
import {
  WEIGHTED,
  type CanaryNames,
  type RoutedObject,
  type RoutedReaders,
  type Router,
  type TrafficRouter,
  type TrafficStrategy,
} from './types.js';

export interface GatewayApiDeps {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  /** The version watched and written; undefined when none was served at start-up. */
  readonly watched: HttpRouteVersion | undefined;
  /** Resolves provider auto with the other routers; unset: it serves provider gatewayapi only. */
  readonly selection?: ProviderSelection;
}

export class GatewayApiRouter implements Router {
  readonly kind = GATEWAY_HTTP_ROUTE;
  readonly provider = 'gatewayapi';
  readonly #d: GatewayApiDeps;
  /** Where a Canary's route is looked up: the watched version, or any while none is. */
  readonly #ref: ResourceRef;

  constructor(deps: GatewayApiDeps) {
    this.#d = deps;
    this.#ref = routeRef(deps.watched ?? HTTP_ROUTE_VERSIONS[0]);
  }

  resources(): readonly ResourceRef[] {
    return this.#d.watched === undefined ? [] : [this.#ref];
  }

  served(): boolean {
    return this.#d.watched !== undefined;
  }

  serves(canary: CanaryNames, read?: RoutedReaders): boolean {
    const selection = this.#d.selection;
    if (selection === undefined) return canary.spec.routing?.provider === 'gatewayapi';
    if (read === undefined) return selection.candidates(canary).includes('gatewayapi');
    const choice = selection.choose(canary, read);
    return choice.ok && choice.provider === 'gatewayapi';
  }

  unroutedBecause(canary: CanaryNames, read: RoutedReaders): Error | undefined {
    return unrouted(this.#d.selection, canary, read);
  }

  /** The Canary's HTTPRoute in `read` when the Canary controls it or took it over. */
  ownedObject(canary: CanaryNames, read: RoutedReaders): KubeObject | undefined {
    const names = routeNames(canary);
    const live = read(this.#ref).getByName(names.namespace, names.name);
    return live !== undefined && routeNotOwnedBecause(canary, live) === undefined
      ? live
      : undefined;
  }

  objectsOf(canary: CanaryNames): readonly RoutedObject[] {
    return [
      { ref: this.#ref, name: routeNames(canary).name, notOwnedBecause: routeNotOwnedBecause },
    ];
  }

  /**
   * Throws HttpRouteUnavailableError (no HTTPRoute served) or UnsupportedStrategyError (only
   * weighted and A/B routing are written over HTTPRoute).
   */
  forCanary(
    canary: Canary,
    read: RoutedReaders,
    strategy: TrafficStrategy,
  ): Promise<TrafficRouter> {
    const version = this.#d.watched;
    if (version === undefined) {
      return Promise.reject(
        new HttpRouteUnavailableError(
          'the cluster serves no HTTPRoute (gateway.networking.k8s.io v1 or v1beta1); install ' +
            'the Gateway API CRDs of your mesh or Gateway',
        ),
      );
    }
    if (strategy.kind !== 'weighted' && strategy.kind !== 'abMatch') {
      return Promise.reject(
        new UnsupportedStrategyError(
          `${strategy.kind} is not written over Gateway API HTTPRoute by weightlifter yet`,
          { details: { strategy: strategy.kind } },
        ),
      );
    }
    return Promise.resolve(
      new HttpRouteRouter(canary, {
        raw: this.#d.raw,
        routes: read(this.#ref),
        logger: this.#d.logger,
        version,
        match: strategy.kind === 'abMatch' ? strategy.match : null,
      }),
    );
  }

  /** Deletes the Canary's route (or gives a taken-over one back); none without HTTPRoute. */
  async release(canary: Canary, read: RoutedReaders): Promise<void> {
    if (this.#d.watched === undefined) return;
    await (await this.forCanary(canary, read, WEIGHTED)).finalize();
  }

  resourcesChanged(signal: AbortSignal): Promise<string> {
    if (this.#d.watched !== undefined) return new Promise(() => undefined);
    const probe = async (): Promise<string | undefined> => {
      const found = await fetchServedRouteVersion(this.#d.raw);
      return found === undefined ? undefined : `HTTPRoute ${found} is served now`;
    };
    return rediscover(signal, probe, this.#d.logger, 'HTTPRoute');
  }
}

export interface GatewayApiOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  readonly selection?: ProviderSelection;
}

/** Asks the API server which HTTPRoute version to watch. */
export async function createGatewayApiRouter(opts: GatewayApiOptions): Promise<GatewayApiRouter> {
  const watched = await fetchServedRouteVersion(opts.raw);
  if (watched === undefined) {
    opts.logger.info('no HTTPRoute version is served; Gateway API routing is off until it is');
  }
  return new GatewayApiRouter({
    raw: opts.raw,
    logger: opts.logger,
    watched,
    ...(opts.selection === undefined ? {} : { selection: opts.selection }),
  });
}
