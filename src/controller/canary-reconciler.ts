// Reconciles one Canary: read it and everything it depends on from the caches, let the engine
// decide one step (src/machine), and map the step's result onto the work queue. See
// src/machine/README.md for the contract; this file is the "reconcile loop" it describes.
import type { Canary } from '../api/canary.js';
import { API_VERSION, CONDITION_REASONS, GROUP, KINDS } from '../api/constants.js';
import { primaryName, serviceNames } from '../api/defaults.js';
import type { KubeObject } from '../kube/object-key.js';
import { engineSpecFrom } from '../machine/spec.js';
import type { StepLimits, StepResult } from '../machine/machine.js';
import { provideActors, runCanaryStep } from '../machine/run-step.js';
import type { EngineSpec, Observed } from '../machine/types.js';
import { createTrafficRouter, type RouterFactoryDeps } from '../routing/factory.js';
import type { TrafficRouter } from '../routing/types.js';
import { conditionReasonOf } from '../workload/errors.js';
import type { IdleScalePolicy } from '../workload/gitops-scale.js';
import { scaleTarget } from '../workload/scale.js';
import { releaseApexService } from '../workload/services.js';
import { addFinalizer, CanaryActors, removeFinalizer, type ActorDeps } from './actors.js';
import { blockCanary, type Blocked } from './blocked.js';
import type { CanaryJson } from './caches.js';
import type { Clock } from '../time/clock.js';
import { hasFinalizer, isDeleting, observe, operationOf } from './observe.js';
import {
  done,
  failed,
  requeueAfter,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from '../runtime/reconciler.js';
import type { RunSlots } from './run-slots.js';
import { targetNotReadyReason } from './release-wait.js';
import { RunTimer } from './run-timer.js';
import type { WriteTracker } from '../runtime/write-tracker.js';

export interface CanaryReconcilerDeps extends ActorDeps {
  readonly routerDeps: RouterFactoryDeps;
  readonly tracker: WriteTracker;
  readonly runSlots: RunSlots;
  readonly clock: Clock;
  readonly limits?: StepLimits;
  /** Scaling the idle target down again after a GitOps scale-up. @default DEFAULT_IDLE_SCALE_POLICY */
  readonly idleScalePolicy?: IdleScalePolicy;
}

/** The cache has not caught up with our own write yet: look again shortly. */
const STALE_REQUEUE_MS = 100;
/** A route change waits for endpoints; EndpointSlice events usually arrive first. */
const HELD_REQUEUE_MS = 1_000;
/**
 * A blocked Canary's deletion waiting for its target: Deployment and EndpointSlice events wake it
 * as the target comes up; this is only the fallback (each look records the Event again).
 */
const RELEASE_WAIT_REQUEUE_MS = 10_000;
/** A blocked Canary is retried this often even without a watch event (e.g. SMI CRDs installed). */
const BLOCKED_REQUEUE_MS = 60_000;

interface Prepared {
  readonly spec: EngineSpec;
  readonly router: TrafficRouter;
  readonly observed: Observed;
}

type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly blocked: Blocked };

export class CanaryReconciler implements Reconciler {
  readonly #d: CanaryReconcilerDeps;
  readonly #runs = new RunTimer();
  /** Canaries whose last step was refused (see reconcile), by key. */
  readonly #refusals = new Map<string, { readonly fingerprint: string; readonly until: number }>();

