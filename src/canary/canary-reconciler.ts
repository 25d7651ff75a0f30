// Reconciles one Canary: read it and everything it depends on from the caches, let the engine
// decide one step (src/machine), and map the step's result onto the work queue. See
// src/machine/README.md for the contract; this file is the "reconcile loop" it describes. The
// engine is the only writer of the Canary's status and Events: this file writes neither.
import type { Canary } from '../api/canary.js';
import { API_VERSION, CONDITION_REASONS, GROUP, KINDS } from '../api/constants.js';
import { primaryName, serviceNames } from '../api/defaults.js';
import type { KubeObject } from '../kube/object-key.js';
import { engineSpecFrom } from '../machine/spec.js';
import { runCanaryStep, type StepLimits, type StepResult } from '../machine/run-step.js';
import type { Blocked, EngineSpec, Observed } from '../machine/types.js';
import {
  createTrafficRouter,
  releaseOtherRoutes,
  releaseRoute,
  type RouterFactoryDeps,
} from '../routing/factory.js';
import type { TrafficRouter } from '../routing/types.js';
import type { IdleScalePolicy } from '../workload/gitops-scale.js';
import { addFinalizer, CanaryActors, type ActorDeps } from './actors.js';
import type { CanaryJson } from './caches.js';
import type { Clock } from '../time/clock.js';
import { blockedBy, hasFinalizer, isDeleting, observe, operationOf } from './observe.js';
import {
  done,
  failed,
  requeueAfter,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from '../runtime/reconciler.js';
import type { RunSlots } from './run-slots.js';
import { secretKeysOf } from './secret-refs.js';
import { RunTimer } from './run-timer.js';
import { StatusRejections, isInvalid } from './status-rejections.js';
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
/** A newly referenced Secret's first read (one GET); longer is an error the queue retries. */
const SECRET_READ_TIMEOUT_MS = 10_000;

interface Prepared {
  readonly spec: EngineSpec;
  readonly router: TrafficRouter | null;
  readonly observed: Observed;
}

export class CanaryReconciler implements Reconciler {
  readonly #d: CanaryReconcilerDeps;
  readonly #runs = new RunTimer();
  readonly #rejections = new StatusRejections();

  constructor(deps: CanaryReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const { caches, runSlots } = this.#d;
    const cached = caches.canaries.get(key);
    runSlots.settle(key, cached);
    if (cached === undefined) {
      const slash = key.indexOf('/');
      const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
      this.#d.metrics?.forgetCanary(namespace, name);
      this.#d.recorder.forget({
        apiVersion: API_VERSION,
        kind: KINDS.canary,
        metadata: { namespace, name },
      });
      this.#runs.forget(key);
      this.#rejections.forget(key);
      caches.secrets.release(key);
      return done();
    }
    if (this.#stale(cached)) return requeueAfter(STALE_REQUEUE_MS);
    // The Secrets this Canary references now are the only ones the step can read.
    const secrets = secretKeysOf(cached, caches, this.#d.controllerNamespace);
    caches.secrets.hold(key, secrets);
    try {
      await caches.secrets.whenSynced(secrets, SECRET_READ_TIMEOUT_MS);
    } catch (err) {
      return failed(err);
    }
    const deleting = isDeleting(cached);
    // Deleted before we ever added the finalizer (or after we removed it): nothing of ours to undo.
    if (deleting && !hasFinalizer(cached)) return done();
    const json =
      deleting || hasFinalizer(cached) ? cached : await addFinalizer(this.#d.raw, cached);
    // The cache holds plain JSON; workload and routing code read only names, uid and spec from it.
    const canary = { ...json, apiVersion: API_VERSION, kind: KINDS.canary } as unknown as Canary;
    const { spec, router, observed } = await this.#prepare(canary, json, key);
    if (observed.blocked !== null)
      ctx.logger.debug({ reason: observed.blocked.reason }, observed.blocked.message);
    const actors = new CanaryActors(this.#d, {
      canary,
      json,
      router,
      releaseRoute: () => releaseRoute(canary, this.#d.routerDeps),
      releaseOtherRoutes: () => releaseOtherRoutes(canary, this.#d.routerDeps),
      logger: ctx.logger,
    });
    const result = await runCanaryStep(
      actors,
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
      if (result.error.actor === 'persistStatus' && isInvalid(result.error)) {
        const generation = json.metadata?.generation ?? 0;
        this.#rejections.record(key, generation, this.#d.clock.now(), result.error.message);
      }
      return failed(result.error);
    }
    if (result.held !== null) {
      return requeueAfter(
        Math.min(HELD_REQUEUE_MS, result.plan?.requeueAfterMs ?? HELD_REQUEUE_MS),
      );
    }
    const ms = result.plan?.requeueAfterMs ?? null;
    return ms === null ? done() : requeueAfter(ms);
  }

  /**
   * The engine's inputs. What stops the step (an invalid spec, no router that can route the
   * Canary, an object it may not touch) is an observation like any other: the engine turns it
   * into the verdict, the status and the one Event (src/machine/phases/blocked.ts).
   */
  async #prepare(canary: Canary, json: CanaryJson, key: string): Promise<Prepared> {
    const parsed = engineSpecFrom(canary.spec);
    const policy = this.#d.idleScalePolicy;
    const spec = policy === undefined ? parsed.spec : { ...parsed.spec, idleScale: policy };
    const generation = json.metadata?.generation ?? 0;
    let blocked: Blocked | null = parsed.ok
      ? this.#rejections.blocked(key, generation, this.#d.clock.now())
      : { reason: CONDITION_REASONS.invalidSpec, message: parsed.error.message };
    // The router is built even for a step already blocked (an invalid spec elsewhere than its
    // routing, a status the API server refuses): a blocked run must be able to take its canary
    // out of traffic. A router that cannot be built blocks the step only when nothing else does.
    let router: TrafficRouter | null = null;
    try {
      router = await createTrafficRouter(canary, this.#d.routerDeps);
    } catch (err) {
      blocked ??= blockedBy(err);
    }
    const observed = observe({
      canary,
      json,
      router,
      blocked,
      caches: this.#d.caches,
      runSlotAvailable: this.#d.runSlots.available(key),
    });
    return { spec, router, observed };
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
