// The engine's effects and gathers (EngineActors) for one Canary and one step, over the workload,
// routing, metrics and hooks layers. Reads come from the caches; every write goes through the
// raw client (diff-then-patch, resourceVersion preconditions).
import { PatchStrategy } from '../kube/http-constants.js';
import type { Logger } from 'pino';
import type { Canary, CanaryStatus } from '../api/canary.js';
import { API_VERSION, FINALIZER, KINDS } from '../api/constants.js';
import { PHASE_TABLE } from '../api/phases.js';
import { primaryName } from '../api/defaults.js';
import { hooksOfType, runHooks, describeHookFailures } from '../hooks/run-hooks.js';
import type { UrlPolicy } from '../outbound/url-policy.js';
import { isConflict } from '../kube/errors.js';
import type { EventRecorder } from '../kube/events.js';
import type { JsonObject } from '../kube/merge-patch.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { objectPath } from '../kube/resources.js';
import type { StatusWriter } from '../kube/status.js';
import type { EngineActors, PersistInput } from '../machine/run-step.js';
import { shortRevision } from '../machine/draft.js';
import type {
  ChecksCall,
  ChecksOutcome,
  EffectOf,
  EffectOutcome,
  PreflightCall,
  PreflightOutcome,
  WebhookCall,
  WebhookOutcome,
} from '../machine/types.js';
import type { MetricSourceFactory } from '../metrics/factory.js';
import { notificationFor } from '../notify/engine-events.js';
import type { Notifier } from '../notify/notifier.js';
import {
  canaryEndpoints,
  checkRouteChange,
  type EndpointCheckOptions,
} from '../routing/endpoints.js';
import type { TrafficRouter } from '../routing/types.js';
import type { ControllerMetrics } from '../telemetry/metrics.js';
import { WeightlifterError } from '../errors/catalogue.js';
import { finalizeWorkload, initializeWorkload } from './lifecycle.js';
import { promotePrimary } from '../workload/primary.js';
import { recordPromotedTemplate } from '../workload/promoted-store.js';
import { scaleTarget } from '../workload/scale.js';
import { livePrimaryHpa, primaryReplicaFloor } from '../workload/autoscaler.js';
import { isDeleting } from './observe.js';
import { CANARY_REF, type CanaryJson, type ControllerCaches } from './caches.js';
import { runChecks } from '../analysis/checks.js';
import { sleep, systemClock, type Clock } from '../time/clock.js';
import { runPreflight } from '../analysis/preflight.js';

/** Alert notifications (--notify-config), built once. */
export interface AlertDeps {
  readonly notifier: Notifier;
  /** The operator's name for the cluster, shown in every alert. */
  readonly cluster: string | null;
}

/** Built once by the composition root. */
export interface ActorDeps {
  readonly raw: KubeRawClient;
  readonly caches: ControllerCaches;
  readonly statusWriter: StatusWriter;
  readonly recorder: EventRecorder;
  readonly metricSources: MetricSourceFactory;
  readonly urlPolicy: UrlPolicy;
  readonly controllerNamespace: string;
  readonly metrics?: ControllerMetrics;
  /** Absent: no alerts are configured. */
  readonly alerts?: AlertDeps;
  /** Timestamps of alerts. @default the system clock */
  readonly clock?: Clock;
}

/** One step of one Canary. */
export interface StepScope {
  readonly canary: Canary;
  readonly json: CanaryJson;
  /** null while the step is blocked (phases/blocked.ts): the engine then routes nothing. */
  readonly router: TrafficRouter | null;
  /** Deletes the route object whatever version wrote it; `finalize` uses it without a router. */
  readonly releaseRoute: () => Promise<void>;
  /** Deletes (or gives back) the route objects of the routing APIs the Canary no longer uses. */
  readonly releaseOtherRoutes: () => Promise<void>;
  readonly logger: Logger;
}

/** How long a conflicting scale waits for the informer to deliver the newer target. */
const CACHE_CATCH_UP_MS = 2_000;
const CACHE_POLL_MS = 25;

export class CanaryActors implements EngineActors {
  readonly #d: ActorDeps;
  readonly #s: StepScope;
  readonly #ns: string;
  readonly #name: string;

  constructor(deps: ActorDeps, scope: StepScope) {
    this.#d = deps;
    this.#s = scope;
    this.#ns = scope.canary.metadata.namespace ?? '';
    this.#name = scope.canary.metadata.name ?? '';
  }

  get #workload() {
    return { raw: this.#d.raw, caches: this.#d.caches, logger: this.#s.logger };
  }

