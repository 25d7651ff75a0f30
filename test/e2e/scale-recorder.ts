// Who scales what: every change of a Deployment's spec.replicas, recorded from a watch, with the
// field managers that own spec.replicas after it: weightlifter ("weightlifter (...)") or the HPA
// controller ("kube-controller-manager/scale", through the scale subresource).
import { pino } from 'pino';
import { Informer } from '../../src/kube/informer.js';
import { createListerWatcher } from '../../src/kube/lister-watcher.js';
import { isNotFound } from '../../src/kube/errors.js';
import { BUILTIN } from '../../src/kube/resources.js';
import type { DeploymentJson, HpaJson } from '../../src/workload/k8s-types.js';
import type { E2E } from './harness.js';

interface ManagedFieldsEntry {
  manager?: string;
  subresource?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> };
}

/** One change of a Deployment's spec.replicas, and who owns spec.replicas after it. */
export interface ScaleWrite {
  readonly name: string;
  readonly replicas: number;
  readonly owners: readonly string[];
}

/** The HPA controller's field manager, writing through the scale subresource. */
export const HPA_CONTROLLER = 'kube-controller-manager/scale';

function replicasOwners(dep: DeploymentJson): string[] {
  const entries = (dep.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  return entries
    .filter((m) => m.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined)
    .map((m) => `${m.manager ?? '?'}${m.subresource === undefined ? '' : `/${m.subresource}`}`);
}

export const byWeightlifter = (w: ScaleWrite): boolean =>
  w.owners.some((o) => o.startsWith('weightlifter'));

/** Records every spec.replicas change of the named Deployments of a namespace, managedFields kept. */
export class ScaleRecorder {
  readonly writes: ScaleWrite[] = [];
  readonly #informer: Informer<DeploymentJson>;

  constructor(admin: E2E['admin'], ns: string, names: readonly string[]) {
    this.#informer = new Informer<DeploymentJson>({
      name: `e2e-scale-recorder-${ns}`,
      listerWatcher: createListerWatcher<DeploymentJson>(admin, BUILTIN.deployments, {
        namespace: ns,
      }),
      logger: pino({ level: 'silent' }),
      transform: (obj) => obj,
    });
    const last = new Map<string, number>();
    this.#informer.onEvent((ev) => {
      const name = ev.obj.metadata?.name ?? '';
      if (ev.type === 'delete' || !names.includes(name)) return;
      const replicas = ev.obj.spec?.replicas ?? -1;
      if (last.get(name) === replicas) return;
      last.set(name, replicas);
      this.writes.push({ name, replicas, owners: replicasOwners(ev.obj) });
    });
  }

  async start(): Promise<void> {
    this.#informer.start();
    await this.#informer.waitForSync(30_000);
  }

  of(name: string): ScaleWrite[] {
    return this.writes.filter((w) => w.name === name);
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }
}

/** An autoscaling/v2 HorizontalPodAutoscaler, or undefined when there is none. */
export async function getHpa(
  admin: E2E['admin'],
  ns: string,
  name: string,
): Promise<HpaJson | undefined> {
  try {
    return await admin.get<HpaJson>(
      `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`,
    );
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export interface HpaCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** One of an HPA's status.conditions (AbleToScale, ScalingActive, ScalingLimited). */
export function hpaCondition(hpa: HpaJson | undefined, type: string): HpaCondition | undefined {
  const status = hpa?.status as { conditions?: HpaCondition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}
