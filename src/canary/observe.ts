// What one reconcile step observes (the engine's `Observed`), read from the informer caches only,
// including what blocks the step (Observed.blocked): the engine, not this file, decides what a
// block means for status, Events and deletion.
import type { Canary } from '../api/canary.js';
import {
  ANNOTATIONS,
  FINALIZER,
  MANUAL_OPERATIONS,
  type ManualOperation,
} from '../api/constants.js';
import { measuresCanary } from '../api/phases.js';
import { baselineName, hasBaseline, primaryName, serviceNames } from '../api/defaults.js';
import { deepEqual } from '../kube/merge-patch.js';
import { OwnershipError } from '../kube/diff-patch.js';
import type { KubeObject } from '../kube/object-key.js';
import { notControlledBy } from '../kube/owner.js';
import { lastWriteTime } from '../kube/write-time.js';
import { BUILTIN, type ResourceRef } from '../kube/resources.js';
import type { Blocked, Observed, ObservedTarget, OperationRequest } from '../machine/types.js';
import type { TrafficRouter } from '../routing/types.js';
import { targetRevision } from '../workload/config-tracking.js';
import { TakeoverRefusedError, WorkloadSpecError, conditionReasonOf } from '../workload/errors.js';
import {
  HPA_REF,
  buildPrimaryHpa,
  livePrimaryHpa,
  primaryHpaName,
  targetHpa,
  withAutoscalerFloor,
} from '../workload/autoscaler.js';
import type { DeploymentJson, HpaJson } from '../workload/k8s-types.js';
import { primaryRevisionOf } from '../workload/primary-builder.js';
import { latestStoredTemplate } from '../workload/promoted-template.js';
import { deploymentReadiness } from '../workload/readiness.js';
import { desiredServices } from '../workload/services-builder.js';
import { serviceOwnership } from '../workload/takeover.js';
import type { CanaryJson, ControllerCaches } from './caches.js';
import type { CachedRoutedObject } from './routed-caches.js';
import { targetNotReadyReason } from './release-wait.js';

export function hasFinalizer(canary: CanaryJson): boolean {
  return canary.metadata?.finalizers?.includes(FINALIZER) ?? false;
}

export function isDeleting(canary: CanaryJson): boolean {
  return (canary.metadata?.deletionTimestamp ?? '') !== '';
}

export interface ObserveInput {
  readonly canary: Canary;
  readonly json: CanaryJson;
  /** null: no router could be built for the Canary, and `blocked` says why. */
  readonly router: TrafficRouter | null;
  /** What already blocks the step (an invalid spec, no router); null when nothing does yet. */
  readonly blocked: Blocked | null;
  readonly caches: ControllerCaches;
  readonly runSlotAvailable: boolean;
}