  constructor(deps: CanaryReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const { caches, runSlots } = this.#d;
    const cached = caches.canaries.get(key);
    runSlots.settle(key, cached);
    if (cached === undefined) {
      const slash = key.indexOf('/');
      this.#d.metrics?.forgetCanary(key.slice(0, slash), key.slice(slash + 1));
      this.#runs.forget(key);
      this.#refusals.delete(key);
      return done();
    }
    if (this.#stale(cached)) return requeueAfter(STALE_REQUEUE_MS);
    // A refusal from the last step stands until something it depends on changes (or a while
    // passes): re-running the engine would rewrite its own conditions over the refusal's, and each
    // status write would wake the next reconcile — a tight loop of writes.
    const fingerprint = this.#fingerprint(cached);
    const refusal = this.#refusals.get(key);
    if (refusal !== undefined) {
      const left = refusal.until - this.#d.clock.now();
      if (refusal.fingerprint === fingerprint && left > 0) return requeueAfter(left);
      this.#refusals.delete(key);
    }
    const deleting = isDeleting(cached);
    // Deleted before we ever added the finalizer (or after we removed it): nothing of ours to undo.
    if (deleting && !hasFinalizer(cached)) return done();
    const json =
      deleting || hasFinalizer(cached) ? cached : await addFinalizer(this.#d.raw, cached);
    // The cache holds plain JSON; workload and routing code read only names, uid and spec from it.
    const canary = { ...json, apiVersion: API_VERSION, kind: KINDS.canary } as unknown as Canary;
    const prepared = await this.#prepare(canary, json, key);
    if (!prepared.ok) {
      if (deleting) return this.#releaseBlocked(canary, json, prepared.blocked, ctx);
      return this.#block(json, prepared.blocked, ctx);
    }
    const { spec, router, observed } = prepared.value;
    const actors = new CanaryActors(this.#d, { canary, json, router, spec, logger: ctx.logger });
    const result = await runCanaryStep(
      provideActors(actors),
      {
        spec,
        status: json.status,
        generation: json.metadata?.generation ?? 0,
        observed,
        operation: operationOf(json),
      },
      { clock: this.#d.clock, ...(this.#d.limits === undefined ? {} : { limits: this.#d.limits }) },
    );
    this.#report(key, json, result, ctx);
    if (result.error !== null) {
      // A refusal the user must fix (a Service we may not take over, a split we do not own)
      // becomes a condition and an Event instead of an endless retry.
      const reason = conditionReasonOf(result.error.cause);
      if (reason === undefined) return failed(result.error);
      const cause = result.error.cause;
      const message = cause instanceof Error ? cause.message : String(cause);
      this.#refusals.set(key, { fingerprint, until: this.#d.clock.now() + BLOCKED_REQUEUE_MS });
      // The step may have written the status already: the cached resourceVersion is stale.
      return this.#block(json, { reason, message }, ctx, result.persisted);
    }
    if (actors.held !== undefined) {
      return requeueAfter(
        Math.min(HELD_REQUEUE_MS, result.plan?.requeueAfterMs ?? HELD_REQUEUE_MS),
      );
    }
    const ms = result.plan?.requeueAfterMs ?? null;
    return ms === null ? done() : requeueAfter(ms);
  }

  async #prepare(canary: Canary, json: CanaryJson, key: string): Promise<Outcome<Prepared>> {
    const spec = engineSpecFrom(canary.spec);
    if (!spec.ok)
      return { ok: false, blocked: { reason: 'InvalidSpec', message: spec.error.message } };
    try {
      const router = await createTrafficRouter(canary, this.#d.routerDeps);
      const observed = observe({
        canary,
        json,
        router,
        caches: this.#d.caches,
        runSlotAvailable: this.#d.runSlots.available(key),
      });
      const policy = this.#d.idleScalePolicy;
      const engineSpec = policy === undefined ? spec.spec : { ...spec.spec, idleScale: policy };
      return { ok: true, value: { spec: engineSpec, router, observed } };
    } catch (err) {
      const reason = conditionReasonOf(err);
      if (reason === undefined) throw err;
      return {
        ok: false,
        blocked: { reason, message: err instanceof Error ? err.message : String(err) },
      };
    }
  }

  /** The cached objects a step reads, as [group, kind, name, object]. */
  #dependents(canary: CanaryJson): (readonly [string, string, string, KubeObject | undefined])[] {
    const { caches } = this.#d;
    const ns = canary.metadata?.namespace ?? '';
    const names = serviceNames(canary.spec);
    const deployment = (name: string) =>
      ['apps', 'Deployment', name, caches.deployments.getByName(ns, name)] as const;
    const service = (name: string) =>
      ['', 'Service', name, caches.services.getByName(ns, name)] as const;
    return [
      deployment(canary.spec.targetRef.name),
      deployment(primaryName(canary.spec)),
      service(names.apex),
      service(names.primary),
      service(names.canary),
      ...caches.routed
        .objectsOf(canary)
        .map((o) => [o.ref.group, o.ref.kind, o.name, o.cached] as const),
    ];
  }

  /** True when a cached object is older than our own last write of it. */
  #stale(canary: CanaryJson): boolean {
    const ns = canary.metadata?.namespace ?? '';
    const checks = [
      [GROUP, KINDS.canary, canary.metadata?.name ?? '', canary] as const,
      ...this.#dependents(canary),
    ];
    // Every entry is checked (no short-circuit): a caught-up entry is forgotten as a side effect.
    return checks
      .map(([g, k, name, obj]) => this.#d.tracker.isStale(g, k, ns, name, obj))
      .some(Boolean);
  }

  /**
   * What a blocked step depends on, minus the status (which the block itself writes): the
   * Canary's spec, annotations and deletion, and the versions of the objects it reads. While it
   * is unchanged, running the step again would only hit the same refusal.
   */
  #fingerprint(canary: CanaryJson): string {
    const meta = canary.metadata;
    return JSON.stringify([
      meta?.generation,
      meta?.annotations ?? {},
      meta?.deletionTimestamp,
      ...this.#dependents(canary).map(([, kind, name, obj]) => [
        kind,
        name,
        obj?.metadata?.resourceVersion,
      ]),
    ]);
  }

