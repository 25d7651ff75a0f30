// Contract of the SMI TrafficRouter, run against every TrafficSplit version on the real
// kube-apiserver (the shared control plane serves v1alpha1..v1alpha4; each Canary pins one).
// Reads go through a real informer at v1alpha4, as the controller has one TrafficSplit informer:
// with conversion None, splits written under any version read back through it unchanged.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TRAFFIC_SPLIT_VERSIONS, type TrafficSplitVersion } from '../../../src/api/smi.js';
import type { Canary } from '../../../src/api/canary.js';
import { OwnershipError } from '../../../src/kube/diff-patch.js';
import { isConflict, isNotFound } from '../../../src/kube/errors.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { apiVersionOf, collectionPath, objectPath } from '../../../src/kube/resources.js';
import { UnsupportedStrategyError } from '../../../src/routing/errors.js';
import { createTrafficRouter, type RouterFactoryDeps } from '../../../src/routing/factory.js';
import { splitRef, type LiveSplit } from '../../../src/routing/traffic-split.js';
import type { TrafficRouter } from '../../../src/routing/types.js';
import { conditionReasonOf } from '../../../src/workload/errors.js';
import { adminClients, createNamespace, deleteNamespace } from '../kube-fixtures.js';
import { cached, createCanary, routerDeps, startCaches, type Caches } from '../workload/harness.js';

jest.setTimeout(60_000);

const NS = 'routing-contract';
let raw: KubeRawClient;
let caches: Caches;
let deps: RouterFactoryDeps;

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  caches = await startCaches(raw, NS);
  deps = await routerDeps(raw, caches);
});

afterAll(async () => {
  await caches.stop();
  await deleteNamespace(raw, NS);
});

const getRaw = (v: TrafficSplitVersion, name: string): Promise<LiveSplit> =>
  raw.get<LiveSplit>(objectPath(splitRef(v), NS, name));

const weightsOf = (s: LiveSplit): unknown => s.spec?.backends;

/** Waits until the cache shows the split at these weights (or absent). */
const cachedRoutes = (router: TrafficRouter, canaryWeight: number | null) =>
  cached(`routes ${String(canaryWeight)}`, () => {
    const r = router.getRoutes();
    return (r?.canaryWeight ?? null) === canaryWeight ? true : undefined;
  });

