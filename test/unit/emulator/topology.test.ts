import { describe, expect, it } from '@jest/globals';
import { EMULATOR_ANNOTATIONS as A } from '../../../dev/local/emulator/annotations.js';
import type {
  DeploymentObject,
  ServiceObject,
  TrafficSplitObject,
} from '../../../dev/local/emulator/objects.js';
import { namespaceTopology } from '../../../dev/local/emulator/topology.js';

const NS = 'shop';

function svc(name: string, selector?: Record<string, string>, rps?: string): ServiceObject {
  return {
    metadata: {
      name,
      namespace: NS,
      ...(rps === undefined ? {} : { annotations: { [A.rps]: rps } }),
    },
    spec: { ...(selector === undefined ? {} : { selector }), ports: [{ port: 9898 }] },
  };
}

function deploy(
  name: string,
  labels: Record<string, string>,
  ready: number,
  annotations: Record<string, string> = {},
): DeploymentObject {
  return {
    metadata: { name, namespace: NS },
    spec: { replicas: ready, template: { metadata: { labels, annotations } } },
    status: { readyReplicas: ready },
  };
}

function split(
  name: string,
  service: string,
  backends: { service: string; weight: unknown }[],
  created = '2026-01-01T00:00:00Z',
): TrafficSplitObject {
  return {
    metadata: { name, namespace: NS, creationTimestamp: created },
    spec: { service, backends },
  };
}

// The shape weightlifter builds for a Canary on `podinfo` (DESIGN §2).
const flagger = {
  namespace: NS,
  services: [
    svc('podinfo', { app: 'podinfo-primary' }),
    svc('podinfo-primary', { app: 'podinfo-primary' }),
    svc('podinfo-canary', { app: 'podinfo' }),
  ],
  deployments: [
    deploy('podinfo-primary', { app: 'podinfo-primary' }, 2),
    deploy('podinfo', { app: 'podinfo' }, 1, { [A.errorRate]: '0.3' }),
  ],
  splits: [
    split('podinfo', 'podinfo', [
      { service: 'podinfo-primary', weight: 90 },
      { service: 'podinfo-canary', weight: 10 },
    ]),
  ],
};

