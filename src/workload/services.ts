// Ensures the Canary's Services, with the takeover rule for a pre-existing apex Service:
//   - a Service we created (controller owner reference to this Canary) is kept as desired;
//   - an apex Service we did not create is modified only when it carries
//     `weightlifter.io/takeover: "true"`. Then only its selector is rewritten (its ports and the
//     rest stay the user's), the original selector is recorded in `weightlifter.io/taken-over`,
//     and no owner reference is added — GC must never delete a user's Service;
//   - anything else is refused with TakeoverRefusedError (-> Ready=False NotOwned + Event).
// On Canary deletion `releaseApexService` hands the apex back pointing at the target's pods, so
// clients keep being served after the primary is garbage-collected.
import type { Canary } from '../api/canary.js';
import { hasBaseline, serviceNames } from '../api/defaults.js';
import { patchOwned } from '../kube/diff-patch.js';
import type { JsonObject } from '../kube/merge-patch.js';
import { BUILTIN, collectionPath } from '../kube/resources.js';
import { GITOPS_HANDS_OFF, WORKLOAD_ANNOTATIONS } from './annotations.js';
import { targetOf } from './config-tracking.js';
import type { WorkloadDeps, WriteAction } from './deps.js';
import { TakeoverRefusedError } from './errors.js';
import { RELEASED_LABELS, managedLabels } from '../api/ownership.js';
import { replacing, toJson } from './replace.js';
import { selectorRewrite } from './selector.js';
import {
  baselineService,
  desiredServices,
  newService,
  servicePorts,
  type DesiredService,
  type ServiceRole,
} from './services-builder.js';
import { serviceOwnership, type TakenOver } from './takeover.js';

export type ServiceAction = WriteAction | 'takenOver';

async function ensureService(
  deps: WorkloadDeps,
  canary: Canary,
  d: DesiredService,
): Promise<ServiceAction> {
  const namespace = canary.metadata.namespace ?? '';
  const live = deps.caches.services.getByName(namespace, d.name);
  if (live === undefined) {
    await deps.raw.create(collectionPath(BUILTIN.services, namespace), newService(canary, d));
    deps.logger.info({ service: d.name, role: d.role }, 'service created');
    return 'created';
  }
  const own = serviceOwnership(canary, live, d.role === 'apex');
  if (own.kind === 'refused') throw new TakeoverRefusedError(BUILTIN.services, live, own.why);
  let fields: JsonObject;
  if (own.kind === 'owned') {
    fields = {
      metadata: { labels: managedLabels(canary) },
      spec: {
        selector: replacing(live.spec?.selector, d.selector),
        ports: toJson(servicePorts(canary, live)),
      },
    };
  } else {
    const record: TakenOver = own.record ?? {
      canary: canary.metadata.name ?? '',
      selector: live.spec?.selector ?? null,
      addedAnnotations: Object.keys(GITOPS_HANDS_OFF).filter(
        (k) => live.metadata?.annotations?.[k] === undefined,
      ),
    };
    const handsOff = Object.fromEntries(
      record.addedAnnotations.map((k) => [k, GITOPS_HANDS_OFF[k] ?? '']),
    );
    fields = {
      metadata: {
        labels: managedLabels(canary),
        annotations: { ...handsOff, [WORKLOAD_ANNOTATIONS.takenOver]: JSON.stringify(record) },
      },
      spec: { selector: replacing(live.spec?.selector, d.selector) },
    };
  }
  const result = await patchOwned({
    raw: deps.raw,
    ref: BUILTIN.services,
    live,
    desired: fields,
    notOwnedBecause: () => undefined, // decided above by serviceOwnership
  });
  if (!result.changed) return 'unchanged';
  const action = own.kind === 'owned' ? 'patched' : 'takenOver';
  deps.logger.info({ service: d.name, role: d.role, action }, 'service updated');
  return action;
}

