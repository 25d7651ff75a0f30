import { parsePodBehaviour } from './annotations.js';
import type { DeploymentCondition, DeploymentObject, DeploymentStatus } from './objects.js';
import { templateHash } from './pods.js';

/**
 * A pure model of what kube-controller-manager + kubelets would report for a Deployment, for
 * control planes where nothing runs pods. Pods are tracked in cohorts (created together from one
 * template): a cohort becomes Ready `ready-delay-seconds` after creation (never, for a template
 * annotated ready: "false") and Available `minReadySeconds` later. A new template surges a full new
 * cohort; old cohorts go once the new one is fully available. Not modelled: maxSurge batching,
 * paused rollouts, Recreate's kill-first order.
 */
interface Cohort {
  readonly hash: string;
  count: number;
  readonly createdAt: number;
  /** Infinity for never-ready templates. */
  readonly readyAt: number;
  readonly availableAt: number;
}

export interface RolloutState {
  readonly name: string;
  cohorts: Cohort[];
  /** Last time something moved (a cohort created, removed or scaled). */
  lastChangeAt: number;
  generation: number;
  target: number;
  hash: string;
}

const DEFAULT_PROGRESS_DEADLINE_S = 600;

function cohortFor(d: DeploymentObject, hash: string, count: number, now: number): Cohort {
  const b = parsePodBehaviour(d.spec?.template?.metadata?.annotations).value;
  const readyAt = b.ready ? now + b.readyDelaySeconds * 1000 : Infinity;
  return {
    hash,
    count,
    createdAt: now,
    readyAt,
    availableAt: readyAt + (d.spec?.minReadySeconds ?? 0) * 1000,
  };
}

/** Follows a (new or changed) spec: creates, scales or supersedes cohorts. */
export function observeSpec(
  state: RolloutState | undefined,
  d: DeploymentObject,
  now: number,
): RolloutState {
  const target = Math.max(0, d.spec?.replicas ?? 1);
  const hash = templateHash(d.spec?.template);
  const generation = d.metadata?.generation ?? 0;
  if (state === undefined) {
    const st = d.status;
    // A restarted emulator must not replay finished rollouts: a status that already reports this
    // generation fully available is taken as the truth.
    const settled =
      st?.observedGeneration === generation &&
      (st.availableReplicas ?? 0) === target &&
      (st.updatedReplicas ?? 0) === target &&
      (st.replicas ?? 0) === target;
    const cohort = settled
      ? { hash, count: target, createdAt: -Infinity, readyAt: -Infinity, availableAt: -Infinity }
      : cohortFor(d, hash, target, now);
    return {
      name: d.metadata?.name ?? '',
      cohorts: target > 0 ? [cohort] : [],
      lastChangeAt: settled ? -Infinity : now,
      generation,
      target,
      hash,
    };
  }
  if (state.generation === generation && state.hash === hash && state.target === target) {
    return state;
  }
  const next: RolloutState = { ...state, cohorts: [...state.cohorts], generation, target, hash };
  const current = next.cohorts.filter((c) => c.hash === hash);
  const have = current.reduce((n, c) => n + c.count, 0);
  if (have < target) {
    next.cohorts.push(cohortFor(d, hash, target - have, now));
    next.lastChangeAt = now;
  } else if (have > target) {
    let excess = have - target;
    for (const c of [...current].reverse()) {
      const cut = Math.min(excess, c.count);
      c.count -= cut;
      excess -= cut;
    }
    next.cohorts = next.cohorts.filter((c) => c.count > 0);
    next.lastChangeAt = now;
  }
  if (target === 0) next.cohorts = [];
  return next;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function maxUnavailable(d: DeploymentObject, target: number): number {
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return 0;
  const raw = d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  const n =
    typeof raw === 'number'
      ? raw
      : raw.endsWith('%')
        ? Math.floor((target * Number(raw.slice(0, -1))) / 100)
        : Number(raw);
  return Number.isFinite(n) ? Math.min(Math.max(0, n), target) : 0;
}

export interface ComputedStatus {
  readonly status: DeploymentStatus;
  /** When the status will next change by itself (a pod turning ready, a deadline), if ever. */
  readonly nextChangeAt: number | undefined;
}

/**
 * The status at `now`. Drops superseded cohorts once the current template is fully available.
 * `previous` conditions keep their lastTransitionTime while their status does not change.
 */
export function computeStatus(
  state: RolloutState,
  d: DeploymentObject,
  now: number,
): ComputedStatus {
  const current = state.cohorts.filter((c) => c.hash === state.hash);
  const availableNew = current.reduce((n, c) => n + (c.availableAt <= now ? c.count : 0), 0);
  if (availableNew >= state.target && state.cohorts.length > current.length) {
    state.cohorts = current;
    state.lastChangeAt = Math.max(state.lastChangeAt, ...current.map((c) => c.availableAt));
  }
  let replicas = 0;
  let updated = 0;
  let ready = 0;
  let available = 0;
  let lastProgress = state.lastChangeAt;
  let nextChangeAt: number | undefined;
  const future = (t: number): void => {
    if (t > now && Number.isFinite(t)) nextChangeAt = Math.min(nextChangeAt ?? Infinity, t);
  };
  for (const c of state.cohorts) {
    replicas += c.count;
    if (c.hash === state.hash) updated += c.count;
    if (c.readyAt <= now) {
      ready += c.count;
      lastProgress = Math.max(lastProgress, c.readyAt);
    } else future(c.readyAt);
    if (c.availableAt <= now) {
      available += c.count;
      lastProgress = Math.max(lastProgress, c.availableAt);
    } else future(c.availableAt);
  }
  const complete =
    replicas === state.target && updated === state.target && available === state.target;
  const deadlineMs = (d.spec?.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_S) * 1000;
  const exceeded = !complete && now - lastProgress > deadlineMs;
  if (!complete && !exceeded) future(lastProgress + deadlineMs + 1);

  const rsName = `${state.name}-${state.hash}`;
  const minAvailable = state.target - maxUnavailable(d, state.target);
  const availableOk = available >= minAvailable;
  const previous = d.status?.conditions ?? [];
  const condition = (
    type: string,
    status: 'True' | 'False',
    reason: string,
    message: string,
    updateAt: number,
  ): DeploymentCondition => {
    const prev = previous.find((c) => c.type === type);
    const transition =
      prev?.status === status && prev.lastTransitionTime !== undefined
        ? prev.lastTransitionTime
        : iso(now);
    const update = Number.isFinite(updateAt) ? iso(updateAt) : transition;
    return {
      type,
      status,
      reason,
      message,
      lastUpdateTime: update,
      lastTransitionTime: transition,
    };
  };
  const conditions = [
    availableOk
      ? condition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          -Infinity,
        )
      : condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          -Infinity,
        ),
    complete
      ? condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rsName}" has successfully progressed.`,
          lastProgress,
        )
      : exceeded
        ? condition(
            'Progressing',
            'False',
            'ProgressDeadlineExceeded',
            `ReplicaSet "${rsName}" has timed out progressing.`,
            lastProgress + deadlineMs,
          )
        : condition(
            'Progressing',
            'True',
            'ReplicaSetUpdated',
            `ReplicaSet "${rsName}" is progressing.`,
            lastProgress,
          ),
  ];
  return {
    status: {
      observedGeneration: state.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, state.target - available),
      conditions,
    },
    nextChangeAt,
  };
}
