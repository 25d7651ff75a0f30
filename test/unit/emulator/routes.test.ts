import { describe, expect, it } from '@jest/globals';
import { EMULATOR_ANNOTATIONS as A } from '../../../dev/local/emulator/annotations.js';
import type {
  DeploymentObject,
  HttpRouteObject,
  ServiceObject,
  TrafficSplitObject,
} from '../../../dev/local/emulator/objects.js';
import { namespaceTopology } from '../../../dev/local/emulator/topology.js';

// The routing table fed from both APIs, seen through the load targets it produces.
const NS = 'shop';

const svc = (name: string, selector: Record<string, string>): ServiceObject => ({
  metadata: { name, namespace: NS },
  spec: { selector, ports: [{ port: 9898 }] },
});
const deploy = (name: string, app: string): DeploymentObject => ({
  metadata: { name, namespace: NS },
  spec: { replicas: 1, template: { metadata: { labels: { app } } } },
  status: { readyReplicas: 1 },
});

function httpRoute(
  name: string,
  weights: [string, number][],
  opts: { created?: string; annotations?: Record<string, string>; exact?: boolean } = {},
): HttpRouteObject {
  return {
    metadata: {
      name,
      namespace: NS,
      generation: 1,
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      ...(opts.annotations === undefined ? {} : { annotations: opts.annotations }),
    },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'podinfo', port: 9898 }],
      rules: [
        {
          ...(opts.exact === true ? { matches: [{ path: { type: 'Exact', value: '/' } }] } : {}),
          backendRefs: weights.map(([n, weight]) => ({ name: n, port: 9898, weight })),
        },
      ],
    },
  };
}

const split = (name: string, created: string): TrafficSplitObject => ({
  metadata: { name, namespace: NS, creationTimestamp: created },
  spec: {
    service: 'podinfo',
    backends: [
      { service: 'podinfo-primary', weight: 50 },
      { service: 'podinfo-canary', weight: 50 },
    ],
  },
});

const world = {
  namespace: NS,
  services: [
    svc('podinfo', { app: 'podinfo-primary' }),
    svc('podinfo-primary', { app: 'podinfo-primary' }),
    svc('podinfo-canary', { app: 'podinfo' }),
  ],
  deployments: [deploy('podinfo-primary', 'podinfo-primary'), deploy('podinfo', 'podinfo')],
  splits: [] as TrafficSplitObject[],
};
const EIGHTY_TWENTY: [string, number][] = [
  ['podinfo-primary', 80],
  ['podinfo-canary', 20],
];

const summary = (targets: ReturnType<typeof namespaceTopology>['targets']) =>
  targets.map((t) => ({
    service: t.service,
    split: t.split,
    httpRoute: t.httpRoute,
    backends: t.backends.map((b) => [b.service, b.weight, b.workloads.map((w) => w.deployment)]),
  }));

describe('the routing table with HTTPRoutes', () => {
  it("routes a Service parent by the rule's weights; the backends get no load of their own", () => {
    const { targets, problems, httpRoutes } = namespaceTopology(
      { ...world, httpRoutes: [httpRoute('podinfo', EIGHTY_TWENTY)] },
      10,
    );
    expect(problems).toEqual([]);
    expect(summary(targets)).toEqual([
      {
        service: 'podinfo',
        split: undefined,
        httpRoute: 'podinfo',
        backends: [
          ['podinfo-primary', 80, ['podinfo-primary']],
          ['podinfo-canary', 20, ['podinfo']],
        ],
      },
    ]);
    expect(httpRoutes.map((r) => r.evaluation.parents[0]?.accepted.status)).toEqual(['True']);
  });

  it('with canaryRps, loads the -canary backend of an HTTPRoute on its own too', () => {
    const { targets } = namespaceTopology(
      { ...world, httpRoutes: [httpRoute('podinfo', EIGHTY_TWENTY)] },
      10,
      7,
    );
    expect(targets.map((t) => [t.service, t.rps])).toEqual([
      ['podinfo', 10],
      ['podinfo-canary', 7],
    ]);
  });

  it('a rejected route routes nothing: the apex is a plain Service again, and the rejection is reported', () => {
    const rejected = httpRoute('podinfo', EIGHTY_TWENTY, { annotations: { [A.reject]: 'no' } });
    const { targets, problems } = namespaceTopology({ ...world, httpRoutes: [rejected] }, 10);
    expect(summary(targets)).toEqual([
      {
        service: 'podinfo',
        split: undefined,
        httpRoute: undefined,
        backends: [['podinfo', 1, ['podinfo-primary']]],
      },
    ]);
    expect(problems).toEqual([
      {
        object: 'HTTPRoute shop/podinfo',
        message: 'not accepted for Service podinfo (Rejected): no',
      },
    ]);
  });

  it('one table for both APIs: the oldest route of an apex wins, the other is reported', () => {
    const older = { ...world, splits: [split('podinfo', '2026-01-01T00:00:00Z')] };
    const young = httpRoute('podinfo', EIGHTY_TWENTY, { created: '2026-01-02T00:00:00Z' });
    const a = namespaceTopology({ ...older, httpRoutes: [young] }, 10);
    expect(summary(a.targets).map((t) => [t.split, t.httpRoute])).toEqual([['podinfo', undefined]]);
    expect(a.problems).toEqual([
      { object: 'HTTPRoute shop/podinfo', message: 'apex podinfo already split by podinfo' },
    ]);

    const old = httpRoute('podinfo', EIGHTY_TWENTY, { created: '2025-12-31T00:00:00Z' });
    const b = namespaceTopology({ ...older, httpRoutes: [old] }, 10);
    expect(summary(b.targets).map((t) => [t.split, t.httpRoute])).toEqual([[undefined, 'podinfo']]);
    expect(b.problems).toEqual([
      {
        object: 'TrafficSplit shop/podinfo',
        message: 'apex podinfo already routed by HTTPRoute podinfo',
      },
    ]);
  });

  it('a more specific rule (Exact "/") wins over an older catch-all', () => {
    const catchAll = httpRoute('a-old', [['podinfo-primary', 1]], {
      created: '2025-01-01T00:00:00Z',
    });
    const exact = httpRoute('b-new', [['podinfo-canary', 1]], { exact: true });
    const { targets } = namespaceTopology({ ...world, httpRoutes: [catchAll, exact] }, 10);
    expect(summary(targets).map((t) => [t.httpRoute, t.backends.map((b) => b[0])])).toEqual([
      ['b-new', ['podinfo-canary']],
    ]);
  });

  it('keeps a missing backend in the route (its share fails) and reports it', () => {
    const { targets, problems } = namespaceTopology(
      { ...world, httpRoutes: [httpRoute('podinfo', [...EIGHTY_TWENTY, ['podinfo-gone', 5]])] },
      10,
    );
    expect(summary(targets)[0]?.backends.at(-1)).toEqual(['podinfo-gone', 5, []]);
    expect(problems).toEqual([
      { object: 'HTTPRoute shop/podinfo', message: 'backend Service podinfo-gone not found' },
    ]);
  });
});