describe('namespaceTopology', () => {
  it('loads the apex of a split only, routed to the Deployments its backends select', () => {
    const { targets, problems } = namespaceTopology(flagger, 10);
    expect(problems).toEqual([]);
    expect(targets).toHaveLength(1);
    const [t] = targets;
    expect(t).toMatchObject({
      namespace: NS,
      service: 'podinfo',
      split: 'podinfo',
      rps: 10,
      authority: 'podinfo.shop.svc.cluster.local:9898',
    });
    expect(
      t?.backends.map((b) => [b.service, b.weight, b.workloads.map((w) => w.deployment)]),
    ).toEqual([
      ['podinfo-primary', 90, ['podinfo-primary']],
      ['podinfo-canary', 10, ['podinfo']],
    ]);
    expect(t?.backends[1]?.workloads[0]?.behaviour.errorRate).toBe(0.3);
    expect(t?.backends[0]?.workloads[0]?.readyPods).toBe(2);
  });

  it('with canaryRps, also loads the -canary backend on its own, by its selector (blue/green)', () => {
    const blueGreen = {
      ...flagger,
      splits: [
        split('podinfo', 'podinfo', [
          { service: 'podinfo-primary', weight: 100 },
          { service: 'podinfo-canary', weight: 0 },
        ]),
      ],
    };
    const { targets, problems } = namespaceTopology(blueGreen, 10, 7);
    expect(problems).toEqual([]);
    expect(
      targets.map((t) => [t.service, t.rps, t.split, t.backends.map((b) => b.service)]),
    ).toEqual([
      ['podinfo', 10, 'podinfo', ['podinfo-primary', 'podinfo-canary']],
      ['podinfo-canary', 7, undefined, ['podinfo-canary']],
    ]);
    expect(targets[1]?.backends[0]?.workloads.map((w) => w.deployment)).toEqual(['podinfo']);
    // Without it (the default), the canary gets only what the route gives it: here nothing.
    expect(namespaceTopology(blueGreen, 10).targets.map((t) => t.service)).toEqual(['podinfo']);
    // The Service's rps annotation overrides canaryRps.
    const annotated = {
      ...blueGreen,
      services: blueGreen.services.map((s) =>
        s.metadata?.name === 'podinfo-canary' ? svc('podinfo-canary', { app: 'podinfo' }, '3') : s,
      ),
    };
    expect(namespaceTopology(annotated, 10, 7).targets[1]?.rps).toBe(3);
  });

  it('loads plain Services by their selector, but not ones named like split backends', () => {
    const { targets } = namespaceTopology(
      {
        namespace: NS,
        services: [
          svc('web', { app: 'web' }),
          svc('web-canary', { app: 'web' }),
          svc('api-primary', { app: 'web' }, '3'),
          svc('headless'),
        ],
        deployments: [deploy('web', { app: 'web', tier: 'x' }, 1)],
        splits: [],
      },
      10,
    );
    expect(
      targets.map((t) => [t.service, t.rps, t.split, t.backends[0]?.workloads.length]),
    ).toEqual([
      ['web', 10, undefined, 1],
      ['api-primary', 3, undefined, 1],
    ]);
  });

  it('matches every selector pair against the template labels', () => {
    const { targets } = namespaceTopology(
      {
        namespace: NS,
        services: [svc('web', { app: 'web', track: 'stable' })],
        deployments: [
          deploy('a', { app: 'web', track: 'stable' }, 1),
          deploy('b', { app: 'web', track: 'canary' }, 1),
        ],
        splits: [],
      },
      10,
    );
    expect(targets[0]?.backends[0]?.workloads.map((w) => w.deployment)).toEqual(['a']);
  });

  it('reports bad annotations, missing Services and duplicate splits', () => {
    const { targets, problems } = namespaceTopology(
      {
        namespace: NS,
        services: [svc('web', { app: 'web' }, 'many')],
        deployments: [deploy('web', { app: 'web' }, 1, { [A.errorRate]: '2' })],
        splits: [
          split('first', 'web', [{ service: 'gone', weight: '1' }], '2026-01-01T00:00:00Z'),
          split('second', 'web', [{ service: 'web', weight: 1 }], '2026-01-02T00:00:00Z'),
          split('orphan', 'nosuch', [{ service: 'web', weight: 1 }]),
        ],
      },
      10,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          object: 'Deployment shop/web',
          message: `${A.errorRate}="2": out of range [0, 1]; using 0`,
        },
        { object: 'TrafficSplit shop/second', message: 'apex web already split by first' },
        { object: 'TrafficSplit shop/orphan', message: 'apex Service nosuch not found: no load' },
        { object: 'TrafficSplit shop/first', message: 'backend Service gone not found' },
        { object: 'Service shop/web', message: `${A.rps}="many": not a number; using 10` },
      ]),
    );
    expect(
      targets.map((t) => [t.service, t.split, t.backends.map((b) => b.workloads.length)]),
    ).toEqual([['web', 'first', [0]]]);
  });

  it('serves no pods for a Deployment scaled to zero or being deleted', () => {
    const deleting = deploy('b', { app: 'web' }, 2);
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' };
    const scaled = deploy('a', { app: 'web' }, 0);
    scaled.status = { readyReplicas: 1 }; // status lags the spec
    const { targets } = namespaceTopology(
      {
        namespace: NS,
        services: [svc('web', { app: 'web' })],
        deployments: [scaled, deleting],
        splits: [],
      },
      10,
    );
    expect(targets[0]?.backends[0]?.workloads.map((w) => w.readyPods)).toEqual([0, 0]);
  });
});