export function observe(input: ObserveInput): Observed {
  const { canary, json, router, caches } = input;
  const ns = canary.metadata.namespace ?? '';
  const targetDep = caches.deployments.getByName(ns, canary.spec.targetRef.name);
  let target: ObservedTarget | null = null;
  const deleting = isDeleting(json) && hasFinalizer(json);
  let blocked = input.blocked;
  if (targetDep !== undefined) {
    const rev = revisionFor(targetDep, caches, deleting);
    blocked ??= rev.blocked;
    target = withBaseline(
      {
        revision: rev.revision,
        trackedConfigs: rev.trackedConfigs,
        // The API server defaults replicas to 1; absent only in hand-built objects.
        replicas: targetDep.spec?.replicas ?? 1,
        readiness: deploymentReadiness(targetDep),
      },
      input,
      deleting,
    );
  }
  const primaryDep = caches.deployments.getByName(ns, primaryName(canary.spec));
  const names = serviceNames(canary.spec);
  const apex = caches.services.getByName(ns, names.apex);
  // The apex counts only once it selects the primary pods: a pre-existing user Service of that
  // name (not yet taken over) does not make the Canary initialized.
  const apexDesired = conditioned(() =>
    targetDep === undefined
      ? undefined
      : desiredServices(canary, targetDep).find((d) => d.role === 'apex')?.selector,
  );
  const routed = caches.routed.objectsOf(json);
  const autoscaler = observeAutoscaler(canary, caches, deleting);
  // Looked for even when the step is already blocked: a route object that is not ours is never
  // read or written, so a blocked run never routes through it.
  const foreign = notOwned(input, primaryDep, routed);
  blocked ??= apexDesired.blocked ?? foreign ?? autoscaler.blocked;
  const apexReady =
    apex !== undefined &&
    apexDesired.value !== undefined &&
    deepEqual(apex.spec?.selector ?? {}, apexDesired.value);
  const missing = [
    ...(primaryDep === undefined ? [`Deployment ${primaryName(canary.spec)}`] : []),
    ...(apexReady ? [] : [`Service ${names.apex} selecting the primary's pods`]),
    ...[names.primary, names.canary]
      .filter((n) => caches.services.getByName(ns, n) === undefined)
      .map((n) => `Service ${n}`),
    ...routed.filter((o) => o.cached === undefined).map((o) => `${o.ref.kind} ${o.name}`),
    ...autoscaler.missing,
  ];
  const initialized = missing.length === 0;
  const written = routed.flatMap((o) => lastWriteTime(o.cached) ?? []);
  if (blocked !== null && deleting && target !== null && targetDep !== undefined) {
    // No router stands between the target and the apex now: its endpoints must be ready too.
    const why = targetNotReadyReason({
      target: targetDep,
      namespace: ns,
      canaryService:
        caches.services.getByName(ns, names.canary) === undefined ? undefined : names.canary,
      slices: caches.slices,
    });
    if (why !== undefined) target = { ...target, readiness: { state: 'pending', message: why } };
  }
  return {
    deleting,
    blocked,
    target,
    primary:
      primaryDep === undefined
        ? null
        : {
            revision: primaryRevisionOf(primaryDep),
            readiness: withAutoscalerFloor(
              deploymentReadiness(primaryDep),
              primaryDep,
              autoscaler.primary,
            ),
            replicas: primaryDep.spec?.replicas ?? 1,
          },
    routes: foreign === null ? (router?.getRoutes() ?? null) : null,
    routeRejection: router?.rejection?.() ?? null,
    routesAwaitingAcceptance: router?.awaitingAcceptance?.() ?? null,
    ...routeKindOf(router),
    routesWrittenAt: written.length === 0 ? null : Math.max(...written),
    initialized,
    missing,
    routesLeftBehind: caches.routed.leftBehind(canary).length > 0,
    runSlotAvailable: input.runSlotAvailable,
    promotedTemplate: latestStoredTemplate(canary, caches.promoted)?.revision ?? null,
  };
}

/**
 * spec.autoscalerRef: the target's HPA must exist and scale the target (else the step is blocked,
 * except while deleting), the primary's copy must be ours, and until it exists the Canary is not
 * initialized.
 */
function observeAutoscaler(
  canary: Canary,
  caches: ControllerCaches,
  deleting: boolean,
): { blocked: Blocked | null; missing: string[]; primary: HpaJson | undefined } {
  const ref = canary.spec.autoscalerRef;
  if (ref === undefined) return { blocked: null, missing: [], primary: undefined };
  const primary = livePrimaryHpa({ caches }, canary);
  const why = primary === undefined ? undefined : notControlledBy(canary, primary);
  const blocked =
    primary !== undefined && why !== undefined
      ? blockedBy(new OwnershipError(HPA_REF, primary, why))
      : deleting
        ? null
        : conditioned(() =>
            buildPrimaryHpa(canary, ref, targetHpa(canary, ref, caches.autoscalers)),
          ).blocked;
  const missing = primary === undefined ? [`HorizontalPodAutoscaler ${primaryHpaName(ref)}`] : [];
  return { blocked, missing, primary };
}

/** What a ConditionedError (or a refused ownership) says, as a blocked step; others rethrown. */
export function blockedBy(err: unknown): Blocked {
  const reason = conditionReasonOf(err);
  if (reason === undefined) throw err;
  return { reason, message: err instanceof Error ? err.message : String(err) };
}

function conditioned<T>(read: () => T): { value: T | undefined; blocked: Blocked | null } {
  try {
    return { value: read(), blocked: null };
  } catch (err) {
    return { value: undefined, blocked: blockedBy(err) };
  }
}

