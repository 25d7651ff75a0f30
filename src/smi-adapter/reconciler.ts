// One reconcile of one TrafficSplit key: the HTTPRoute of the same name made to say what the split
// says, or a visible refusal. Reads come from the caches only; writes are create, or diff-then-patch
// of the fields the adapter owns (labels, parentRefs, rules) on a route it controls, with the cached
// resourceVersion as precondition. A route the split does not control is never written. The split's
// annotations name the route generation only once the mesh accepted it (the route's status.parents),
// so their write time on the split is not before the mesh routes by the translation.
import type { Logger } from 'pino';
import { isJsonObject, type JsonObject } from '../kube/merge-patch.js';
import { patchOwned } from '../kube/diff-patch.js';
import type { EventInput } from '../kube/events.js';
import type { KubeObject } from '../kube/object-key.js';
import { splitKey } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { notControlledBy } from '../kube/owner.js';
import { deleteExact, type KubeRawClient } from '../kube/raw-client.js';
import { apiVersionOf, collectionPath, objectPath } from '../kube/resources.js';
import { done, type ReconcileContext, type ReconcileResult } from '../runtime/reconciler.js';
import type { Reconciler } from '../runtime/reconciler.js';
import type { ParentRef } from '../api/canary.js';
import type { LiveRoute } from '../routing/http-route.js';
import { routeAcceptance } from '../routing/route-acceptance.js';
import { ADAPTER_ANNOTATIONS, ADAPTER_EVENTS, ADAPTER_LABELS } from './marks.js';
import type { AdapterResources } from './resources.js';
import type { RouteGroupJson } from './route-group.js';
import { translateSplit, type ServicePortsJson, type SplitJson } from './translate.js';

export type TranslationResult = 'created' | 'updated' | 'unchanged' | 'deleted';

/** What /metrics counts; implemented by AdapterMetrics. */
export interface AdapterMetricsSink {
  incTranslation(result: TranslationResult): void;
  incRefusal(reason: string): void;
}

export interface AdapterCaches {
  readonly splits: ObjectReader<SplitJson>;
  /** Empty when the cluster serves no HTTPRouteGroup. */
  readonly groups: ObjectReader<RouteGroupJson>;
  readonly services: ObjectReader<ServicePortsJson>;
  readonly routes: ObjectReader<LiveRoute>;
}

export interface AdapterReconcilerDeps {
  readonly raw: KubeRawClient;
  readonly resources: AdapterResources;
  readonly caches: AdapterCaches;
  readonly recordEvent: (input: EventInput) => Promise<unknown>;
  readonly metrics: AdapterMetricsSink;
}

/** The split as controller owner (no blockOwnerDeletion: that would need finalizers RBAC). */
const ownerRef = (apiVersion: string, split: SplitJson) => ({
  apiVersion,
  kind: 'TrafficSplit',
  name: split.metadata?.name ?? '',
  uid: split.metadata?.uid ?? '',
  controller: true,
});

/** Controlled by a TrafficSplit of this name (whatever its uid): ours to delete once it is gone. */
const controlledBySplitNamed = (route: KubeObject, name: string): boolean =>
  (route.metadata?.ownerReferences ?? []).some(
    (r) => r.controller === true && r.kind === 'TrafficSplit' && r.name === name,
  );

function summary(spec: JsonObject): string {
  const rules = Array.isArray(spec['rules']) ? spec['rules'].filter(isJsonObject) : [];
  const weighted = rules.length > 1 ? rules.slice(0, -1) : rules;
  const refs = weighted[0]?.['backendRefs'];
  const weights = (Array.isArray(refs) ? refs.filter(isJsonObject) : [])
    .map((b) => `${typeof b['name'] === 'string' ? b['name'] : '?'}=${Number(b['weight'])}`)
    .join(' ');
  return rules.length > 1
    ? `weights ${weights} for the matching requests (${weighted.length} rule(s)), the rest to the root Service`
    : `weights ${weights}`;
}

export class AdapterReconciler implements Reconciler {
  readonly #d: AdapterReconcilerDeps;
  readonly #splitApiVersion: string;