  async #block(
    json: CanaryJson,
    blocked: Blocked,
    ctx: ReconcileContext,
    statusWritten = false,
  ): Promise<ReconcileResult> {
    await blockCanary(this.#d, json, blocked, { logger: ctx.logger, statusWritten });
    return requeueAfter(BLOCKED_REQUEUE_MS);
  }

  /**
   * A Canary being deleted whose step cannot run (no TrafficSplit version served any more, an
   * invalid spec): the engine's Terminating flow is impossible, and keeping the finalizer would
   * block deletion forever. Scale the target up, wait until it is ready (saying so: Ready=False
   * TargetNotReady, a Warning Event, the Stalled alert once), then hand the apex Service back to it
   * and let go. Handing it back earlier would point clients at pods that cannot serve.
   */
  async #releaseBlocked(
    canary: Canary,
    json: CanaryJson,
    blocked: Blocked,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult> {
    const workload = { raw: this.#d.raw, caches: this.#d.caches, logger: ctx.logger };
    const revert = canary.spec.revertOnDeletion ?? true;
    const ns = json.metadata?.namespace ?? '';
    const target = this.#d.caches.deployments.getByName(ns, canary.spec.targetRef.name);
    if (revert && target !== undefined) {
      await scaleTarget(workload, canary, 'up');
      const canaryService = serviceNames(canary.spec).canary;
      const why = targetNotReadyReason({
        target,
        namespace: ns,
        canaryService:
          this.#d.caches.services.getByName(ns, canaryService) === undefined
            ? undefined
            : canaryService,
        slices: this.#d.caches.slices,
      });
      if (why !== undefined) {
        const message =
          `deletion waits for the target to be ready before the apex Service is handed back ` +
          `(${blocked.reason}: ${blocked.message}): ${why}`;
        await blockCanary(
          this.#d,
          json,
          { reason: CONDITION_REASONS.targetNotReady, message },
          { logger: ctx.logger, statusWritten: false },
        );
        return requeueAfter(RELEASE_WAIT_REQUEUE_MS);
      }
    }
    ctx.logger.warn(
      { reason: blocked.reason },
      `deleting without the Terminating flow: ${blocked.message}`,
    );
    await releaseApexService(workload, canary, revert);
    await this.#deleteSplit(canary, ctx);
    await removeFinalizer(this.#d.raw, json);
    return done();
  }

  /**
   * Deletes our TrafficSplit before the finalizer goes, so the apex (now the target's) is routed by
   * its selector, not by a split GC deletes at an unknown moment while it deletes the primary too.
   * Every served version returns the same object (conversion None): a pinned version that is not
   * served does not keep it alive. No version served at all: there is no split to delete.
   */
  async #deleteSplit(canary: Canary, ctx: ReconcileContext): Promise<void> {
    const unpinned: Canary = {
      ...canary,
      spec: { ...canary.spec, routing: { ...canary.spec.routing, smiVersion: 'auto' } },
    };
    let router: TrafficRouter;
    try {
      router = await createTrafficRouter(unpinned, this.#d.routerDeps);
    } catch (err) {
      if (conditionReasonOf(err) === undefined) throw err;
      ctx.logger.info({ err }, 'no TrafficSplit to delete');
      return;
    }
    await router.finalize();
  }

  #report(key: string, json: CanaryJson, result: StepResult, ctx: ReconcileContext): void {
    const ns = json.metadata?.namespace ?? '';
    const name = json.metadata?.name ?? '';
    const plan = result.plan;
    if (plan !== null && result.persisted) {
      this.#d.runSlots.decided(key, plan.status.phase);
      if (plan.status.phase !== undefined)
        this.#d.metrics?.setCanaryPhase(ns, name, plan.status.phase);
      this.#d.metrics?.setCanaryWeight(ns, name, plan.status.canaryWeight ?? 0);
      const { from, to } = plan.transition;
      const finished = this.#runs.transition(key, from, to, this.#d.clock.now());
      if (finished !== undefined)
        this.#d.metrics?.observeRun(ns, finished.result, finished.seconds);
    }
    if (plan !== null && plan.transition.from !== plan.transition.to) {
      ctx.logger.info(
        { from: plan.transition.from, to: plan.transition.to, reason: plan.transition.reason },
        plan.transition.message,
      );
    }
    for (const failure of result.notificationFailures) {
      ctx.logger.warn({ err: failure, actor: failure.actor }, 'notification failed');
    }
    if (result.error !== null) {
      ctx.logger.debug(
        {
          err: result.error,
          actor: result.error.actor,
          applied: result.applied.map((e) => e.type),
        },
        'step failed',
      );
    }
  }
}
