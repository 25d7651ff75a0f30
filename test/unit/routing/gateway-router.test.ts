// The HTTPRoute router's writes, ownership and takeover, and what it reports as applied, against
// an in-memory cache (our ObjectReader) and a recording stand-in for our KubeRawClient.
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Canary } from '../../../src/api/canary.js';
import { OwnershipError } from '../../../src/kube/diff-patch.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { GatewayApiRouter } from '../../../src/routing/gateway.js';
import { HttpRouteRouter } from '../../../src/routing/gateway-router.js';
import type { LiveRoute } from '../../../src/routing/http-route.js';
import { parseRouteTakenOver, routeOwnership } from '../../../src/routing/route-ownership.js';
import { canary, MemoryReader } from './fixtures.js';

const logger = pino({ level: 'silent' });
const web = canary({ service: { port: 80, name: 'web' } });
const PATH = '/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes';
const LABELS = {
  'weightlifter.io/canary': 'podinfo',
  'app.kubernetes.io/managed-by': 'weightlifter',
};
const OURS = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  name: 'podinfo',
  uid: 'uid-1',
  controller: true,
  blockOwnerDeletion: true,
};
const APEX_PARENT = { group: '', kind: 'Service', name: 'web', port: 80 };
const ALL = [{ path: { type: 'PathPrefix', value: '/' } }];
const FOREIGN_RULE = {
  matches: [{ path: { type: 'PathPrefix', value: '/admin' } }],
  backendRefs: [{ group: '', kind: 'Service', name: 'admin', port: 8080, weight: 1 }],
};

const ref = (name: string, weight: number) => ({
  group: '',
  kind: 'Service',
  name,
  port: 80,
  weight,
});
const ourRule = (p: number, c: number) => ({
  matches: ALL,
  backendRefs: [ref('web-primary', p), ref('web-canary', c)],
});

interface Call {
  readonly verb: 'create' | 'patch' | 'delete';
  readonly path: string;
  readonly body: unknown;
}

function harness(objects: LiveRoute[] = [], subject: Canary = web) {
  const calls: Call[] = [];
  const raw = {
    create: (path: string, body: unknown) => {
      calls.push({ verb: 'create', path, body });
      return Promise.resolve(body);
    },
    patch: (path: string, body: unknown) => {
      calls.push({ verb: 'patch', path, body });
      return Promise.resolve(body);
    },
    request: (_verb: string, path: string, opts: { body?: unknown }) => {
      calls.push({ verb: 'delete', path, body: opts.body });
      return Promise.resolve({});
    },
  } as unknown as KubeRawClient;
  const router = new HttpRouteRouter(subject, {
    raw,
    routes: new MemoryReader<LiveRoute>(objects),
    logger,
    version: 'v1',
  });
  return { calls, router };
}

function live(rules: unknown[], extra: Partial<LiveRoute> = {}, meta: object = {}): LiveRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'route-uid',
      resourceVersion: '7',
      generation: 2,
      labels: LABELS,
      ownerReferences: [OURS],
      ...meta,
    },
    spec: { parentRefs: [APEX_PARENT], rules },
    ...extra,
  };
}

const accepted = (generation: number) => ({
  parents: [
    {
      parentRef: APEX_PARENT,
      controllerName: 'mesh.example.test/controller',
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: '',
          observedGeneration: generation,
        },
        {
          type: 'ResolvedRefs',
          status: 'True',
          reason: 'ResolvedRefs',
          message: '',
          observedGeneration: generation,
        },
      ],
    },
  ],
});

