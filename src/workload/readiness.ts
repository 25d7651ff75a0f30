// Readiness of a Deployment's current template, from its status alone (no pod reads). `failed`
// is final for this template: the Deployment controller gave up (ProgressDeadlineExceeded). The
// Canary's own progressDeadlineSeconds bounds `pending` too — the engine enforces that, so a
// template that never becomes ready cannot stay "Progressing" forever (flagger#523, #1247).
import type { DeploymentJson } from './k8s-types.js';

/** Same shape as src/machine's Readiness, so the reconciler passes it through unchanged. */
export type Readiness =
  | { readonly state: 'ready' }
  | { readonly state: 'pending'; readonly message: string }
  | { readonly state: 'failed'; readonly message: string };

const pending = (message: string): Readiness => ({ state: 'pending', message });

export function deploymentReadiness(dep: DeploymentJson): Readiness {
  const name = dep.metadata?.name ?? '';
  const generation = dep.metadata?.generation ?? 0;
  const status = dep.status ?? {};
  const observed = status.observedGeneration ?? 0;
  // Everything below describes an older spec until the controller has observed this one.
  if (observed < generation) {
    return pending(
      `${name}: waiting for the Deployment controller to observe generation ${generation}`,
    );
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      state: 'failed',
      message: `${name}: progress deadline exceeded${progressing.message === undefined ? '' : `: ${progressing.message}`}`,
    };
  }
  if (dep.spec?.paused === true) return pending(`${name}: rollout is paused`);
  const replicas = dep.spec?.replicas ?? 1;
  if (replicas === 0) return pending(`${name}: scaled to zero`);
  const updated = status.updatedReplicas ?? 0;
  if (updated < replicas) return pending(`${name}: ${updated} of ${replicas} updated replicas`);
  const total = status.replicas ?? 0;
  if (total > updated) {
    return pending(`${name}: ${total - updated} old replica(s) pending termination`);
  }
  const available = status.availableReplicas ?? 0;
  if (available < updated) {
    return pending(`${name}: ${available} of ${updated} updated replicas available`);
  }
  return { state: 'ready' };
}
