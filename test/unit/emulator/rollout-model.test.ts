import { describe, expect, it } from '@jest/globals';
import { EMULATOR_ANNOTATIONS as A } from '../../../dev/local/emulator/annotations.js';
import type { DeploymentObject } from '../../../dev/local/emulator/objects.js';
import {
  computeStatus,
  observeSpec,
  type RolloutState,
} from '../../../dev/local/emulator/rollout-model.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const s = (seconds: number): number => T0 + seconds * 1000;

function deployment(opts: {
  generation?: number;
  replicas?: number;
  image?: string;
  annotations?: Record<string, string>;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  status?: DeploymentObject['status'];
}): DeploymentObject {
  return {
    metadata: { name: 'web', namespace: 'ns', generation: opts.generation ?? 1 },
    spec: {
      replicas: opts.replicas ?? 2,
      ...(opts.minReadySeconds === undefined ? {} : { minReadySeconds: opts.minReadySeconds }),
      ...(opts.progressDeadlineSeconds === undefined
        ? {}
        : { progressDeadlineSeconds: opts.progressDeadlineSeconds }),
      template: {
        metadata: { labels: { app: 'web' }, annotations: opts.annotations ?? {} },
        spec: { containers: [{ name: 'c', image: opts.image ?? 'v1' }] },
      },
    },
    ...(opts.status === undefined ? {} : { status: opts.status }),
  };
}

/** Status at `at`, fed back into the object as the API server would store it. */
function statusAt(state: RolloutState, d: DeploymentObject, at: number) {
  const out = computeStatus(state, d, at);
  d.status = out.status;
  return out;
}

const cond = (d: DeploymentObject, type: string) =>
  d.status?.conditions?.find((c) => c.type === type);

describe('rollout model', () => {
  it('makes pods ready after ready-delay-seconds and available minReadySeconds later', () => {
    const d = deployment({ annotations: { [A.readyDelaySeconds]: '2' }, minReadySeconds: 3 });
    const st = observeSpec(undefined, d, s(0));
    let out = statusAt(st, d, s(0));
    expect(out.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 2,
    });
    expect(out.nextChangeAt).toBe(s(2));
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    expect(cond(d, 'Available')).toMatchObject({ status: 'False' });
    out = statusAt(st, d, s(2));
    expect(out.status).toMatchObject({ readyReplicas: 2, availableReplicas: 0 });
    expect(out.nextChangeAt).toBe(s(5));
    out = statusAt(st, d, s(5));
    expect(out.status).toMatchObject({
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 0,
    });
    expect(cond(d, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(cond(d, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
    expect(out.nextChangeAt).toBeUndefined();
  });

  it('reports ProgressDeadlineExceeded for a never-ready template', () => {
    const d = deployment({ annotations: { [A.ready]: 'false' }, progressDeadlineSeconds: 10 });
    const st = observeSpec(undefined, d, s(0));
    const early = statusAt(st, d, s(10));
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    expect(early.nextChangeAt).toBeGreaterThan(s(10));
    statusAt(st, d, s(11));
    expect(d.status).toMatchObject({ readyReplicas: 0, availableReplicas: 0, updatedReplicas: 2 });
    expect(cond(d, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: expect.stringContaining('has timed out progressing') as unknown,
    });
  });

  it('keeps old pods serving while a new template rolls out, then replaces them', () => {
    const v1 = deployment({});
    let st = observeSpec(undefined, v1, s(0));
    statusAt(st, v1, s(0));
    expect(v1.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    const v2 = deployment({
      generation: 2,
      image: 'v2',
      annotations: { [A.readyDelaySeconds]: '5' },
      status: v1.status,
    });
    st = observeSpec(st, v2, s(10));
    statusAt(st, v2, s(11));
    expect(v2.status).toMatchObject({
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(cond(v2, 'Available')?.status).toBe('True');
    statusAt(st, v2, s(15));
    expect(v2.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(cond(v2, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('old pods stay when the new template never becomes ready', () => {
    const v1 = deployment({});
    let st = observeSpec(undefined, v1, s(0));
    statusAt(st, v1, s(0));
    const bad = deployment({
      generation: 2,
      image: 'bad',
      annotations: { [A.ready]: 'false' },
      progressDeadlineSeconds: 5,
      status: v1.status,
    });
    st = observeSpec(st, bad, s(1));
    statusAt(st, bad, s(100));
    expect(bad.status).toMatchObject({ replicas: 4, updatedReplicas: 2, availableReplicas: 2 });
    expect(cond(bad, 'Progressing')?.reason).toBe('ProgressDeadlineExceeded');
  });

  it('scales up and down', () => {
    const d = deployment({ replicas: 1 });
    let st = observeSpec(undefined, d, s(0));
    statusAt(st, d, s(0));
    const up = deployment({ generation: 2, replicas: 3, status: d.status });
    st = observeSpec(st, up, s(1));
    statusAt(st, up, s(1));
    expect(up.status).toMatchObject({ replicas: 3, readyReplicas: 3, observedGeneration: 2 });
    const zero = deployment({ generation: 3, replicas: 0, status: up.status });
    st = observeSpec(st, zero, s(2));
    statusAt(st, zero, s(2));
    expect(zero.status).toMatchObject({ replicas: 0, readyReplicas: 0, availableReplicas: 0 });
    expect(cond(zero, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('does not replay a finished rollout after a restart', () => {
    const d = deployment({
      annotations: { [A.readyDelaySeconds]: '30' },
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      },
    });
    const st = observeSpec(undefined, d, s(0));
    statusAt(st, d, s(0));
    expect(d.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const d = deployment({ annotations: { [A.readyDelaySeconds]: '1' } });
    const st = observeSpec(undefined, d, s(0));
    statusAt(st, d, s(0));
    const first = cond(d, 'Progressing')?.lastTransitionTime;
    statusAt(st, d, s(1));
    expect(cond(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    expect(cond(d, 'Progressing')?.lastTransitionTime).toBe(first);
    expect(cond(d, 'Available')?.lastTransitionTime).toBe(
      new Date(s(1)).toISOString().replace('.000', ''),
    );
  });
});
