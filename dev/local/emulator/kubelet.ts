import { PatchStrategy } from '../../../src/kube/http-constants.js';
import type { Logger } from 'pino';
import { isNotFound } from '../../../src/kube/errors.js';
import type { Informer } from '../../../src/kube/informer.js';
import { keyOf } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, objectPath } from '../../../src/kube/resources.js';
import type { DeploymentObject, DeploymentStatus } from './objects.js';
import { computeStatus, observeSpec, type RolloutState } from './rollout-model.js';

export interface KubeletRoleOptions {
  readonly raw: KubeRawClient;
  readonly deployments: Informer<DeploymentObject>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Status writes in flight at once. @default 8 */
  readonly concurrency?: number;
}

interface Tracked {
  state: RolloutState;
  /** When to look again without any event; undefined = only on events. */
  dueAt: number | undefined;
}

const FIELDS = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
] as const;

function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  if (a === undefined) return false;
  if (FIELDS.some((f) => (a[f] ?? 0) !== (b[f] ?? 0))) return false;
  const ca = a.conditions ?? [];
  const cb = b.conditions ?? [];
  return (
    ca.length === cb.length &&
    cb.every((c) => {
      const o = ca.find((x) => x.type === c.type);
      return (
        o !== undefined &&
        o.status === c.status &&
        o.reason === c.reason &&
        o.message === c.message &&
        o.lastUpdateTime === c.lastUpdateTime &&
        o.lastTransitionTime === c.lastTransitionTime
      );
    })
  );
}

/**
 * The emulator's kubelet + deployment-controller stand-in, for control planes where nothing runs
 * pods (ControlPlane.podsRunByKwok false): it writes each Deployment's status through the status
 * subresource from the rollout model. Level-triggered: every event or due time recomputes the
 * whole status and patches only when it differs from what the server has.
 */
export class KubeletRole {
  readonly #o: KubeletRoleOptions;
  readonly #now: () => number;
  readonly #tracked = new Map<string, Tracked>();
  readonly #dirty = new Set<string>();
  readonly #inFlight = new Set<string>();
  readonly #unsubscribe: () => void;
  #writes = 0;

  constructor(opts: KubeletRoleOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#unsubscribe = opts.deployments.onEvent((e) => {
      if (e.type === 'delete') this.#tracked.delete(e.key);
      else this.#dirty.add(e.key);
    });
    for (const key of opts.deployments.keys()) this.#dirty.add(key);
  }

  /** Status patches sent so far (for tests and the benchmark). */
  get writes(): number {
    return this.#writes;
  }

  stop(): void {
    this.#unsubscribe();
  }

  /** Recomputes dirty and due Deployments; called by the emulator's tick. */
  tick(): void {
    const now = this.#now();
    for (const [key, t] of this.#tracked) {
      if (t.dueAt !== undefined && t.dueAt <= now) this.#dirty.add(key);
    }
    const limit = this.#o.concurrency ?? 8;
    for (const key of this.#dirty) {
      if (this.#inFlight.size >= limit) break;
      if (this.#inFlight.has(key)) continue;
      this.#dirty.delete(key);
      const d = this.#o.deployments.get(key);
      if (d === undefined) continue;
      this.#sync(key, d, now);
    }
  }

  #sync(key: string, d: DeploymentObject, now: number): void {
    const prev = this.#tracked.get(key);
    const state = observeSpec(prev?.state, d, now);
    const { status, nextChangeAt } = computeStatus(state, d, now);
    this.#tracked.set(key, { state, dueAt: nextChangeAt });
    if (sameStatus(d.status, status)) return;
    const ns = d.metadata?.namespace;
    const name = d.metadata?.name ?? '';
    const path = objectPath(BUILTIN.deployments, ns, name, 'status');
    this.#inFlight.add(key);
    this.#writes++;
    void this.#o.raw
      .patch(path, { status }, PatchStrategy.MergePatch)
      .catch((err: unknown) => {
        if (isNotFound(err)) return; // deleted meanwhile: the delete event forgets it
        // Retried on the next tick: a status the server lacks is level-triggered work.
        this.#o.logger.warn({ err, deployment: keyOf(d) }, 'deployment status write failed');
        this.#dirty.add(key);
      })
      .finally(() => this.#inFlight.delete(key));
  }
}
