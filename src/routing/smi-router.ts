// The SMI TrafficSplit router, one class for every version: what differs per version lives in
// its SplitCodec (smi-v1alpha1.ts, smi-v1alpha2.ts, smi-v1alpha3.ts). Reads come from the
// injected cache; writes are create, or diff-then-patch with an ownership check and the cached
// resourceVersion as precondition (a decision taken on a stale cache fails with 409 and the
// reconcile is retried, instead of overwriting a newer split).
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.js';
import { patchOwned } from '../kube/diff-patch.js';
import { isNotFound } from '../kube/errors.js';
import type { KubeObject } from '../kube/object-key.js';
import { deleteExact, type KubeRawClient } from '../kube/raw-client.js';
import { collectionPath, objectPath, type ResourceRef } from '../kube/resources.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { canaryOwnerRef, managedLabels } from '../api/ownership.js';
import { notControlledBy } from '../kube/owner.js';
import { routeGroupName, routeGroupRef, routeGroupSpec } from './smi-route-group.js';
import { assertStrategySupported } from './strategy.js';
import {
  comparableLive,
  desiredSpec,
  ownedFields,
  readRoutes,
  splitNames,
  splitRef,
  validateRoutes,
  wholePercent,
  type LiveSplit,
  type SplitCodec,
  type SplitNames,
} from './traffic-split.js';
import {
  ALL_TO_PRIMARY,
  type RouterWriteResult,
  type Routes,
  type TrafficRouter,
  type TrafficStrategy,
  WEIGHTED,
} from './types.js';

/** The Router kind of every SMI TrafficSplit version. */
export const SMI_TRAFFIC_SPLIT = 'smi-trafficsplit';

export interface SmiRouterDeps {
  readonly raw: KubeRawClient;
  /** TrafficSplits (any served version: conversion is None, the JSON is the same). */
  readonly splits: ObjectReader<LiveSplit>;
  readonly logger: Logger;
}

export class SmiRouter implements TrafficRouter {
  readonly kind = SMI_TRAFFIC_SPLIT;
  readonly #codec: SplitCodec;
  readonly #canary: Canary;
  readonly #strategy: TrafficStrategy;
  readonly #deps: SmiRouterDeps;
  readonly #names: SplitNames;
  readonly #ref: ResourceRef;
  /** The HTTPRouteGroup of an A/B run (smi-route-group.ts), whatever the strategy is now. */
  readonly #group: { readonly ref: ResourceRef; readonly name: string };
  readonly #log: Logger;

  constructor(codec: SplitCodec, canary: Canary, strategy: TrafficStrategy, deps: SmiRouterDeps) {
    assertStrategySupported(strategy, codec.version);
    this.#codec = codec;
    this.#canary = canary;
    this.#strategy = strategy;
    this.#deps = deps;
    this.#names = splitNames(canary);
    this.#ref = splitRef(codec.version);
    this.#group = {
      ref: routeGroupRef(codec.version),
      name: routeGroupName(this.#names.apex, canary.metadata.name ?? ''),
    };
    this.#log = deps.logger.child({ trafficSplit: `${this.#names.namespace}/${this.#names.name}` });
  }

  resources(): readonly ResourceRef[] {
    return [this.#ref];
  }

  #live(): LiveSplit | undefined {
    return this.#deps.splits.getByName(this.#names.namespace, this.#names.name);
  }

