// The one place that knows every router: createRouters builds them once for the process (a new
// routing API adds a line there), and createTrafficRouter gives a Canary the one that serves it.
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { NoRouterError } from './errors.js';
import { createSmiTrafficSplitRouter } from './smi.js';
import {
  WEIGHTED,
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
}

/** Every router, each having asked the API server what it can watch. */
export async function createRouters(opts: RoutersOptions): Promise<Router[]> {
  return [await createSmiTrafficSplitRouter(opts)];
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
  strategy: TrafficStrategy = WEIGHTED,
): Promise<TrafficRouter> {
  const router = deps.routers.find((r) => r.serves(canary));
  if (router === undefined) {
    const provider = canary.spec.routing?.provider ?? 'smi';
    throw new NoRouterError(`no router serves spec.routing.provider ${provider}`, {
      details: { provider, routers: deps.routers.map((r) => r.kind) },
    });
  }
  return router.forCanary(canary, deps.read, strategy);
}

/**
 * Deletes the Canary's route object, if any, without needing a router that can route it now (a
 * Canary being deleted while its step cannot run). No router serves it: there is nothing of ours.
 */
export async function releaseRoute(canary: Canary, deps: RouterFactoryDeps): Promise<void> {
  await deps.routers.find((r) => r.serves(canary))?.release(canary, deps.read);
}
