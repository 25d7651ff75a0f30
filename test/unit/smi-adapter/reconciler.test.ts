import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { EventInput } from '../../../src/kube/events.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { routeRef } from '../../../src/routing/http-route.js';
import { ADAPTER_ANNOTATIONS, ADAPTER_LABELS } from '../../../src/smi-adapter/marks.js';
import {
  AdapterReconciler,
  type AdapterCaches,
  type TranslationResult,
} from '../../../src/smi-adapter/reconciler.js';
import { discoverResources, type AdapterResources } from '../../../src/smi-adapter/resources.js';
import { translateSplit, type SplitJson } from '../../../src/smi-adapter/translate.js';

const NS = 'shop';
const RESOURCES: AdapterResources = {
  splits: {
    group: 'split.smi-spec.io',
    version: 'v1alpha4',
    plural: 'trafficsplits',
    kind: 'TrafficSplit',
    namespaced: true,
  },
  groups: undefined,
  routes: routeRef('v1'),
};

const reader = <T extends KubeObject>(objects: T[]) => ({
  getByName: (ns: string | undefined, name: string) =>
    objects.find((o) => o.metadata?.namespace === ns && o.metadata?.name === name),
  list: () => objects,
});

interface Call {
  verb: string;
  path: string;
  body: unknown;
}

function world(opts: { split?: SplitJson; route?: KubeObject; service?: boolean }) {
  const calls: Call[] = [];
  const raw = {
    create: (path: string, body: KubeObject) => {
      calls.push({ verb: 'POST', path, body });
      return Promise.resolve({ ...body, metadata: { ...body.metadata, generation: 1 } });
    },
    patch: (path: string, body: unknown) => {
      calls.push({ verb: 'PATCH', path, body });
      return Promise.resolve({ metadata: { generation: 2 } });
    },
    request: (verb: string, path: string, o: { body?: unknown }) => {
      calls.push({ verb, path, body: o.body });
      return Promise.resolve(undefined);
    },
  } as unknown as KubeRawClient;
  const caches: AdapterCaches = {
    splits: reader(opts.split === undefined ? [] : [opts.split]),
    routes: reader(opts.route === undefined ? [] : [opts.route]),
    services: reader(
      opts.service === false
        ? []
        : [{ metadata: { name: 'web', namespace: NS }, spec: { ports: [{ port: 80 }] } }],
    ),
    groups: reader([]),
  };
  const events: EventInput[] = [];
  const counted: string[] = [];
  const reconciler = new AdapterReconciler({
    raw,
    resources: RESOURCES,
    caches,
    recordEvent: (ev) => {
      events.push(ev);
      return Promise.resolve();
    },
    metrics: {
      incTranslation: (r: TranslationResult) => counted.push(r),
      incRefusal: (r: string) => counted.push(`refused:${r}`),
    },
  });
  const run = () =>
    reconciler.reconcile(`${NS}/web`, {
      signal: new AbortController().signal,
      logger: pino({ level: 'silent' }),
      retries: 0,
    });
  return { calls, events, counted, run };
}

const split = (annotations: Record<string, string> = {}, generation = 1): SplitJson => ({
  metadata: { name: 'web', namespace: NS, uid: 'split-uid', generation, annotations },
  spec: {
    service: 'web',
    backends: [
      { service: 'web-v1', weight: 90 },
      { service: 'web-v2', weight: 10 },
    ],
  },
});

const SPLIT_PATH = `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits/web`;
const ROUTE_PATH = `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes/web`;
const owner = (uid: string, kind = 'TrafficSplit') => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind,
  name: 'web',
  uid,
  controller: true,
});

const annotations = (route: string | null, splitGeneration: string | null) =>
  ({
    [ADAPTER_ANNOTATIONS.routeGeneration]: route,
    [ADAPTER_ANNOTATIONS.splitGeneration]: splitGeneration,
  }) as Record<string, string>;

const PARENT_STATUS = {
  parentRef: { group: '', kind: 'Service', name: 'web', port: 80 },
  controllerName: 'mesh.example.com/gamma',
};
const accepted = (observedGeneration: number) => ({
  ...PARENT_STATUS,
  conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration }],
});

/** The route the adapter wrote for split(), at `generation`, with the mesh's status entries. */
function translatedRoute(generation: number, parents?: unknown[]): KubeObject {
  const t = translateSplit({
    split: split(),
    service: () => ({ spec: { ports: [{ port: 80 }] } }),
    group: () => undefined,
  });
  return {
    metadata: {
      name: 'web',
      namespace: NS,
      generation,
      labels: { ...ADAPTER_LABELS },
      ownerReferences: [owner('split-uid')],
    },
    spec: t.ok ? t.spec : {},
    ...(parents === undefined ? {} : { status: { parents } }),
  } as KubeObject;
}

