// When a blocked Canary's deletion may hand the apex Service back to the target (issue 12 item 10).
import { describe, expect, it } from '@jest/globals';
import { targetNotReadyReason } from '../../../src/canary/release-wait.js';
import type { EndpointSliceJson } from '../../../src/routing/endpoints.js';
import type { ObjectReader } from '../../../src/kube/object-reader.js';
import type { DeploymentJson } from '../../../src/workload/k8s-types.js';

const ns = 'shop';

function target(replicas: number, available: number, generation = 2, observed = 2): DeploymentJson {
  return {
    metadata: { name: 'podinfo', namespace: ns, generation },
    spec: { replicas },
    status: {
      observedGeneration: observed,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: available,
      availableReplicas: available,
    },
  };
}

function slices(ready: number, notReady = 0): ObjectReader<EndpointSliceJson> {
  const endpoint = (isReady: boolean) => ({
    addresses: ['10.0.0.1'],
    conditions: { ready: isReady },
  });
  const objects: EndpointSliceJson[] = [
    {
      metadata: {
        name: 'podinfo-canary-abc',
        namespace: ns,
        labels: { 'kubernetes.io/service-name': 'podinfo-canary' },
      },
      endpoints: [
        ...Array.from({ length: ready }, () => endpoint(true)),
        ...Array.from({ length: notReady }, () => endpoint(false)),
      ],
    },
  ];
  return {
    getByName: (n, name) =>
      objects.find((o) => o.metadata?.namespace === n && o.metadata?.name === name),
    list: (n) => objects.filter((o) => n === undefined || o.metadata?.namespace === n),
  };
}

describe('targetNotReadyReason', () => {
  it.each([
    ['scaled to zero', target(0, 0), slices(0), /scaled to zero/],
    ['scale-up not observed yet', target(2, 0, 3, 2), slices(0), /observe generation 3/],
    ['pods not available', target(2, 1), slices(1, 1), /1 of 2 updated replicas available/],
    ['available but endpoints lag', target(2, 2), slices(1, 1), /podinfo-canary has 1 ready/],
  ])('waits while %s', (_what, dep, sl, reason) => {
    expect(
      targetNotReadyReason({
        target: dep,
        namespace: ns,
        canaryService: 'podinfo-canary',
        slices: sl,
      }),
    ).toMatch(reason);
  });

  it('lets go once the Deployment is available and the -canary Service has its endpoints', () => {
    expect(
      targetNotReadyReason({
        target: target(2, 2),
        namespace: ns,
        canaryService: 'podinfo-canary',
        slices: slices(2),
      }),
    ).toBeUndefined();
  });

  it('decides on the Deployment alone without EndpointSlices or a -canary Service', () => {
    const input = { target: target(2, 2), namespace: ns };
    expect(targetNotReadyReason({ ...input, canaryService: undefined, slices: slices(0) })).toBe(
      undefined,
    );
    expect(
      targetNotReadyReason({ ...input, canaryService: 'podinfo-canary', slices: undefined }),
    ).toBeUndefined();
    expect(
      targetNotReadyReason({
        target: target(2, 1),
        namespace: ns,
        canaryService: undefined,
        slices: undefined,
      }),
    ).toMatch(/1 of 2/);
  });
});
