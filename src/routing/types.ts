// The router seam (Flagger's router.Interface, narrowed): everything the controller needs from a
// traffic-splitting API. A Router is one API (SMI TrafficSplit; Gateway API HTTPRoute next): what
// the controller watches and tracks for it, and a TrafficRouter per Canary, which the engine's
// effects drive. Routers are registered in factory.ts; nothing outside src/routing names one.
import type { Canary, CanarySpec, HttpMatch } from '../api/canary.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';
import type { ResourceRef } from '../kube/resources.js';

/**
 * Percentages, 0..100 each, summing to 100: whole numbers when written; read back exactly, so a
 * live split that is not a whole percentage (899/101) reads as a fraction (89.9/10.1).
 */
export interface Routes {
  readonly primaryWeight: number;
  readonly canaryWeight: number;
}

/**
 * How traffic is split. `weighted` is the canary strategy every SMI version expresses;
 * `headerMatch` (A/B: only requests matching user-provided HTTPRouteGroups are split) exists
 * from TrafficSplit v1alpha3; `abMatch` (A/B by spec.analysis.match: the weights are those of
 * the matching requests, every other request stays on the primary) is written over Gateway API
 * HTTPRoute; `mirror` has no SMI expression at all.
 */
export type TrafficStrategy =
  | { readonly kind: 'weighted' }
  | { readonly kind: 'headerMatch'; readonly routeGroups: readonly string[] }
  | { readonly kind: 'abMatch'; readonly match: readonly HttpMatch[] }
  | { readonly kind: 'mirror' };

/** The strategy a Canary asks for: `abMatch` with spec.analysis.match (an A/B release). */
export function trafficStrategyOf(canary: { readonly spec: CanarySpec }): TrafficStrategy {
  const match = canary.spec.analysis?.match;
  return match === undefined || match.length === 0 ? WEIGHTED : { kind: 'abMatch', match };
}

export const WEIGHTED: TrafficStrategy = { kind: 'weighted' };

/** The only routes that are always safe: everything on the primary. */
export const ALL_TO_PRIMARY: Routes = { primaryWeight: 100, canaryWeight: 0 };

/** A route object refused by the mesh or Gateway that should apply it. */
export interface RouteRejection {
  readonly reason: string;
  readonly message: string;
}

export interface RouterWriteResult {
  /** `unchanged` means no request was sent: the live object already matched. */
  readonly action: 'created' | 'patched' | 'unchanged';
}

/** One Canary's traffic router (bound to it by its Router). */
export interface TrafficRouter {
  /** The Router it belongs to, e.g. 'smi-trafficsplit'. */
  readonly kind: string;
  /** The resources it writes, each at the version it writes (a pinned smiVersion, say). */
  resources(): readonly ResourceRef[];
  /**
   * Creates the route object (all traffic to the primary) when missing; when it exists, repairs
   * everything except valid weights (service, backends, matches, labels), which it keeps as the
   * nearest whole percentages. Throws OwnershipError (WL_NOT_OWNED) for an object this Canary
   * does not control — it is never modified.
   */
  reconcile(): Promise<RouterWriteResult>;
  /**
   * Makes the route object route exactly these weights (creating it if missing), patching only
   * on change; weight drift made by someone else is put back. Same ownership rule as reconcile.
   */
  setRoutes(primaryWeight: number, canaryWeight: number): Promise<RouterWriteResult>;
  /**
   * Live weights as exact percentages, from the cache; null when the object is absent or routes
   * no readable pair of weights. A router whose API reports whether the data plane applies the
   * object (Gateway API's status.parents) returns them only once it does, and null until then.
   */
  getRoutes(): Routes | null;
  /**
   * The data plane's refusal of the route object as it is now (its controller's reason and
   * message), null when it has not refused it (accepted, not yet looked at, or no object). Only
   * routers whose API reports acceptance have it (Gateway API); SMI has no such report.
   */
  rejection?(): RouteRejection | null;
  /**
   * The weights the route object carries while its parents have not yet said whether they
   * accept its current generation (neither accepted nor refused); null otherwise. Only routers
   * whose API reports acceptance have it (Gateway API). The engine waits for that report without
   * recording a lag, because a mesh's acceptance normally follows within a moment.
   */
  awaitingAcceptance?(): Routes | null;
  /** Deletes the route object if this Canary controls it; a missing or foreign one is left alone. */
  finalize(): Promise<void>;
}

/** A Canary as far as naming its route objects goes (the informer's plain JSON will do). */
export interface CanaryNames {
  readonly metadata?:
    | {
        readonly namespace?: string | undefined;
        readonly name?: string | undefined;
        readonly uid?: string | undefined;
      }
    | undefined;
  readonly spec: CanarySpec;
}

/** An object a Router writes for a Canary, in the Canary's namespace. */
export interface RoutedObject {
  readonly ref: ResourceRef;
  readonly name: string;
  /**
   * Why the Canary may not change the existing object, undefined when it may. Unset: unless the
   * Canary controls it (a controller owner reference); a router with a takeover rule sets it.
   */
  readonly notOwnedBecause?: (canary: Canary, obj: KubeObject) => string | undefined;
}

/**
 * The controller's informer cache of one of a Router's resources, found by group and plural (a
 * resource is watched at one version; conversion makes every version read the same object). A
 * resource that is not watched reads as empty.
 */
export type RoutedReaders = (ref: ResourceRef) => ObjectReader<KubeObject>;

/**
 * One routing API. The controller knows a router only through this: it keeps an informer cache
 * of each of resources(), tracks its own writes of them (a reconcile waits until the cache shows
 * them), and wakes the Canary whose objectsOf() names an object an event is about. So adding a
 * router is a file here and a line in factory.ts, and no change to the controller.
 */
export interface Router {
  /** What it is, for logs and TrafficRouter.kind: 'smi-trafficsplit'. */
  readonly kind: string;
  /** The resources to watch and track, each at one version; fixed for the process's life. */
  resources(): readonly ResourceRef[];
  /**
   * Whether it routes this Canary (spec.routing.provider, else the controller's default; `auto`
   * resolved in provider.ts). Given `read`, the answer looks at the Canary's existing route
   * objects and exactly one router says yes; without it (indexing which Canary an event wakes),
   * every router that may route the Canary says yes.
   */
  serves(canary: CanaryNames, read?: RoutedReaders): boolean;
  /**
   * Why no router routes the Canary, when this router's provider selection decided it (auto with
   * no routing API served): a ConditionedError for Ready=False. Undefined otherwise.
   */
  unroutedBecause?(canary: CanaryNames, read: RoutedReaders): Error | undefined;
  /** The objects it writes for this Canary (whether or not they exist yet). */
  objectsOf(canary: CanaryNames): readonly RoutedObject[];
  /**
   * The Canary's router, reading its objects through `read`. Throws a ConditionedError when it
   * cannot route the Canary now (its API not served, a strategy it cannot express).
   */
  forCanary(canary: Canary, read: RoutedReaders, strategy: TrafficStrategy): Promise<TrafficRouter>;
  /**
   * Deletes the Canary's route object if the Canary controls it, whichever version wrote it, even
   * when forCanary cannot route the Canary any more (a pinned version no longer served). Nothing
   * to do when its API is not served at all: there is no object.
   */
  release(canary: Canary, read: RoutedReaders): Promise<void>;
  /**
   * Resolves, with the reason, once resources() no longer says what to watch (its API installed
   * after start-up): the process must restart to watch it. Otherwise pending; gives up on `signal`.
   */
  resourcesChanged(signal: AbortSignal): Promise<string>;
}
