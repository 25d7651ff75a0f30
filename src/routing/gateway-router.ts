// The Gateway API HTTPRoute router of one Canary: an HTTPRoute named after the apex Service, its
// parents spec.routing.parentRefs or the apex Service (GAMMA), one rule of ours sending to the
// primary and canary Services with integer weights. Reads come from the injected cache; writes are
// create (owner reference, our labels), or diff-then-patch of our rule after the ownership and
// takeover check (route-ownership.ts), with the cached resourceVersion as precondition.
//
// Applied weights. A TrafficSplit's weights are applied once written; an HTTPRoute's only once the
// parent's controller (the mesh, a Gateway) accepts the route's current generation
// (route-acceptance.ts). Until then getRoutes() returns null: no weight is applied that the
// engine may measure, so a weight change holds the analysis clock (the "split lags the status
// weight" wait, bounded by progressDeadlineSeconds) until the route is accepted. null, not the
// previously accepted weights, because the route does not record them and guessing would start a
// measurement on a weight nobody confirmed. rejection() says when the controller refused it.
import type { Logger } from 'pino';
import type { Canary, HttpMatch, ParentRef } from '../api/canary.js';
import type { HttpRouteVersion } from '../api/gateway-api.js';
import { RELEASED_LABELS, canaryOwnerRef, managedLabels } from '../api/ownership.js';
import { OwnershipError, patchOwned } from '../kube/diff-patch.js';
import { isJsonObject, type Json, type JsonObject } from '../kube/merge-patch.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { deleteExact, type KubeRawClient } from '../kube/raw-client.js';
import { collectionPath, objectPath, type ResourceRef } from '../kube/resources.js';
import {
  desiredParentRefs,
  newRules,
  ourRuleIndex,
  parseParentRef,
  readRouteRoutes,
  routeNames,
  routeRef,
  rulesWithOurs,
  withoutAbRules,
  type LiveRoute,
  type RouteNames,
} from './http-route.js';
import { httpRouteMatches } from './ab-rule.js';
import { routeAcceptance, type RouteAcceptance } from './route-acceptance.js';
import { ROUTE_ANNOTATIONS, routeOwnership, type RouteTakenOver } from './route-ownership.js';
import { validateRoutes, wholePercent } from './traffic-split.js';
import {
  ALL_TO_PRIMARY,
  type RouteRejection,
  type RouterWriteResult,
  type Routes,
  type TrafficRouter,
} from './types.js';

/** The Router kind of Gateway API HTTPRoute. */
export const GATEWAY_HTTP_ROUTE = 'gatewayapi-httproute';

export interface HttpRouteRouterDeps {
  readonly raw: KubeRawClient;
  /** HTTPRoutes (any served version reads the same object). */
  readonly routes: ObjectReader<LiveRoute>;
  readonly logger: Logger;
  /** The version written. */
  readonly version: HttpRouteVersion;
  /** spec.analysis.match of an A/B Canary (ab-rule.ts); null for weighted routing. */
  readonly match?: readonly HttpMatch[] | null;
}

export class HttpRouteRouter implements TrafficRouter {
  readonly kind = GATEWAY_HTTP_ROUTE;
  readonly #canary: Canary;
  readonly #deps: HttpRouteRouterDeps;
  readonly #names: RouteNames;
  readonly #parents: ParentRef[];
  readonly #ref: ResourceRef;
  readonly #log: Logger;
  /** The A/B rule's matches; null for weighted routing. */
  readonly #ab: readonly JsonObject[] | null;

  constructor(canary: Canary, deps: HttpRouteRouterDeps) {
    this.#canary = canary;
    this.#deps = deps;
    this.#names = routeNames(canary);
    this.#parents = desiredParentRefs(canary, this.#names);
    this.#ref = routeRef(deps.version);
    this.#ab = deps.match == null ? null : httpRouteMatches(deps.match);
    this.#log = deps.logger.child({ httpRoute: `${this.#names.namespace}/${this.#names.name}` });
  }

  resources(): readonly ResourceRef[] {
    return [this.#ref];
  }

  #live(): LiveRoute | undefined {
    return this.#deps.routes.getByName(this.#names.namespace, this.#names.name);
  }