function desired(
  deps: WorkloadDeps,
  canary: Canary,
  roles: readonly ServiceRole[],
): DesiredService[] {
  const target = targetOf(canary, deps.caches);
  return desiredServices(canary, target).filter((d) => roles.includes(d.role));
}

/** `<svc>-primary` and `<svc>-canary` (the TrafficSplit backends). */
export async function ensureBackendServices(
  deps: WorkloadDeps,
  canary: Canary,
): Promise<Record<'primary' | 'canary', ServiceAction>> {
  const [primary, canarySvc] = desired(deps, canary, ['primary', 'canary']);
  if (primary === undefined || canarySvc === undefined) throw new TypeError('unreachable');
  // With a baseline the route names `<svc>-baseline` from its first write (at weight 0).
  if (hasBaseline(canary.spec)) await ensureBaselineService(deps, canary);
  return {
    primary: await ensureService(deps, canary, primary),
    canary: await ensureService(deps, canary, canarySvc),
  };
}

/** `<svc>-baseline`, the route's third backend with spec.analysis.baseline (baseline.ts). */
export async function ensureBaselineService(
  deps: WorkloadDeps,
  canary: Canary,
): Promise<ServiceAction> {
  return ensureService(deps, canary, baselineService(canary, targetOf(canary, deps.caches)));
}

/**
 * The apex Service, selecting the primary pods. Call it only once the primary is ready: taking
 * over an existing apex earlier would point its clients at pods that cannot serve yet.
 */
export async function ensureApexService(
  deps: WorkloadDeps,
  canary: Canary,
): Promise<ServiceAction> {
  const [apex] = desired(deps, canary, ['apex']);
  if (apex === undefined) throw new TypeError('unreachable');
  return ensureService(deps, canary, apex);
}

/**
 * Gives the apex Service back (Canary deletion, after the target is scaled up and has the
 * traffic): one we created loses our owner reference and selects the target's pods; one we took
 * over gets its original selector back. Either way it outlives the Canary.
 */
export async function releaseApexService(
  deps: WorkloadDeps,
  canary: Canary,
  /** false: only a taken-over Service is given back; one we created is left to GC. */
  keepOwned = true,
): Promise<'released' | 'unchanged'> {
  const namespace = canary.metadata.namespace ?? '';
  const live = deps.caches.services.getByName(namespace, serviceNames(canary.spec).apex);
  if (live === undefined) return 'unchanged';
  const own = serviceOwnership(canary, live, true);
  const ours = { ...RELEASED_LABELS };
  let fields: JsonObject;
  if (own.kind === 'owned') {
    if (!keepOwned) return 'unchanged';
    const target = deps.caches.deployments.getByName(namespace, canary.spec.targetRef.name);
    // Without a target there is nothing to point at; GC removes the Service with the Canary.
    if (target === undefined) return 'unchanged';
    fields = {
      metadata: {
        labels: ours,
        ownerReferences: toJson(
          (live.metadata?.ownerReferences ?? []).filter((r) => r.uid !== canary.metadata.uid),
        ),
      },
      spec: { selector: replacing(live.spec?.selector, selectorRewrite(target).targetLabels) },
    };
  } else if (own.kind === 'takenOver' && own.record !== undefined) {
    const removed = [WORKLOAD_ANNOTATIONS.takenOver, ...own.record.addedAnnotations];
    fields = {
      metadata: { labels: ours, annotations: Object.fromEntries(removed.map((k) => [k, null])) },
      spec: { selector: replacing(live.spec?.selector, own.record.selector ?? {}) },
    };
  } else {
    return 'unchanged';
  }
  const result = await patchOwned({
    raw: deps.raw,
    ref: BUILTIN.services,
    live,
    desired: fields,
    notOwnedBecause: () => undefined,
  });
  if (result.changed) deps.logger.info({ service: live.metadata?.name }, 'apex service released');
  return result.changed ? 'released' : 'unchanged';
}