/**
 * The first existing object of ours that this Canary does not control, as a NotOwned block: the
 * step's effects would refuse to touch it (diff-then-patch checks the owner on every write), so
 * it is seen before any decision instead. A Service without the takeover annotation, a primary
 * Deployment or route object someone else controls (or, for a router with a takeover rule, a
 * route object its rule refuses). A refusal the cache could not show yet
 * still fails the effect, and the step is retried with backoff until the cache shows it.
 */
function notOwned(
  input: ObserveInput,
  primary: DeploymentJson | undefined,
  routed: readonly CachedRoutedObject[],
): Blocked | null {
  const { canary, caches } = input;
  const ns = canary.metadata.namespace ?? '';
  const names = serviceNames(canary.spec);
  const services = [
    [names.apex, true],
    [names.primary, false],
    [names.canary, false],
  ] as const;
  for (const [name, takeoverAllowed] of services) {
    const live = caches.services.getByName(ns, name);
    if (live === undefined) continue;
    const own = serviceOwnership(canary, live, takeoverAllowed);
    if (own.kind === 'refused')
      return blockedBy(new TakeoverRefusedError(BUILTIN.services, live, own.why));
  }
  type OwnerCheck = (c: Canary, obj: KubeObject) => string | undefined;
  const owned: (readonly [ResourceRef, KubeObject | undefined, OwnerCheck])[] = [
    [BUILTIN.deployments, primary, notControlledBy],
    // A router with a takeover rule (HTTPRoute) says itself whose objects may be changed.
    ...routed.map((o) => [o.ref, o.cached, o.notOwnedBecause ?? notControlledBy] as const),
  ];
  for (const [ref, live, check] of owned) {
    const why = live === undefined ? undefined : check(canary, live);
    if (live !== undefined && why !== undefined)
      return blockedBy(new OwnershipError(ref, live, why));
  }
  return null;
}

/**
 * The target's revision. A required ConfigMap/Secret that does not exist blocks the step until it
 * exists — except while the Canary is being deleted: the Terminating flow does not need the
 * revision, and blocking deletion on a missing config would keep the finalizer forever.
 */
function revisionFor(
  target: DeploymentJson,
  caches: ControllerCaches,
  deleting: boolean,
): {
  revision: string;
  trackedConfigs: Readonly<Record<string, string>>;
  blocked: Blocked | null;
} {
  try {
    return { ...targetRevision(target, caches), blocked: null };
  } catch (err) {
    if (!(err instanceof WorkloadSpecError)) throw err;
    return { revision: '', trackedConfigs: {}, blocked: deleting ? null : blockedBy(err) };
  }
}

const isOperation = (v: string): v is ManualOperation =>
  (MANUAL_OPERATIONS as readonly string[]).includes(v);

/** The `weightlifter.io/operation` annotation: `<action>` or `<action>:<token>`. */
export function operationOf(canary: CanaryJson): OperationRequest | null {
  const value = canary.metadata?.annotations?.[ANNOTATIONS.operation]?.trim();
  if (value === undefined || value === '') return null;
  const colon = value.indexOf(':');
  const action = (colon < 0 ? value : value.slice(0, colon)).trim().toLowerCase();
  return { request: value, action: isOperation(action) ? action : null };
}

/** The kind of object the Canary's router writes, for the engine's messages. */
function routeKindOf(router: TrafficRouter | null): { routeKind?: string } {
  const ref = router?.resources()[0];
  return ref === undefined ? {} : { routeKind: ref.kind };
}

/**
 * With a baseline, while a run measures the canary, the canary side is the target and the
 * baseline together: scaled up only when both are (so the engine's scale-up creates a missing
 * baseline), ready only when both are (the baseline's readiness gates the run like the canary's).
 * Not while deleting, and not outside a run: then the target alone decides.
 */
function withBaseline(
  target: ObservedTarget,
  input: ObserveInput,
  deleting: boolean,
): ObservedTarget {
  const { canary, json, caches } = input;
  const phase = json.status?.phase;
  if (!hasBaseline(canary.spec) || deleting || phase === undefined || !measuresCanary(phase))
    return target;
  const ns = canary.metadata.namespace ?? '';
  const baseline = caches.deployments.getByName(ns, baselineName(canary.spec));
  const replicas = Math.min(target.replicas, baseline?.spec?.replicas ?? 0);
  const readiness =
    target.readiness.state !== 'ready' || baseline === undefined
      ? target.readiness
      : deploymentReadiness(baseline);
  return { ...target, replicas, readiness };
}