describe('HttpRouteRouter writes', () => {
  it('creates the route with an owner reference, our labels, the apex parent and our rule', async () => {
    const { calls, router } = harness();
    expect(await router.reconcile()).toEqual({ action: 'created' });
    expect(calls).toEqual([
      {
        verb: 'create',
        path: PATH,
        body: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'web', namespace: 'shop', labels: LABELS, ownerReferences: [OURS] },
          spec: { parentRefs: [APEX_PARENT], rules: [ourRule(100, 0)] },
        },
      },
    ]);
  });

  it('sends nothing when the route already routes the weights', async () => {
    const { calls, router } = harness([live([FOREIGN_RULE, ourRule(90, 10)])]);
    expect(await router.setRoutes(90, 10)).toEqual({ action: 'unchanged' });
    expect(await router.reconcile()).toEqual({ action: 'unchanged' });
    expect(calls).toEqual([]);
  });

  it('patches our rule only, foreign rules sent back as read, with the resourceVersion', async () => {
    const { calls, router } = harness([live([FOREIGN_RULE, ourRule(90, 10)])]);
    expect(await router.setRoutes(80, 20)).toEqual({ action: 'patched' });
    expect(calls).toEqual([
      {
        verb: 'patch',
        path: `${PATH}/web`,
        body: {
          metadata: { resourceVersion: '7' },
          spec: { rules: [FOREIGN_RULE, ourRule(80, 20)] },
        },
      },
    ]);
  });

  it('puts back weight drift and a parent someone changed; keeps valid weights on reconcile', async () => {
    const drifted = live([ourRule(50, 50)], {
      spec: { parentRefs: [{ ...APEX_PARENT, port: 8080 }], rules: [ourRule(50, 50)] },
    });
    const { calls, router } = harness([drifted]);
    // reconcile keeps the live weights (the engine's business) and repairs the parent.
    await router.reconcile();
    expect(calls[0]?.body).toEqual({
      metadata: { resourceVersion: '7' },
      spec: { parentRefs: [APEX_PARENT] },
    });
    // setRoutes puts the weight back.
    await router.setRoutes(90, 10);
    expect(calls[1]?.body).toMatchObject({ spec: { rules: [ourRule(90, 10)] } });
  });

  it('restarts a broken rule at everything on the primary', async () => {
    const broken = live([{ matches: ALL, backendRefs: [ref('web-primary', 1)] }]);
    const { calls, router } = harness([broken]);
    await router.reconcile();
    expect(calls[0]?.body).toMatchObject({ spec: { rules: [ourRule(100, 0)] } });
  });

  it('refuses a route someone else controls, and one nobody controls without the annotation', async () => {
    const foreign = live(
      [ourRule(100, 0)],
      {},
      {
        ownerReferences: [{ ...OURS, kind: 'Other', uid: 'x' }],
      },
    );
    const plain = live([ourRule(100, 0)], {}, { ownerReferences: [] });
    for (const route of [foreign, plain]) {
      const { calls, router } = harness([route]);
      await expect(router.setRoutes(90, 10)).rejects.toThrow(OwnershipError);
      await expect(router.reconcile()).rejects.toThrow(/not ours/);
      await router.finalize();
      expect(calls).toEqual([]);
    }
  });

  it('deletes only a route it controls, with a uid precondition', async () => {
    const { calls, router } = harness([live([ourRule(100, 0)])]);
    await router.finalize();
    expect(calls).toEqual([
      {
        verb: 'delete',
        path: `${PATH}/web`,
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: 'Background',
          preconditions: { uid: 'route-uid' },
        },
      },
    ]);
    const absent = harness();
    await absent.router.finalize();
    expect(absent.calls).toEqual([]);
  });
});

describe('HttpRouteRouter takeover (weightlifter.io/takeover: "true")', () => {
  const apexRule = { matches: ALL, backendRefs: [{ ...ref('web', 1) }] };
  const annotated = (
    annotations: Record<string, string>,
    rules: unknown[] = [FOREIGN_RULE, apexRule],
  ) =>
    live(
      rules,
      { spec: { parentRefs: [{ name: 'edge' }], rules } },
      {
        ownerReferences: [],
        labels: { team: 'a' },
        annotations,
      },
    );

  it('routes the apex rule, records what it replaced, adds no owner reference', async () => {
    const { calls, router } = harness([annotated({ 'weightlifter.io/takeover': 'true' })]);
    expect(await router.setRoutes(90, 10)).toEqual({ action: 'patched' });
    const body = calls[0]?.body as { metadata: Record<string, unknown>; spec: unknown };
    expect(body.metadata['ownerReferences']).toBeUndefined();
    expect(body.metadata['labels']).toEqual(LABELS);
    const record = (body.metadata['annotations'] as Record<string, string>)[
      'weightlifter.io/taken-over'
    ];
    expect(parseRouteTakenOver(record)).toEqual({
      canary: 'podinfo',
      backendRefs: apexRule.backendRefs,
    });
    // Its parents stay the author's: only the rules are sent.
    expect(body.spec).toEqual({
      rules: [
        FOREIGN_RULE,
        { ...apexRule, backendRefs: [ref('web-primary', 90), ref('web-canary', 10)] },
      ],
    });
  });

  it('gives the recorded backendRefs back on release, and removes its marks', async () => {
    const record = JSON.stringify({ canary: 'podinfo', backendRefs: apexRule.backendRefs });
    const taken = annotated(
      { 'weightlifter.io/takeover': 'true', 'weightlifter.io/taken-over': record },
      [FOREIGN_RULE, ourRule(0, 100)],
    );
    const { calls, router } = harness([taken]);
    await router.finalize();
    expect(calls).toEqual([
      {
        verb: 'patch',
        path: `${PATH}/web`,
        body: {
          metadata: {
            resourceVersion: '7',
            annotations: { 'weightlifter.io/taken-over': null },
          },
          spec: {
            rules: [FOREIGN_RULE, { ...ourRule(0, 100), backendRefs: apexRule.backendRefs }],
          },
        },
      },
    ]);
  });

  it('refuses a route another Canary took over', () => {
    const record = JSON.stringify({ canary: 'other', backendRefs: null });
    const taken = annotated({
      'weightlifter.io/takeover': 'true',
      'weightlifter.io/taken-over': record,
    });
    expect(routeOwnership(web, taken)).toEqual({
      kind: 'refused',
      why: 'HTTPRoute web was taken over by Canary other',
    });
    expect(routeOwnership(web, annotated({ 'weightlifter.io/takeover': 'yes' })).kind).toBe(
      'refused',
    );
    expect(routeOwnership(web, live([]))).toEqual({ kind: 'owned' });
  });
});

