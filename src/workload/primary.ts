// The primary Deployment's lifecycle: created once (initialization) as a copy of the target, and
// changed only by promotion, which copies the analysed template (and configs) over it. Between
// the two it is left alone: the primary serves the promoted revision, whatever the target does.
import type { Canary } from '../api/canary.js';
import { primaryName } from '../api/defaults.js';
import { OwnershipError, patchOwned } from '../kube/diff-patch.js';
import { isAlreadyExists } from '../kube/errors.js';
import type { JsonObject } from '../kube/merge-patch.js';
import { deepEqual } from '../kube/merge-patch.js';
import { BUILTIN, collectionPath } from '../kube/resources.js';
import { ensurePrimaryHpa } from './autoscaler.js';
import { ensureConfigCopies } from './config-copies.js';
import { targetOf, targetRevision } from './config-tracking.js';
import type { WorkloadDeps, WriteAction } from './deps.js';
import { WorkloadSpecError } from './errors.js';
import type { DeploymentJson } from './k8s-types.js';
import { notControlledBy } from '../kube/owner.js';
import { buildPrimary, primaryReplicas, primaryRevisionOf } from './primary-builder.js';
import { replacing, toJson } from './replace.js';

export type PrimaryResult =
  | { readonly action: WriteAction; readonly revision: string | null }
  /** The target no longer has the revision asked for: nothing was written. */
  | { readonly action: 'revisionChanged'; readonly revision: string };

function livePrimary(deps: WorkloadDeps, canary: Canary): DeploymentJson | undefined {
  return deps.caches.deployments.getByName(canary.metadata.namespace, primaryName(canary.spec));
}

/** Creates `<target>-primary` (and its config copies) when missing; never updates it. */
export async function ensurePrimary(deps: WorkloadDeps, canary: Canary): Promise<PrimaryResult> {
  const live = livePrimary(deps, canary);
  if (live !== undefined) {
    const why = notControlledBy(canary, live);
    if (why !== undefined) throw new OwnershipError(BUILTIN.deployments, live, why);
    return { action: 'unchanged', revision: primaryRevisionOf(live) };
  }
  const target = targetOf(canary, deps.caches);
  const rev = targetRevision(target, deps.caches);
  const copies = await ensureConfigCopies(deps, canary, rev.sources);
  const body = buildPrimary({
    canary,
    target,
    revision: rev.revision,
    copiedConfigs: copies.copied,
    replicas: primaryReplicas(target, undefined),
  });
  try {
    await deps.raw.create(collectionPath(BUILTIN.deployments, canary.metadata.namespace), body);
  } catch (err) {
    // Created earlier in this step (a primary rebuilt from the stored template just before a
    // promotion effect) or by a step the cache has not caught up with: the next step sees it.
    if (!isAlreadyExists(err)) throw err;
    return { action: 'unchanged', revision: null };
  }
  deps.logger.info({ primary: body.metadata?.name, revision: rev.revision }, 'primary created');
  return { action: 'created', revision: rev.revision };
}

/**
 * Promotion: copies the target's template and tracked configs to the primary, if the target still
 * has `revision`. Idempotent: a primary already at `revision` costs no request.
 */
export async function promotePrimary(
  deps: WorkloadDeps,
  canary: Canary,
  revision: string,
): Promise<PrimaryResult> {
  const target = targetOf(canary, deps.caches);
  const rev = targetRevision(target, deps.caches);
  if (rev.revision !== revision) return { action: 'revisionChanged', revision: rev.revision };
  // The primary's HPA first: a promotion retried after a failed write brings it up to date too.
  await ensurePrimaryHpa(deps, canary, 'sync');
  const live = livePrimary(deps, canary);
  if (live === undefined) return ensurePrimary(deps, canary);
  const why = notControlledBy(canary, live);
  if (why !== undefined) throw new OwnershipError(BUILTIN.deployments, live, why);
  const copies = await ensureConfigCopies(deps, canary, rev.sources);
  const want = buildPrimary({
    canary,
    target,
    revision,
    copiedConfigs: copies.copied,
    replicas: primaryReplicas(target, live),
  });
  if (!deepEqual(toJson(want.spec?.selector), toJson(live.spec?.selector))) {
    // A Deployment's selector is immutable: the only way out is a new primary.
    throw new WorkloadSpecError(
      'invalidSpec',
      `the selector of Deployment ${target.metadata?.name ?? ''} changed; the primary's selector ` +
        'is immutable — delete the primary Deployment to let weightlifter re-create it',
      { details: { namespace: canary.metadata.namespace } },
    );
  }
  const result = await patchOwned({
    raw: deps.raw,
    ref: BUILTIN.deployments,
    live,
    desired: promotionFields(live, want, canary.spec.autoscalerRef === undefined),
    notOwnedBecause: (obj) => notControlledBy(canary, obj),
  });
  if (result.changed) deps.logger.info({ revision }, 'primary promoted');
  return { action: result.changed ? 'patched' : 'unchanged', revision };
}

/**
 * What promotion owns (and the baseline, a copy of the primary, too): our metadata, the copied
 * spec fields replaced whole, and replicas.
 */
export function promotionFields(
  live: DeploymentJson,
  want: DeploymentJson,
  writeReplicas: boolean,
): JsonObject {
  const spec = want.spec ?? {};
  const liveSpec = live.spec ?? {};
  return {
    metadata: {
      labels: toJson(want.metadata?.labels ?? {}),
      annotations: toJson(want.metadata?.annotations ?? {}),
    },
    spec: {
      // With spec.autoscalerRef the primary's HPA owns replicas: never written.
      ...(writeReplicas ? { replicas: spec.replicas ?? null } : {}),
      template: replacing(liveSpec.template, spec.template),
      strategy: spec.strategy === undefined ? null : replacing(liveSpec.strategy, spec.strategy),
      minReadySeconds: spec.minReadySeconds ?? null,
      progressDeadlineSeconds: spec.progressDeadlineSeconds ?? null,
      revisionHistoryLimit: spec.revisionHistoryLimit ?? null,
    },
  };
}
