// The one place that knows every router: createRouters builds them once for the process (a new
// routing API adds a line there), and createTrafficRouter gives a Canary the one that serves it.
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { NoRouterError } from './errors.js';
import type { RoutingProvider } from '../api/constants.js';
import { createGatewayApiRouter } from './gateway.js';
import { ProviderSelection } from './provider.js';
import { createSmiTrafficSplitRouter } from './smi.js';
import {
  trafficStrategyOf,
  type RoutedReaders,
  type Router,
  type TrafficRouter,
  type TrafficStrategy,
} from './types.js';

export interface RoutersOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  /** Time for discovery caches. */
  readonly now: () => number;
  /** The provider of Canaries without spec.routing.provider (--routing-provider). @default auto */
  readonly routingProvider?: RoutingProvider;
}

/**
 * Every router, each having asked the API server what it can watch, sharing one provider
 * selection (provider.ts) so that exactly one of them routes each Canary.
 */
export async function createRouters(opts: RoutersOptions): Promise<Router[]> {
  const selection = new ProviderSelection(opts.routingProvider ?? 'auto');
  const smi = await createSmiTrafficSplitRouter({ ...opts, selection });
  const gateway = await createGatewayApiRouter({ ...opts, selection });
  selection.register(smi);
  selection.register(gateway);
  return [smi, gateway];
}

export interface RouterFactoryDeps {
  readonly routers: readonly Router[];
  /** The controller's caches of the routers' resources. */
  readonly read: RoutedReaders;
}

/**
 * The router for `canary`. Throws a ConditionedError when none serves it (NoRouterError) or the
 * one that does cannot route it now (e.g. TrafficSplitUnavailableError, UnsupportedStrategyError)
 * — each becomes a Ready=False condition, never a partial write.
 */
export async function createTrafficRouter(
  canary: Canary,
  deps: RouterFactoryDeps,
  strategy: TrafficStrategy = trafficStrategyOf(canary),
): Promise<TrafficRouter> {
  const router = deps.routers.find((r) => r.serves(canary, deps.read));
  if (router === undefined) {
    for (const r of deps.routers) {
      const why = r.unroutedBecause?.(canary, deps.read);
      if (why !== undefined) throw why;
    }
    const provider = canary.spec.routing?.provider ?? "unset (the controller's default)";
    throw new NoRouterError(`no router serves spec.routing.provider ${provider}`, {
      details: { provider, routers: deps.routers.map((r) => r.kind) },
    });
  }
  return router.forCanary(canary, deps.read, strategy);
}

/**
 * Deletes the Canary's route object, if any, without needing a router that can route it now (a
 * Canary being deleted while its step cannot run). No router serves it: there is nothing of ours
 * (with provider auto, a route object of ours decides the router).
 */
export async function releaseRoute(canary: Canary, deps: RouterFactoryDeps): Promise<void> {
  await deps.routers.find((r) => r.serves(canary, deps.read))?.release(canary, deps.read);
}

/**
 * Deletes (or gives back) the Canary's route objects of every router that does not serve it now:
 * after a change of provider, once the new router's object routes the Canary's weights.
 */
export async function releaseOtherRoutes(canary: Canary, deps: RouterFactoryDeps): Promise<void> {
  for (const router of deps.routers.filter((r) => !r.serves(canary, deps.read))) {
    await router.release(canary, deps.read);
  }
}
