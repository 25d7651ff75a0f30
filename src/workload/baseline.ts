// The baseline's lifecycle (spec.analysis.baseline, issue 17): `<target>-baseline`, a fresh copy
// of the primary's pods, runs beside the canary so compare checks judge the canary against pods
// as new as its own. It follows the canary's scaling (scale.ts): at a run's start it is created,
// or brought to the primary's current template, at the canary's replicas, with its
// `<svc>-baseline` Service; after the run it goes to 0 with the canary. Owned by the Canary, so
// garbage collection removes both with it.
import type { Canary } from '../api/canary.js';
import { baselineName, hasBaseline, primaryName } from '../api/defaults.js';
import { OwnershipError, patchOwned } from '../kube/diff-patch.js';
import { isAlreadyExists } from '../kube/errors.js';
import { deepEqual } from '../kube/merge-patch.js';
import { notControlledBy } from '../kube/owner.js';
import { BUILTIN, collectionPath } from '../kube/resources.js';
import { buildBaseline } from './baseline-builder.js';
import { targetOf } from './config-tracking.js';
import type { WorkloadDeps, WriteAction } from './deps.js';
import { WorkloadSpecError } from './errors.js';
import { promotionFields } from './primary.js';
import { toJson } from './replace.js';
import { ensureBaselineService } from './services.js';

/**
 * The baseline at `replicas` (the canary's): created when missing (not for 0), its template the
 * primary's as it is now. No-op for a Canary without a baseline, or before there is a primary.
 */
export async function ensureBaseline(
  deps: WorkloadDeps,
  canary: Canary,
  replicas: number,
): Promise<WriteAction> {
  if (!hasBaseline(canary.spec)) return 'unchanged';
  const ns = canary.metadata.namespace ?? '';
  const primary = deps.caches.deployments.getByName(ns, primaryName(canary.spec));
  const live = deps.caches.deployments.getByName(ns, baselineName(canary.spec));
  if (primary === undefined || (live === undefined && replicas === 0)) return 'unchanged';
  const target = targetOf(canary, deps.caches);
  const want = buildBaseline({ canary, target, primary, replicas });
  if (replicas > 0) await ensureBaselineService(deps, canary);
  if (live === undefined) {
    try {
      await deps.raw.create(collectionPath(BUILTIN.deployments, ns), want);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err; // created by a step the cache has not caught up with
      return 'unchanged';
    }
    deps.logger.info({ baseline: want.metadata?.name, replicas }, 'baseline created');
    return 'created';
  }
  const why = notControlledBy(canary, live);
  if (why !== undefined) throw new OwnershipError(BUILTIN.deployments, live, why);
  if (!deepEqual(toJson(want.spec?.selector), toJson(live.spec?.selector))) {
    throw new WorkloadSpecError(
      'invalidSpec',
      `the selector of Deployment ${target.metadata?.name ?? ''} changed; the baseline's selector ` +
        `is immutable — delete Deployment ${baselineName(canary.spec)} to let weightlifter re-create it`,
      { details: { namespace: ns } },
    );
  }
  const result = await patchOwned({
    raw: deps.raw,
    ref: BUILTIN.deployments,
    live,
    desired: promotionFields(live, want, true),
    notOwnedBecause: (obj) => notControlledBy(canary, obj),
  });
  if (result.changed)
    deps.logger.info({ baseline: live.metadata?.name, replicas }, 'baseline updated');
  return result.changed ? 'patched' : 'unchanged';
}