describe('AdapterReconciler', () => {
  it('creates the HTTPRoute owned by the split and records it, annotating nothing before the mesh accepts it', async () => {
    const w = world({ split: split() });
    expect(await w.run()).toEqual({ kind: 'done' });
    expect(w.calls.map((c) => [c.verb, c.path])).toEqual([
      ['POST', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes`],
    ]);
    expect(w.calls[0]?.body).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', labels: ADAPTER_LABELS, ownerReferences: [owner('split-uid')] },
    });
    expect(w.events).toEqual([
      expect.objectContaining({
        type: 'Normal',
        reason: 'HTTPRouteCreated',
        note: 'HTTPRoute web generation 1: weights web-v1=9 web-v2=1',
      }),
    ]);
    expect(w.counted).toEqual(['created']);
  });

  it('annotates the route and split generations once the mesh accepted the current route generation', async () => {
    const w = world({
      split: split({ [ADAPTER_ANNOTATIONS.routeGeneration]: '3' }, 7),
      route: translatedRoute(4, [accepted(4)]),
    });
    await w.run();
    expect(w.calls).toEqual([
      {
        verb: 'PATCH',
        path: SPLIT_PATH,
        body: { metadata: { annotations: annotations('4', '7') } },
      },
    ]);
    expect(w.events).toEqual([]);
    expect(w.counted).toEqual(['unchanged']);
  });

  it('a weight change that keeps the route (same ratio) moves the split generation once accepted', async () => {
    const w = world({
      split: split(annotations('4', '6'), 7),
      route: translatedRoute(4, [accepted(4)]),
    });
    await w.run();
    expect(w.calls.map((c) => c.body)).toEqual([
      { metadata: { annotations: annotations('4', '7') } },
    ]);
  });

  it('writes nothing while the mesh has not accepted the current route generation', async () => {
    const w = world({
      split: split(annotations('3', '6'), 7),
      route: translatedRoute(4, [accepted(3)]),
    });
    await w.run();
    expect(w.calls).toEqual([]);
    expect(w.events).toEqual([]);
    const noStatus = world({ split: split(annotations('3', '6'), 7), route: translatedRoute(4) });
    await noStatus.run();
    expect(noStatus.calls).toEqual([]);
  });

  it('a route the mesh rejected: a Warning Event with its reason and no annotation', async () => {
    const rejected = {
      ...PARENT_STATUS,
      conditions: [
        {
          type: 'Accepted',
          status: 'False',
          reason: 'UnsupportedValue',
          message: 'no',
          observedGeneration: 4,
        },
      ],
    };
    const w = world({
      split: split(annotations('3', '6'), 7),
      route: translatedRoute(4, [rejected]),
    });
    await w.run();
    expect(w.calls).toEqual([
      {
        verb: 'PATCH',
        path: SPLIT_PATH,
        body: { metadata: { annotations: annotations(null, null) } },
      },
    ]);
    expect(w.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'HTTPRouteRejected',
        note: expect.stringMatching(/^HTTPRoute web generation 4 rejected: .*Accepted=False: no$/),
      }),
    ]);
    const unannotated = world({ split: split({}, 7), route: translatedRoute(4, [rejected]) });
    await unannotated.run();
    expect(unannotated.calls).toEqual([]);
    expect(unannotated.events).toEqual([expect.objectContaining({ reason: 'HTTPRouteRejected' })]);
  });

  it('writes nothing when the route is accepted and the annotations already say it', async () => {
    const w = world({
      split: split(annotations('4', '7'), 7),
      route: translatedRoute(4, [accepted(4)]),
    });
    await w.run();
    expect(w.calls).toEqual([]);
    expect(w.events).toEqual([]);
    expect(w.counted).toEqual(['unchanged']);
  });

  it('never writes a route the split does not control: a Warning, a refusal, no annotation', async () => {
    const route = { metadata: { name: 'web', namespace: NS, resourceVersion: '7' } };
    const w = world({ split: split({ [ADAPTER_ANNOTATIONS.routeGeneration]: '3' }), route });
    await w.run();
    expect(w.calls).toEqual([
      {
        verb: 'PATCH',
        path: SPLIT_PATH,
        body: { metadata: { annotations: annotations(null, null) } },
      },
    ]);
    expect(w.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'HTTPRouteNotOwned',
        note: expect.stringMatching(/no controller owner reference\); it is left alone$/),
      }),
    ]);
    expect(w.counted).toEqual(['refused:HTTPRouteNotOwned']);
  });

  it('refuses what it cannot translate with the reason, writing no route', async () => {
    const w = world({ split: split(), service: false });
    await w.run();
    expect(w.calls).toEqual([]);
    expect(w.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'RootServiceNotFound' }),
    ]);
  });

  it('deletes the route of a deleted split (uid precondition), not a route of another kind', async () => {
    const ours = {
      metadata: { name: 'web', namespace: NS, uid: 'r1', ownerReferences: [owner('gone')] },
    };
    const w = world({ route: ours });
    await w.run();
    expect(w.calls).toEqual([
      {
        verb: 'DELETE',
        path: ROUTE_PATH,
        body: expect.objectContaining({ preconditions: { uid: 'r1' } }),
      },
    ]);
    expect(w.counted).toEqual(['deleted']);
    const theirs = {
      metadata: { name: 'web', namespace: NS, uid: 'r2', ownerReferences: [owner('x', 'Canary')] },
    };
    const w2 = world({ route: theirs });
    await w2.run();
    expect(w2.calls).toEqual([]);
  });
});

describe('discoverResources', () => {
  const raw = (served: Record<string, unknown>) => ({
    get: <T>(path: string): Promise<T> => {
      if (path in served) return Promise.resolve(served[path] as T);
      return Promise.reject(Object.assign(new Error('404'), { status: 404, statusCode: 404 }));
    },
  });

  it('refuses to start without TrafficSplit or HTTPRoute, naming what to install', async () => {
    await expect(discoverResources(raw({}))).rejects.toThrow(
      /serves no TrafficSplit version: install the SMI TrafficSplit CRD/,
    );
    const smiOnly = { '/apis/split.smi-spec.io': { versions: [{ version: 'v1alpha2' }] } };
    await expect(discoverResources(raw(smiOnly))).rejects.toThrow(
      /serves no HTTPRoute version: install the Gateway API CRDs/,
    );
  });
});