  constructor(deps: AdapterReconcilerDeps) {
    this.#d = deps;
    this.#splitApiVersion = apiVersionOf(deps.resources.splits);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const { namespace = '', name } = splitKey(key);
    const { caches } = this.#d;
    const split = caches.splits.getByName(namespace, name);
    const route = caches.routes.getByName(namespace, name);
    if (split === undefined || split.metadata?.deletionTimestamp !== undefined) {
      // Garbage collection deletes it too; deleting it here is quicker and works without GC.
      if (route !== undefined && controlledBySplitNamed(route, name)) {
        const path = objectPath(this.#d.resources.routes, namespace, name);
        if (await deleteExact(this.#d.raw, path, route.metadata?.uid)) {
          ctx.logger.info({ httpRoute: key }, 'HTTPRoute of a deleted TrafficSplit deleted');
          this.#d.metrics.incTranslation('deleted');
        }
      }
      return done();
    }
    const splitObj: SplitJson = {
      ...split,
      apiVersion: this.#splitApiVersion,
      kind: 'TrafficSplit',
    };
    if (route !== undefined) {
      const why = notControlledBy(split, route);
      if (why !== undefined) {
        return this.#refuse(
          splitObj,
          ADAPTER_EVENTS.notOwned,
          `HTTPRoute ${name} exists and was not created for this TrafficSplit (${why}); it is left alone`,
          ctx.logger,
        );
      }
    }
    const t = translateSplit({
      split,
      service: (n) => caches.services.getByName(namespace, n),
      group: (n) => caches.groups.getByName(namespace, n),
    });
    if (!t.ok) return this.#refuse(splitObj, t.reason, t.message, ctx.logger);
    const spec = t.spec as unknown as JsonObject;
    const written = await this.#write(splitObj, route, spec);
    this.#d.metrics.incTranslation(written.result);
    if (written.result !== 'unchanged') {
      const created = written.result === 'created';
      ctx.logger.info(
        { httpRoute: key, generation: written.generation, rules: t.spec.rules.length },
        created ? 'HTTPRoute created' : 'HTTPRoute updated',
      );
      await this.#d.recordEvent({
        regarding: splitObj,
        type: 'Normal',
        reason: created ? ADAPTER_EVENTS.created : ADAPTER_EVENTS.updated,
        action: 'Translate',
        note: `HTTPRoute ${name} generation ${written.generation}: ${summary(spec)}`,
      });
    }
    return this.#recordAcceptance(splitObj, written.route, t.spec.parentRefs, ctx.logger);
  }

  /**
   * The annotation follows the mesh, not the write: it names the route generation (and the split
   * generation it carries) only once the mesh accepted it. A route just written waits for the
   * mesh's status, whose update wakes this split again; a refusal is a Warning and no annotation.
   */
  async #recordAcceptance(
    split: SplitJson,
    route: LiveRoute,
    parentRefs: readonly JsonObject[],
    logger: Logger,
  ): Promise<ReconcileResult> {
    const acceptance = routeAcceptance(route, parentRefs as unknown as ParentRef[]);
    if (acceptance.state === 'pending') return done();
    const generation = String(route.metadata?.generation ?? 0);
    if (acceptance.state === 'rejected') {
      logger.warn({ reason: acceptance.reason, why: acceptance.message }, 'HTTPRoute rejected');
      await this.#d.recordEvent({
        regarding: split,
        type: 'Warning',
        reason: ADAPTER_EVENTS.rejected,
        action: 'Translate',
        note: `HTTPRoute ${route.metadata?.name ?? ''} generation ${generation} rejected: ${acceptance.message}`,
      });
      await this.#annotate(split, null);
      return done();
    }
    await this.#annotate(split, {
      route: generation,
      split: String(split.metadata?.generation ?? 0),
    });
    return done();
  }

  async #write(
    split: SplitJson,
    live: LiveRoute | undefined,
    spec: JsonObject,
  ): Promise<{ result: TranslationResult; generation: number; route: LiveRoute }> {
    const { routes } = this.#d.resources;
    const { namespace = '', name = '' } = split.metadata ?? {};
    if (live === undefined) {
      const created = await this.#d.raw.create<LiveRoute>(collectionPath(routes, namespace), {
        apiVersion: apiVersionOf(routes),
        kind: 'HTTPRoute',
        metadata: {
          name,
          namespace,
          labels: { ...ADAPTER_LABELS },
          ownerReferences: [ownerRef(this.#splitApiVersion, split)],
        },
        spec,
      });
      return { result: 'created', generation: created.metadata?.generation ?? 1, route: created };
    }
    const patched = await patchOwned({
      raw: this.#d.raw,
      ref: routes,
      live,
      desired: { metadata: { labels: { ...ADAPTER_LABELS } }, spec },
      notOwnedBecause: (r) => notControlledBy(split, r),
    });
    return {
      result: patched.changed ? 'updated' : 'unchanged',
      generation: patched.object.metadata?.generation ?? 0,
      route: patched.object,
    };
  }

  async #refuse(
    split: SplitJson,
    reason: string,
    message: string,
    logger: Logger,
  ): Promise<ReconcileResult> {
    logger.warn({ reason, why: message }, 'TrafficSplit not translated');
    this.#d.metrics.incRefusal(reason);
    await this.#d.recordEvent({
      regarding: split,
      type: 'Warning',
      reason,
      action: 'Translate',
      note: message,
    });
    // The annotation says which route generation carries the split's current spec: none now.
    await this.#annotate(split, null);
    return done();
  }

  async #annotate(
    split: SplitJson,
    generations: { readonly route: string; readonly split: string } | null,
  ): Promise<void> {
    const { routeGeneration, splitGeneration } = ADAPTER_ANNOTATIONS;
    const current = split.metadata?.annotations ?? {};
    const want = {
      [routeGeneration]: generations?.route ?? null,
      [splitGeneration]: generations?.split ?? null,
    };
    if (Object.entries(want).every(([k, v]) => (current[k] ?? null) === v)) return;
    const { namespace = '', name = '' } = split.metadata ?? {};
    await this.#d.raw.patch(objectPath(this.#d.resources.splits, namespace, name), {
      metadata: { annotations: want },
    });
  }
}