  reconcile(): Promise<RouterWriteResult> {
    const live = this.#live();
    // Valid live weights are the engine's business (setRoutes): kept, as whole percentages; a
    // broken rule restarts at the only weights that are always safe: everything on the primary.
    const reading = live === undefined ? undefined : readRouteRoutes(live, this.#names, this.#ab);
    return this.#write(live, reading?.ok === true ? wholePercent(reading.routes) : ALL_TO_PRIMARY);
  }

  setRoutes(primaryWeight: number, canaryWeight: number): Promise<RouterWriteResult> {
    return this.#write(this.#live(), validateRoutes({ primaryWeight, canaryWeight }));
  }

  getRoutes(): Routes | null {
    return this.#routesWhen('accepted');
  }

  awaitingAcceptance(): Routes | null {
    return this.#routesWhen('pending');
  }

  /** The route's weights when its acceptance is in `state`; null otherwise or with no route. */
  #routesWhen(state: RouteAcceptance['state']): Routes | null {
    const live = this.#live();
    if (live === undefined) return null;
    const reading = readRouteRoutes(live, this.#names, this.#ab);
    if (!reading.ok) return null;
    return routeAcceptance(live, this.#parentsOf(live)).state === state ? reading.routes : null;
  }

  /** The route's acceptance by its parents now; null when there is no route. */
  acceptance(): RouteAcceptance | null {
    const live = this.#live();
    return live === undefined ? null : routeAcceptance(live, this.#parentsOf(live));
  }

  /**
   * The parents whose acceptance counts: ours; on a taken-over route, whose parents stay its
   * author's, the route's own.
   */
  #parentsOf(live: LiveRoute): readonly ParentRef[] {
    if (routeOwnership(this.#canary, live).kind !== 'takenOver') return this.#parents;
    const refs = live.spec?.parentRefs;
    return Array.isArray(refs) ? refs.filter(isJsonObject).map(parseParentRef) : [];
  }

  rejection(): RouteRejection | null {
    const a = this.acceptance();
    return a?.state === 'rejected' ? { reason: a.reason, message: a.message } : null;
  }

  async finalize(): Promise<void> {
    const live = this.#live();
    if (live === undefined) return;
    const own = routeOwnership(this.#canary, live);
    if (own.kind === 'takenOver') {
      if (own.record !== undefined) await this.#giveBack(live, own.record);
      return;
    }
    if (own.kind !== 'owned') return;
    const path = objectPath(this.#ref, this.#names.namespace, this.#names.name);
    if (await deleteExact(this.#deps.raw, path, live.metadata?.uid))
      this.#log.info('HTTPRoute deleted');
  }

  async #write(live: LiveRoute | undefined, routes: Routes): Promise<RouterWriteResult> {
    const labels = managedLabels(this.#canary);
    if (live === undefined) {
      await this.#deps.raw.create(collectionPath(this.#ref, this.#names.namespace), {
        apiVersion: `${this.#ref.group}/${this.#ref.version}`,
        kind: 'HTTPRoute',
        metadata: {
          name: this.#names.name,
          namespace: this.#names.namespace,
          labels,
          ownerReferences: [canaryOwnerRef(this.#canary)],
        },
        spec: {
          parentRefs: this.#parents.map((p) => ({ ...p })),
          rules: newRules(this.#names, routes, this.#ab),
        },
      });
      this.#log.info({ ...routes }, 'HTTPRoute created');
      return { action: 'created' };
    }
    const own = routeOwnership(this.#canary, live);
    if (own.kind === 'refused') throw new OwnershipError(this.#ref, live, own.why);
    let desired: JsonObject;
    if (own.kind === 'owned') {
      desired = {
        metadata: { labels },
        spec: {
          parentRefs: this.#parents.map((p) => ({ ...p })),
          rules: rulesWithOurs(live, this.#names, routes, false, this.#ab),
        },
      };
    } else {
      const record = own.record ?? this.#takeoverRecord(live);
      desired = {
        metadata: {
          labels,
          annotations: { [ROUTE_ANNOTATIONS.takenOver]: JSON.stringify(record) },
        },
        spec: { rules: rulesWithOurs(live, this.#names, routes, true, this.#ab) },
      };
    }
    const result = await patchOwned({
      raw: this.#deps.raw,
      ref: this.#ref,
      live,
      desired,
      notOwnedBecause: () => undefined, // decided above by routeOwnership
    });
    if (!result.changed) return { action: 'unchanged' };
    this.#log.info({ ...routes, patch: result.patch }, 'HTTPRoute patched');
    return { action: 'patched' };
  }

  /** What a first write to a taken-over route replaces: the backendRefs of the rule we take. */
  #takeoverRecord(live: LiveRoute): RouteTakenOver {
    const rules = rulesOf(live);
    const taken = rules[ourRuleIndex(rules, this.#names, true)];
    const refs = isJsonObject(taken) ? taken['backendRefs'] : undefined;
    return {
      canary: this.#canary.metadata.name ?? '',
      backendRefs: Array.isArray(refs) ? refs : null,
    };
  }

  /**
   * Puts the recorded backendRefs back (or removes the rule we added), removes an A/B rule, and
   * our marks.
   */
  async #giveBack(live: LiveRoute, record: RouteTakenOver): Promise<void> {
    const rules = withoutAbRules(rulesOf(live), this.#names);
    const i = ourRuleIndex(rules, this.#names, false);
    const restored: Json[] =
      i < 0
        ? rules
        : record.backendRefs === null
          ? rules.filter((_, j) => j !== i)
          : rules.map((r, j) =>
              j === i && isJsonObject(r) ? { ...r, backendRefs: record.backendRefs } : r,
            );
    const labels = { ...RELEASED_LABELS };
    await patchOwned({
      raw: this.#deps.raw,
      ref: this.#ref,
      live,
      desired: {
        metadata: { labels, annotations: { [ROUTE_ANNOTATIONS.takenOver]: null } },
        spec: { rules: restored },
      },
      notOwnedBecause: () => undefined, // taken over by this Canary: checked by the caller
    });
    this.#log.info('HTTPRoute given back');
  }
}

function rulesOf(route: LiveRoute): Json[] {
  const rules = route.spec?.rules;
  return Array.isArray(rules) ? (rules as Json[]) : [];
}
