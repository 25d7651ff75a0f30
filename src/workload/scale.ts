// Scaling the target (the canary workload): to 0 once initialized or after a run, and back up at
// a run start (with spec.autoscalerRef, to its HPA's minReplicas) or on deletion. Only spec.replicas is written — the one field of the user's Deployment we touch —
// with the cached resourceVersion as precondition, so a concurrent GitOps apply makes us re-read
// (409, requeue) instead of overwriting blind.
import type { Canary } from '../api/canary.js';
import { primaryName } from '../api/defaults.js';
import { patchOwned } from '../kube/diff-patch.js';
import { BUILTIN } from '../kube/resources.js';
import { autoscalers, hpaMinReplicas, targetHpa } from './autoscaler.js';
import { ensureBaseline } from './baseline.js';
import { targetOf } from './config-tracking.js';
import type { WorkloadDeps, WriteAction } from './deps.js';
import type { DeploymentJson } from './k8s-types.js';
import { primaryReplicas } from './primary-builder.js';

export async function scaleDeployment(
  deps: WorkloadDeps,
  dep: DeploymentJson,
  replicas: number,
): Promise<WriteAction> {
  const result = await patchOwned({
    raw: deps.raw,
    ref: BUILTIN.deployments,
    live: dep,
    desired: { spec: { replicas } },
    // The target is the user's; spec.replicas is the field the Canary contract gives us.
    notOwnedBecause: () => undefined,
  });
  if (result.changed) {
    deps.logger.info({ deployment: dep.metadata?.name, replicas }, 'deployment scaled');
  }
  return result.changed ? 'patched' : 'unchanged';
}

/**
 * Scales the Canary's target to 0, or up: to its own spec.replicas if a GitOps apply restored one;
 * else for a run to its HPA's minReplicas (spec.autoscalerRef; the HPA takes over from there),
 * and otherwise, or to serve again on deletion, to the primary's count (copied from the target
 * when it was last promoted, or set by the primary's HPA).
 */
export async function scaleTarget(
  deps: WorkloadDeps,
  canary: Canary,
  to: 'zero' | 'up',
  why: 'run' | 'deletion' = 'run',
): Promise<{ readonly action: WriteAction; readonly replicas: number }> {
  const target = targetOf(canary, deps.caches);
  const current = target.spec?.replicas ?? 0;
  const replicas = to === 'zero' ? 0 : current > 0 ? current : upTo(deps, canary, target, why);
  // A run's baseline follows the canary: up at the run's start, to 0 after it.
  if (why === 'run') await ensureBaseline(deps, canary, replicas);
  if (to === 'up' && current > 0) return { action: 'unchanged', replicas: current };
  return { action: await scaleDeployment(deps, target, replicas), replicas };
}

function upTo(
  deps: WorkloadDeps,
  canary: Canary,
  target: DeploymentJson,
  why: 'run' | 'deletion',
): number {
  const ref = canary.spec.autoscalerRef;
  if (ref !== undefined && why === 'run') {
    return hpaMinReplicas(targetHpa(canary, ref, autoscalers(deps)));
  }
  const primary = deps.caches.deployments.getByName(
    canary.metadata.namespace,
    primaryName(canary.spec),
  );
  return primaryReplicas(target, primary);
}