describe.each(TRAFFIC_SPLIT_VERSIONS.map((v) => [v]))('TrafficSplit %s', (version) => {
  const name = `web-${version}`;
  let canary: Canary;
  let router: TrafficRouter;

  beforeAll(async () => {
    canary = await createCanary(raw, NS, name, { routing: { smiVersion: version } });
    router = await createTrafficRouter(canary, deps);
  });

  it('uses the pinned version', () => {
    expect(router.kind).toBe('smi-trafficsplit');
    expect(router.resources()).toEqual([splitRef(version)]);
    expect(router.resources().map(apiVersionOf)).toEqual([`split.smi-spec.io/${version}`]);
  });

  it('reconcile creates the split: two backends, all traffic to the primary, owned', async () => {
    expect(await router.reconcile()).toEqual({ action: 'created' });
    const s = await getRaw(version, name);
    const w = (n: number) => (version === 'v1alpha1' ? String(n) : n);
    expect(s.spec?.service).toBe(name);
    expect(weightsOf(s)).toEqual([
      { service: `${name}-primary`, weight: w(100) },
      { service: `${name}-canary`, weight: w(0) },
    ]);
    expect(s.metadata?.labels).toMatchObject({ 'weightlifter.io/canary': name });
    expect(s.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Canary', uid: canary.metadata.uid, controller: true }),
    ]);
    await cachedRoutes(router, 0);
    expect(router.getRoutes()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
  });

  it('reconcile of a converged split sends nothing', async () => {
    const before = (await getRaw(version, name)).metadata?.resourceVersion;
    expect(await router.reconcile()).toEqual({ action: 'unchanged' });
    expect((await getRaw(version, name)).metadata?.resourceVersion).toBe(before);
  });

  it('setRoutes patches only on change', async () => {
    expect(await router.setRoutes(90, 10)).toEqual({ action: 'patched' });
    await cachedRoutes(router, 10);
    expect(await router.setRoutes(90, 10)).toEqual({ action: 'unchanged' });
    expect(router.getRoutes()).toEqual({ primaryWeight: 90, canaryWeight: 10 });
  });

  it('reconcile keeps valid live weights (weights are the engine’s to set)', async () => {
    expect(await router.reconcile()).toEqual({ action: 'unchanged' });
    expect(router.getRoutes()).toEqual({ primaryWeight: 90, canaryWeight: 10 });
  });

  it('repairs weight drift made by someone else', async () => {
    await raw.patch(objectPath(splitRef(version), NS, name), {
      spec: {
        backends: [
          { service: `${name}-primary`, weight: 50 },
          { service: `${name}-canary`, weight: 50 },
        ],
      },
    });
    await cachedRoutes(router, 50);
    expect(await router.setRoutes(90, 10)).toEqual({ action: 'patched' });
    await cachedRoutes(router, 10);
    const back = await getRaw(version, name);
    expect(back.spec?.backends).toEqual([
      { service: `${name}-primary`, weight: version === 'v1alpha1' ? '90' : 90 },
      { service: `${name}-canary`, weight: version === 'v1alpha1' ? '10' : 10 },
    ]);
  });

  it('reads a hand edit within rounding (899/101) exactly and puts it back', async () => {
    const w = (n: number) => (version === 'v1alpha1' ? String(n) : n);
    const edit = (p: number, c: number) =>
      raw.patch(objectPath(splitRef(version), NS, name), {
        spec: {
          backends: [
            { service: `${name}-primary`, weight: w(p) },
            { service: `${name}-canary`, weight: w(c) },
          ],
        },
      });
    await edit(899, 101);
    await cachedRoutes(router, 10.1);
    expect(router.getRoutes()).toEqual({ primaryWeight: 89.9, canaryWeight: 10.1 });
    expect(await router.setRoutes(90, 10)).toEqual({ action: 'patched' });
    await cachedRoutes(router, 10);
    // reconcile keeps live weights, written as the nearest whole percentages (Math.round).
    await edit(894, 106);
    await cachedRoutes(router, 10.6);
    expect(await router.reconcile()).toEqual({ action: 'patched' });
    await cachedRoutes(router, 11);
    expect((await getRaw(version, name)).spec?.backends).toEqual([
      { service: `${name}-primary`, weight: w(89) },
      { service: `${name}-canary`, weight: w(11) },
    ]);
    expect(await router.setRoutes(90, 10)).toEqual({ action: 'patched' });
    await cachedRoutes(router, 10);
  });

  it('repairs a split that lost a backend by restarting it at all-primary', async () => {
    await raw.patch(objectPath(splitRef(version), NS, name), {
      spec: { backends: [{ service: `${name}-canary`, weight: 100 }] },
    });
    await cached(
      'one backend',
      () => caches.splits.getByName(NS, name),
      (s) => Array.isArray(s.spec?.backends) && s.spec.backends.length === 1,
    );
    expect(router.getRoutes()).toBeNull();
    expect(await router.reconcile()).toEqual({ action: 'patched' });
    await cachedRoutes(router, 0);
  });

  it('fails with 409 instead of overwriting when its cache is stale', async () => {
    const stale = caches.splits.getByName(NS, name);
    if (stale === undefined) throw new Error('split not cached');
    await raw.patch(objectPath(splitRef(version), NS, name), { metadata: { labels: { x: 'y' } } });
    const staleRouter = await createTrafficRouter(canary, {
      ...deps,
      read: () => ({ getByName: () => stale, list: () => [stale] }),
    });
    const err = await staleRouter.setRoutes(80, 20).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isConflict(err)).toBe(true);
    // The next test's router reads the cache: let it catch up with the label written above, or
    // that router's write carries a stale resourceVersion and gets the same 409 (seen once in a
    // fresh run with two workers).
    await cached(
      'labelled split',
      () => caches.splits.getByName(NS, name),
      (s) => s.metadata?.labels?.['x'] === 'y',
    );
  });

  it('header matching: written from v1alpha3 on, refused before anything is written below', async () => {
    const strategy = { kind: 'headerMatch', routeGroups: ['beta-users'] } as const;
    if (version === 'v1alpha1' || version === 'v1alpha2') {
      await expect(createTrafficRouter(canary, deps, strategy)).rejects.toThrow(
        UnsupportedStrategyError,
      );
      return;
    }
    const ab = await createTrafficRouter(canary, deps, strategy);
    expect(await ab.reconcile()).toEqual({ action: 'patched' });
    expect((await getRaw(version, name)).spec?.matches).toEqual([
      { apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: 'beta-users' },
    ]);
    // Dropping the strategy removes the matches again.
    await cached(
      'matches cached',
      () => caches.splits.getByName(NS, name),
      (s) => Array.isArray(s.spec?.matches),
    );
    expect(await router.reconcile()).toEqual({ action: 'patched' });
    expect((await getRaw(version, name)).spec?.matches).toBeUndefined();
  });

  it('A/B (spec.analysis.match): from v1alpha3 on, the HTTPRouteGroup is written before the split names it and deleted only after the split stops naming it', async () => {
    const abName = `ab-${version}`;
    const match = [
      { headers: { 'x-canary': { exact: 'in.sider' }, 'user-agent': { prefix: 'curl/' } } },
      { pathRegex: '/api/.*', methods: ['POST' as const] },
    ];
    const abCanary = await createCanary(raw, NS, abName, {
      routing: { smiVersion: version },
      analysis: { interval: '10s', iterations: 3, match },
    });
    // The router's own writes, in order (reads are not recorded).
    const calls: string[] = [];
    const recording = new Proxy(raw, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        // Bound to the client itself: its private fields are not the proxy's.
        if (!['create', 'patch', 'request'].includes(String(prop)))
          return (value as (...a: unknown[]) => unknown).bind(target);
        return (...args: unknown[]) => {
          // request(verb, path, ...) is how a DELETE with preconditions is sent.
          const [verb, path] = prop === 'request' ? args : [prop, args[0]];
          if (verb !== 'GET')
            calls.push(
              `${String(verb).toLowerCase()} ${String(path).split('/').slice(-2).join('/')}`,
            );
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const abDeps = { ...(await routerDeps(recording, caches)), read: deps.read };
    if (version === 'v1alpha1' || version === 'v1alpha2') {
      await expect(createTrafficRouter(abCanary, abDeps)).rejects.toThrow(UnsupportedStrategyError);
      return;
    }
    const group = `${abName}-${abName}-ab`;
    const groupPath = `/apis/specs.smi-spec.io/${version}/namespaces/${NS}/httproutegroups/${group}`;
    const ab = await createTrafficRouter(abCanary, abDeps);
    expect(await ab.reconcile()).toEqual({ action: 'created' });
    expect((await getRaw(version, abName)).spec?.matches).toBeUndefined();
    await cachedRoutes(ab, 0);
    calls.length = 0;
    expect(await ab.setRoutes(0, 100)).toEqual({ action: 'patched' });
    expect(calls).toEqual([`create ${NS}/httproutegroups`, `patch trafficsplits/${abName}`]);
    const live = await getRaw(version, abName);
    expect(live.spec?.matches).toEqual([
      { apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: group },
    ]);
    const g = await raw.get<{ spec?: unknown; metadata?: { ownerReferences?: unknown } }>(
      groupPath,
    );
    // The wire shape of every SMI CRD: headers as a list of single-key maps, sorted by name.
    expect(g.spec).toEqual({
      matches: [
        {
          name: 'match-0',
          headers: [{ 'user-agent': '^curl/.*' }, { 'x-canary': '^in\\.sider$' }],
        },
        { name: 'match-1', methods: ['POST'], pathRegex: '(?:/api/.*)$' },
      ],
    });
    expect(g.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Canary', uid: abCanary.metadata.uid, controller: true }),
    ]);
    await cachedRoutes(ab, 100);
    calls.length = 0;
    expect(await ab.setRoutes(100, 0)).toEqual({ action: 'patched' });
    expect(calls).toEqual([`patch trafficsplits/${abName}`, `delete httproutegroups/${group}`]);
    expect((await getRaw(version, abName)).spec?.matches).toBeUndefined();
    const gone = await raw.get(groupPath).then(
      () => 'found',
      (err: unknown) => (isNotFound(err) ? 'not found' : err),
    );
    expect(gone).toBe('not found');
  });

  it('refuses a split it does not own, leaving it untouched', async () => {
    const foreign = await createCanary(raw, NS, `foreign-${version}`, {
      routing: { smiVersion: version },
    });
    const splitName = `foreign-${version}`;
    const created = await raw.create<LiveSplit>(collectionPath(splitRef(version), NS), {
      apiVersion: `split.smi-spec.io/${version}`,
      kind: 'TrafficSplit',
      metadata: { name: splitName },
      spec: {
        service: splitName,
        backends: [
          { service: 'other-a', weight: version === 'v1alpha1' ? '1' : 1 },
          { service: 'other-b', weight: version === 'v1alpha1' ? '1' : 1 },
        ],
      },
    });
    await cached('foreign split cached', () => caches.splits.getByName(NS, splitName));
    const r = await createTrafficRouter(foreign, deps);
    for (const attempt of [() => r.reconcile(), () => r.setRoutes(100, 0)]) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OwnershipError);
      expect(conditionReasonOf(err)).toBe('NotOwned');
    }
    await r.finalize();
    const after = await getRaw(version, splitName);
    expect(after.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('finalize deletes the split it owns', async () => {
    await router.finalize();
    const err = await getRaw(version, name).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isNotFound(err)).toBe(true);
    await cachedRoutes(router, null);
    await router.finalize(); // idempotent
  });
});

describe('factory on the shared control plane', () => {
  it('auto picks the newest served version', async () => {
    const canary = await createCanary(raw, NS, 'auto-pick');
    const router = await createTrafficRouter(canary, deps);
    expect(router.resources()).toEqual([splitRef('v1alpha4')]);
  });
});