describe('HttpRouteRouter getRoutes and rejection', () => {
  it('reports the weights only once the parent accepted the current generation', () => {
    const fresh = harness([live([ourRule(90, 10)], { status: accepted(2) })]).router;
    expect(fresh.getRoutes()).toEqual({ primaryWeight: 90, canaryWeight: 10 });
    expect(fresh.rejection()).toBeNull();
    const stale = harness([live([ourRule(90, 10)], { status: accepted(1) })]).router;
    expect(stale.getRoutes()).toBeNull();
    expect(stale.acceptance()).toMatchObject({ state: 'pending' });
    expect(stale.rejection()).toBeNull();
    expect(harness([live([ourRule(90, 10)])]).router.getRoutes()).toBeNull();
    expect(harness().router.getRoutes()).toBeNull();
    expect(harness().router.rejection()).toBeNull();
  });

  it('exposes the mesh’s refusal as a rejection, and no weights', () => {
    const status = {
      parents: [
        {
          parentRef: APEX_PARENT,
          controllerName: 'mesh.example.test/controller',
          conditions: [
            {
              type: 'Accepted',
              status: 'False',
              reason: 'UnsupportedValue',
              message: 'weights too big',
              observedGeneration: 2,
            },
          ],
        },
      ],
    };
    const { router } = harness([live([ourRule(90, 10)], { status })]);
    expect(router.getRoutes()).toBeNull();
    expect(router.rejection()).toEqual({
      reason: 'UnsupportedValue',
      message: 'Service web port 80 (mesh.example.test/controller) Accepted=False: weights too big',
    });
  });
});

/** Never called: these tests only build routers. */
const UNUSED_RAW = {} as unknown as KubeRawClient;

describe('GatewayApiRouter', () => {
  const reader = (objects: KubeObject[]) => () => new MemoryReader(objects);

  it('watches nothing and refuses to route without HTTPRoute served', async () => {
    const router = new GatewayApiRouter({ raw: UNUSED_RAW, logger, watched: undefined });
    expect(router.resources()).toEqual([]);
    await expect(router.forCanary(web, reader([]), { kind: 'weighted' })).rejects.toMatchObject({
      conditionReason: 'HTTPRouteUnavailable',
    });
  });

  it('routes weighted only, and names the route object with its takeover rule', async () => {
    const router = new GatewayApiRouter({ raw: UNUSED_RAW, logger, watched: 'v1beta1' });
    expect(router.resources().map((r) => r.version)).toEqual(['v1beta1']);
    await expect(router.forCanary(web, reader([]), { kind: 'mirror' })).rejects.toMatchObject({
      conditionReason: 'UnsupportedStrategy',
    });
    const [object] = router.objectsOf(web);
    expect(object?.name).toBe('web');
    const plain = live([], {}, { ownerReferences: [] });
    expect(object?.notOwnedBecause?.(web, plain)).toMatch(/weightlifter.io\/takeover/);
    const annotated = live(
      [],
      {},
      { ownerReferences: [], annotations: { 'weightlifter.io/takeover': 'true' } },
    );
    expect(object?.notOwnedBecause?.(web, annotated)).toBeUndefined();
  });

  it('without a selection, serves provider gatewayapi only', () => {
    const router = new GatewayApiRouter({ raw: UNUSED_RAW, logger, watched: 'v1' });
    expect(router.serves(canary({ routing: { provider: 'gatewayapi' } }))).toBe(true);
    expect(router.serves(canary())).toBe(false);
    expect(router.serves(canary({ routing: { provider: 'smi' } }))).toBe(false);
  });
});