  reconcile(): Promise<RouterWriteResult> {
    const live = this.#live();
    // Valid live weights are the engine's business (setRoutes): kept, as whole percentages (the
    // nearest); a broken split restarts at the only weights that are always safe: everything on
    // the primary.
    const reading = live === undefined ? undefined : readRoutes(live, this.#names);
    const routes = reading?.ok === true ? wholePercent(reading.routes) : ALL_TO_PRIMARY;
    return this.#write(live, routes);
  }

  setRoutes(primaryWeight: number, canaryWeight: number): Promise<RouterWriteResult> {
    return this.#write(this.#live(), validateRoutes({ primaryWeight, canaryWeight }));
  }

  getRoutes(): Routes | null {
    const live = this.#live();
    if (live === undefined) return null;
    const reading = readRoutes(live, this.#names);
    return reading.ok ? reading.routes : null;
  }

  async finalize(): Promise<void> {
    const live = this.#live();
    if (live === undefined || notControlledBy(this.#canary, live) !== undefined) return;
    const path = objectPath(this.#ref, this.#names.namespace, this.#names.name);
    if (await deleteExact(this.#deps.raw, path, live.metadata?.uid))
      this.#log.info('TrafficSplit deleted');
    if (this.#strategy.kind === 'abMatch' || namesGroup(live, this.#group.name))
      await this.#deleteGroup();
  }

  /**
   * The split's strategy for these weights: an A/B run's matching requests (abMatch, canary
   * weight above 0) through our HTTPRouteGroup; otherwise the Canary's strategy, abMatch being
   * plain weights at 0 (no `matches`).
   */
  #splitStrategy(routes: Routes): TrafficStrategy {
    if (this.#strategy.kind !== 'abMatch') return this.#strategy;
    return routes.canaryWeight > 0
      ? { kind: 'headerMatch', routeGroups: [this.#group.name] }
      : WEIGHTED;
  }

  /** Creates our HTTPRouteGroup, or brings it to the Canary's match. */
  async #ensureGroup(): Promise<void> {
    if (this.#strategy.kind !== 'abMatch') return;
    const { ref, name } = this.#group;
    const ns = this.#names.namespace;
    const spec = routeGroupSpec(this.#strategy.match);
    const labels = managedLabels(this.#canary);
    let live: KubeObject | undefined;
    try {
      live = await this.#deps.raw.get<KubeObject>(objectPath(ref, ns, name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (live === undefined) {
      await this.#deps.raw.create(collectionPath(ref, ns), {
        apiVersion: `${ref.group}/${ref.version}`,
        kind: ref.kind,
        metadata: { name, namespace: ns, labels, ownerReferences: [canaryOwnerRef(this.#canary)] },
        spec,
      });
      this.#log.info({ httpRouteGroup: name }, 'HTTPRouteGroup created');
      return;
    }
    const result = await patchOwned({
      raw: this.#deps.raw,
      ref,
      live,
      desired: { metadata: { labels: { ...labels } }, spec },
      notOwnedBecause: (obj) => notControlledBy(this.#canary, obj),
    });
    if (result.changed) this.#log.info({ httpRouteGroup: name }, 'HTTPRouteGroup patched');
  }

  /** Deletes our HTTPRouteGroup if it is there (and ours). */
  async #deleteGroup(): Promise<void> {
    const { ref, name } = this.#group;
    const path = objectPath(ref, this.#names.namespace, name);
    let live: KubeObject;
    try {
      live = await this.#deps.raw.get<KubeObject>(path);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (notControlledBy(this.#canary, live) !== undefined) return;
    if (await deleteExact(this.#deps.raw, path, live.metadata?.uid))
      this.#log.info({ httpRouteGroup: name }, 'HTTPRouteGroup deleted');
  }

  async #write(live: LiveSplit | undefined, routes: Routes): Promise<RouterWriteResult> {
    const strategy = this.#splitStrategy(routes);
    // The group first: the split never names a group that is not there.
    if (strategy.kind === 'headerMatch') await this.#ensureGroup();
    const result = await this.#writeSplit(live, routes, strategy);
    // The split no longer names our group: only now may the group go.
    if (strategy.kind !== 'headerMatch' && live !== undefined && namesGroup(live, this.#group.name))
      await this.#deleteGroup();
    return result;
  }

  async #writeSplit(
    live: LiveSplit | undefined,
    routes: Routes,
    strategy: TrafficStrategy,
  ): Promise<RouterWriteResult> {
    const spec = desiredSpec(this.#codec, this.#names, routes, strategy);
    const labels = managedLabels(this.#canary);
    if (live === undefined) {
      const { matches, ...rest } = spec;
      await this.#deps.raw.create(collectionPath(this.#ref, this.#names.namespace), {
        apiVersion: this.#codec.apiVersion,
        kind: 'TrafficSplit',
        metadata: {
          name: this.#names.name,
          namespace: this.#names.namespace,
          labels,
          ownerReferences: [canaryOwnerRef(this.#canary)],
        },
        spec: matches === null ? rest : spec,
      });
      this.#log.info({ ...routes }, 'TrafficSplit created');
      return { action: 'created' };
    }
    const result = await patchOwned({
      raw: this.#deps.raw,
      ref: this.#ref,
      live: comparableLive(live, spec),
      desired: ownedFields(spec, labels),
      notOwnedBecause: (obj) => notControlledBy(this.#canary, obj),
    });
    if (!result.changed) return { action: 'unchanged' };
    this.#log.info({ ...routes, patch: result.patch }, 'TrafficSplit patched');
    return { action: 'patched' };
  }
}

/** Whether the split's `matches` name the HTTPRouteGroup `group`. */
function namesGroup(split: LiveSplit, group: string): boolean {
  const matches = split.spec?.matches;
  return (
    Array.isArray(matches) &&
    matches.some(
      (m: unknown) =>
        typeof m === 'object' && m !== null && (m as { name?: unknown }).name === group,
    )
  );
}