  async callWebhooks(call: WebhookCall): Promise<WebhookOutcome> {
    const hooks = this.#s.canary.spec.analysis?.webhooks;
    const outcome = await runHooks(
      call.hookType,
      hooks,
      { name: this.#name, namespace: this.#ns, phase: call.phase, checksum: call.revision },
      { policy: this.#d.urlPolicy, logger: this.#s.logger },
    );
    const succeeded = outcome.results.filter((r) => r.ok).length;
    const message =
      outcome.results.length === 0
        ? `no ${call.hookType} hooks`
        : outcome.allSucceeded
          ? `${succeeded} ${call.hookType} hook(s) succeeded`
          : describeHookFailures(outcome);
    return { called: outcome.results.length, succeeded, message };
  }

  async runChecks(call: ChecksCall): Promise<ChecksOutcome> {
    const results = await runChecks(this.#d, this.#s.canary, call);
    for (const r of results) {
      this.#d.metrics?.observeAnalysisResult(this.#ns, this.#name, r.metric, r.result);
    }
    this.#s.logger.info(
      {
        weight: call.canaryWeight,
        since: new Date(call.since).toISOString(),
        until: new Date(call.until).toISOString(),
        ...(call.earlyWindowMs === undefined ? {} : { failFastWindowMs: call.earlyWindowMs }),
        results: results.map((r) => ({
          metric: r.metric,
          result: r.result,
          value: r.value,
          message: r.message,
        })),
      },
      'analysis',
    );
    return { results };
  }

  preflight(_call: PreflightCall, signal?: AbortSignal): Promise<PreflightOutcome> {
    return runPreflight(this.#d, this.#s.canary, this.#s.logger, signal);
  }

  async recordPromoted(e: EffectOf<'recordPromoted'>): Promise<void> {
    await recordPromotedTemplate(
      { ...this.#workload, promoted: this.#d.caches.promoted },
      this.#s.canary,
      e.revision,
    );
  }

  async persistStatus(input: PersistInput): Promise<void> {
    await this.#d.statusWriter.patchStatus(
      CANARY_REF,
      this.#ns,
      this.#name,
      input.patch as JsonObject,
      this.#s.json.metadata?.resourceVersion,
    );
  }

  /** The router; a blocked step (no router) never routes, so its absence is an engine bug. */
  get #router(): TrafficRouter {
    if (this.#s.router === null) throw new Error('a blocked step has no router to route with');
    return this.#s.router;
  }

  async initialize(e: EffectOf<'initialize'>): Promise<void> {
    const result = await initializeWorkload(
      { ...this.#workload, slices: this.#d.caches.slices, promoted: this.#d.caches.promoted },
      this.#s.canary,
      this.#router,
      e.primaryFrom,
    );
    if (result.state !== 'done') this.#s.logger.info({ ...result }, 'initializing');
  }

  async promotePrimary(e: EffectOf<'promotePrimary'>): Promise<void> {
    const result = await promotePrimary(this.#workload, this.#s.canary, e.revision);
    if (result.action === 'revisionChanged') {
      // The next step sees the new revision and restarts the run; nothing was written.
      throw new WeightlifterError(
        'WL_INVALID_SPEC',
        `target moved on to revision ${shortRevision(result.revision)} before ${shortRevision(e.revision)} was promoted`,
        { details: { wanted: e.revision, found: result.revision } },
      );
    }
  }

  async scaleCanary(e: EffectOf<'scaleCanary'>, signal?: AbortSignal): Promise<void> {
    const seen = this.#cachedTarget()?.metadata?.resourceVersion;
    const why = isDeleting(this.#s.json) ? 'deletion' : 'run';
    try {
      await scaleTarget(this.#workload, this.#s.canary, e.to, why);
    } catch (err) {
      // 409: our cached target is older than the live one — typically the Deployment
      // controller's status write right after the template change that starts a run. Decide
      // again from the newer copy once the cache has it, as a requeue would, but within this
      // step: a failed effect fails the step, and the run would only start converging after a
      // backoff (its Events and alerts are still sent, see src/machine/run-step.ts).
      if (!isConflict(err) || !(await this.#targetMoved(seen, signal))) throw err;
      this.#s.logger.debug({ to: e.to }, 'target changed while scaling; deciding again');
      await scaleTarget(this.#workload, this.#s.canary, e.to, why);
    }
  }

  #cachedTarget() {
    return this.#d.caches.deployments.getByName(this.#ns, this.#s.canary.spec.targetRef.name);
  }

  /** True once the cached target's resourceVersion differs from `seen` (bounded wait). */
  async #targetMoved(seen: string | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const clock = this.#d.clock ?? systemClock;
    const deadline = clock.now() + CACHE_CATCH_UP_MS;
    for (;;) {
      if (this.#cachedTarget()?.metadata?.resourceVersion !== seen) return true;
      if (clock.now() >= deadline || signal?.aborted === true) return false;
      await sleep(clock, CACHE_POLL_MS, signal);
    }
  }

  async routeTraffic(
    e: EffectOf<'routeTraffic'>,
    _signal: AbortSignal | undefined,
    status: CanaryStatus,
  ): Promise<EffectOutcome | undefined> {
    const phase = status.phase;
    const primary = this.#d.caches.deployments.getByName(
      this.#ns,
      primaryName(this.#s.canary.spec),
    );
    const primaryCheck: EndpointCheckOptions | undefined =
      (phase === undefined ? false : PHASE_TABLE[phase].afterPromotion) && primary !== undefined
        ? {
            minReady: primaryReplicaFloor(primary, livePrimaryHpa(this.#workload, this.#s.canary)),
            settled: true,
          }
        : undefined;
    const desired = { primaryWeight: e.primaryWeight, canaryWeight: e.canaryWeight };
    const gate = checkRouteChange(
      this.#router.getRoutes(),
      desired,
      canaryEndpoints(
        this.#s.canary,
        this.#d.caches.slices,
        primaryCheck === undefined ? {} : { primary: primaryCheck },
      ),
    );
    if (!gate.allowed) {
      this.#s.logger.info({ ...desired, reason: gate.reason }, 'route change held');
      return { held: gate.reason };
    }
    await this.#router.setRoutes(e.primaryWeight, e.canaryWeight);
    this.#s.logger.debug(desired, 'routes set');
    this.#d.metrics?.setCanaryWeight(this.#ns, this.#name, e.canaryWeight);
    return undefined;
  }

  async releaseOldRoutes(): Promise<void> {
    await this.#s.releaseOtherRoutes();
    this.#s.logger.info('route objects of the previous routing API removed');
  }

  async finalize(): Promise<void> {
    const route = this.#s.router ?? { finalize: this.#s.releaseRoute };
    await finalizeWorkload(this.#workload, this.#s.canary, route);
    await removeFinalizer(this.#d.raw, this.#s.json);
    this.#s.logger.info('finalizer removed');
  }

  async emitEvent(
    e: EffectOf<'emitEvent'>,
    _signal: AbortSignal | undefined,
    status: CanaryStatus,
  ): Promise<void> {
    const level = e.eventType === 'Warning' ? 'warn' : 'info';
    this.#s.logger[level]({ reason: e.reason }, e.message);
    await this.#d.recorder.record({
      regarding: { ...this.#s.json, apiVersion: API_VERSION, kind: KINDS.canary },
      type: e.eventType,
      reason: e.reason,
      action: e.reason,
      note: e.message,
    });
    sendAlert(this.#d, { namespace: this.#ns, name: this.#name }, status, e, this.#s.logger);
    // Flagger forwards its events to `event` hooks; so do we (a notification: at most once).
    if (hooksOfType(this.#s.canary.spec.analysis?.webhooks, 'event').length > 0) {
      await runHooks(
        'event',
        this.#s.canary.spec.analysis?.webhooks,
        {
          name: this.#name,
          namespace: this.#ns,
          phase: status.phase ?? 'Initializing',
          checksum: status.revision ?? '',
        },
        {
          policy: this.#d.urlPolicy,
          logger: this.#s.logger,
          event: { message: e.message, type: e.eventType, timestamp: Date.now() },
        },
      );
    }
  }
}

/**
 * Sends the alert for an Event (an engine effect), if it is alert-worthy, without waiting: a slow
 * or failing receiver never delays a rollback or fails the step (the notifier has its own timeout
 * and retries, logs failures at warn with the provider, and its promise never rejects). The
 * caller decides that this is the one time to send it.
 */
function sendAlert(
  deps: Pick<ActorDeps, 'alerts' | 'clock'>,
  canary: { readonly namespace: string; readonly name: string },
  status: CanaryStatus,
  e: Omit<EffectOf<'emitEvent'>, 'type'>,
  logger: Logger,
): void {
  const alerts = deps.alerts;
  if (alerts === undefined) return;
  const alert = notificationFor({
    canary,
    status,
    event: e,
    now: (deps.clock ?? systemClock).now(),
    cluster: alerts.cluster,
  });
  if (alert === null) return;
  logger.debug({ kind: alert.kind, severity: alert.severity }, 'sending alert');
  void alerts.notifier.notify(alert);
}

/** JSON Patch with a test: removes our finalizer only from the list we looked at. */
export async function removeFinalizer(raw: KubeRawClient, canary: CanaryJson): Promise<void> {
  const finalizers = canary.metadata?.finalizers ?? [];
  if (!finalizers.includes(FINALIZER)) return;
  const { namespace, name = '' } = canary.metadata ?? {};
  await raw.patch(
    objectPath(CANARY_REF, namespace, name),
    [
      { op: 'test', path: '/metadata/finalizers', value: finalizers },
      {
        op: 'replace',
        path: '/metadata/finalizers',
        value: finalizers.filter((f) => f !== FINALIZER),
      },
    ],
    PatchStrategy.JsonPatch,
  );
}

/** Adds our finalizer (merge patch with the cached resourceVersion); returns the updated Canary. */
export async function addFinalizer(raw: KubeRawClient, canary: CanaryJson): Promise<CanaryJson> {
  const { namespace, name = '', resourceVersion } = canary.metadata ?? {};
  const finalizers = [...(canary.metadata?.finalizers ?? []), FINALIZER];
  return raw.patch<CanaryJson>(
    objectPath(CANARY_REF, namespace, name),
    { metadata: { finalizers, ...(resourceVersion === undefined ? {} : { resourceVersion }) } },
    PatchStrategy.MergePatch,
  );
}
