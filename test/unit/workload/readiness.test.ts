import { describe, expect, it } from '@jest/globals';
import type { DeploymentJson } from '../../../src/workload/k8s-types.js';
import { deploymentReadiness } from '../../../src/workload/readiness.js';

type Status = NonNullable<DeploymentJson['status']>;

function dep(replicas: number, status: Status, generation = 2, paused = false): DeploymentJson {
  return {
    metadata: { name: 'web', generation },
    spec: { replicas, paused },
    status: { observedGeneration: 2, ...status },
  };
}

const deadline = {
  type: 'Progressing',
  status: 'False',
  reason: 'ProgressDeadlineExceeded',
  message: 'ReplicaSet "web-1" has timed out progressing.',
};

describe('deploymentReadiness', () => {
  const table: [string, DeploymentJson, 'ready' | 'pending' | 'failed', RegExp | null][] = [
    [
      'all updated and available',
      dep(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      'ready',
      null,
    ],
    [
      'spec change not yet observed',
      dep(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, 3),
      'pending',
      /generation 3/,
    ],
    [
      'rolling: too few updated',
      dep(3, { replicas: 4, updatedReplicas: 1, availableReplicas: 3 }),
      'pending',
      /1 of 3 updated/,
    ],
    [
      'old replicas terminating',
      dep(3, { replicas: 4, updatedReplicas: 3, availableReplicas: 3 }),
      'pending',
      /1 old replica/,
    ],
    [
      'updated but not available',
      dep(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 2 }),
      'pending',
      /2 of 3 updated replicas available/,
    ],
    [
      'progress deadline exceeded',
      dep(3, { replicas: 3, updatedReplicas: 1, conditions: [deadline] }),
      'failed',
      /timed out/,
    ],
    [
      'deadline condition on an unobserved spec is stale',
      dep(3, { conditions: [deadline] }, 5),
      'pending',
      /generation 5/,
    ],
    ['scaled to zero', dep(0, { replicas: 0 }), 'pending', /scaled to zero/],
    ['paused rollout', dep(3, { replicas: 3, updatedReplicas: 1 }, 2, true), 'pending', /paused/],
    [
      'no status yet',
      { metadata: { name: 'web', generation: 1 }, spec: { replicas: 1 } },
      'pending',
      /generation 1/,
    ],
  ];
  it.each(table)('%s', (_what, d, state, message) => {
    const r = deploymentReadiness(d);
    expect(r.state).toBe(state);
    if (message !== null && r.state !== 'ready') expect(r.message).toMatch(message);
  });
});
