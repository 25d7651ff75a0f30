// PodUsage: the cpu-millicores-per-rps of a pod is its Deployment's current pod template's, the
// requests per second are measured from the served counts over the window.
import { describe, expect, it } from '@jest/globals';
import { EMULATOR_ANNOTATIONS as A } from '../../../dev/local/emulator/annotations.js';
import type { DeploymentObject, PodObject } from '../../../dev/local/emulator/objects.js';
import { PodUsage } from '../../../dev/local/emulator/pod-usage.js';

const NS = 'shop';

function deployment(name: string, perRps: string | undefined): DeploymentObject {
  const annotations: Record<string, string> =
    perRps === undefined ? {} : { [A.cpuMillicoresPerRps]: perRps };
  return { metadata: { name, namespace: NS }, spec: { template: { metadata: { annotations } } } };
}

function pod(name: string, dep: string, annotations: Record<string, string> = {}): PodObject {
  return {
    metadata: {
      name,
      namespace: NS,
      labels: { 'pod-template-hash': 'h1' },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${dep}-h1`,
          uid: 'u',
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function usage(pods: PodObject[], deployments: DeploymentObject[]): PodUsage {
  return new PodUsage(
    {
      pods: { list: (ns) => pods.filter((p) => ns === undefined || p.metadata?.namespace === ns) },
      deployments: {
        getByName: (ns, name) =>
          deployments.find((d) => d.metadata?.namespace === ns && d.metadata.name === name),
      },
    },
    5_000,
  );
}

const cpuOf = (u: PodUsage): Record<string, string | undefined> =>
  Object.fromEntries(u.podMetrics(NS).map((m) => [m.metadata.name, m.containers[0]?.usage.cpu]));

describe('PodUsage', () => {
  it("uses the Deployment's pod template annotation, not the pod's own", () => {
    const u = usage(
      [pod('web-1', 'web', { [A.cpuMillicoresPerRps]: '100' }), pod('web-2', 'web')],
      [deployment('web', '3')],
    );
    u.sample(0, new Map([[`${NS}/web`, 0]]));
    u.sample(5_000, new Map([[`${NS}/web`, 200]]));
    // 40 rps over 2 pods: 1m + 20 × 3m each.
    expect(cpuOf(u)).toEqual({ 'web-1': '61000000n', 'web-2': '61000000n' });
  });

  it('uses the base alone for a bad annotation, a Deployment without one, or none at all', () => {
    const u = usage(
      [pod('bad-1', 'bad'), pod('plain-1', 'plain'), pod('gone-1', 'gone')],
      [deployment('bad', 'lots'), deployment('plain', undefined)],
    );
    const counts = new Map([
      [`${NS}/bad`, 0],
      [`${NS}/plain`, 0],
      [`${NS}/gone`, 0],
    ]);
    u.sample(0, counts);
    u.sample(5_000, new Map([...counts].map(([k]) => [k, 500])));
    expect(cpuOf(u)).toEqual({ 'bad-1': '1000000n', 'plain-1': '1000000n', 'gone-1': '1000000n' });
  });

  it('stamps the PodMetrics with the end and length of the measured window', () => {
    const u = usage([pod('web-1', 'web')], [deployment('web', '1')]);
    u.sample(Date.UTC(2026, 11, 5, 0, 0, 0), new Map());
    u.sample(Date.UTC(2026, 11, 5, 0, 0, 4), new Map());
    expect(u.podMetrics()[0]).toMatchObject({ timestamp: '2026-12-05T00:00:04Z', window: '4s' });
  });
});
