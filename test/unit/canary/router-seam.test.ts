// The router seam: a made-up second routing API, registered only in this file, is watched,
// tracked and mapped to its Canary by the controller's own caches, write tracker, dependents and
// reconciler — no controller file knows it. With it alone registered nothing of SMI is watched or
// tracked, and the last test reads the controller's sources: a controller file that names
// TrafficSplit again fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Canary } from '../../../src/api/canary.js';
import { serviceNames } from '../../../src/api/defaults.js';
import {
  createCaches,
  trackedResources,
  type ControllerCaches,
} from '../../../src/canary/caches.js';
import { CanaryReconciler } from '../../../src/canary/canary-reconciler.js';
import { canaryKeySources } from '../../../src/canary/dependents.js';
import { RunSlots } from '../../../src/canary/run-slots.js';
import type { ListerWatcher, WatchEventType } from '../../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { collectionPath, type ResourceRef } from '../../../src/kube/resources.js';
import { releaseOtherRoutes } from '../../../src/routing/factory.js';
import type {
  CanaryNames,
  RoutedObject,
  Router,
  TrafficRouter,
} from '../../../src/routing/types.js';
import type { ReconcileContext } from '../../../src/runtime/reconciler.js';
import { WriteTracker } from '../../../src/runtime/write-tracker.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { tsFiles } from '../shape/source-files.js';
import { canaryJson, memoryCaches, stopCaches } from './canary-fixtures.js';

const logger = pino({ level: 'silent' });

/** A routing API that does not exist: one object per Canary, named `<apex>-route`. */
const EXAMPLE_ROUTES: ResourceRef = {
  group: 'routes.example.test',
  version: 'v1beta1',
  plural: 'exampleroutes',
  kind: 'ExampleRoute',
  namespaced: true,
};

const exampleRouter: Router = {
  kind: 'example-route',
  resources: () => [EXAMPLE_ROUTES],
  serves: () => true,
  objectsOf: (canary: CanaryNames): RoutedObject[] => [
    { ref: EXAMPLE_ROUTES, name: `${serviceNames(canary.spec).apex}-route` },
  ],
  forCanary: (): Promise<TrafficRouter> => Promise.reject(new Error('not routed in this test')),
  release: () => Promise.resolve(),
  resourcesChanged: () => new Promise<string>(() => undefined),
};

const route = (ns: string, name: string, rv: string): KubeObject => ({
  apiVersion: 'routes.example.test/v1beta1',
  kind: 'ExampleRoute',
  metadata: { namespace: ns, name, resourceVersion: rv },
});

const split = (ns: string, name: string, rv: string): KubeObject => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: { namespace: ns, name, resourceVersion: rv },
});

/** A ListerWatcher (our own seam) listing nothing, whose watch events the test sends. */
function pushLister(): ListerWatcher<KubeObject> & {
  emit(type: WatchEventType, obj: KubeObject): Promise<void>;
} {
  let send: ((type: WatchEventType, obj: KubeObject) => void) | undefined;
  let watching: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (watching = resolve));
  return {
    list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
    watch: (_rv, onEvent) => {
      send = onEvent;
      watching();
      let stop: () => void = () => undefined;
      const ended = new Promise<{ kind: 'closed' }>((resolve) => {
        stop = () => {
          resolve({ kind: 'closed' });
        };
      });
      return { stop, ended };
    },
    emit: async (type, obj) => {
      await started;
      send?.(type, obj);
    },
  };
}

let caches: ControllerCaches | undefined;
afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

describe('a change of provider', () => {
  /** The example router serving nothing now: the Canary's provider moved to another API. */
  const retired: Router = { ...exampleRouter, serves: () => false };
  const owned = (uid: string): KubeObject => ({
    ...route('ns', 'web-route', '7'),
    metadata: {
      namespace: 'ns',
      name: 'web-route',
      resourceVersion: '7',
      ownerReferences: [
        {
          apiVersion: 'weightlifter.io/v1alpha1',
          kind: 'Canary',
          name: 'web',
          uid,
          controller: true,
        },
      ],
    },
  });

  it('leaves behind the old API’s object the Canary controls, and nothing else', async () => {
    const web = canaryJson('ns', 'web');
    const canary = web as unknown as Canary;
    caches = await memoryCaches({
      routers: [retired],
      routed: { exampleroutes: [owned('uid-web')] },
      canaries: [web],
    });
    expect(caches.routed.objectsOf(web)).toEqual([]);
    expect(caches.routed.leftBehind(canary).map((o) => o.name)).toEqual(['web-route']);
    await stopCaches(caches);
    // Someone else's object of that name is not ours to remove.
    caches = await memoryCaches({
      routers: [retired],
      routed: { exampleroutes: [owned('uid-other')] },
      canaries: [web],
    });
    expect(caches.routed.leftBehind(canary)).toEqual([]);
    await stopCaches(caches);
    // While the router still serves the Canary, its object is in use, not left behind.
    caches = await memoryCaches({
      routers: [exampleRouter],
      routed: { exampleroutes: [owned('uid-web')] },
      canaries: [web],
    });
    expect(caches.routed.leftBehind(canary)).toEqual([]);
  });

  it('releases only the routers that do not serve the Canary', async () => {
    const released: string[] = [];
    const tracking = (r: Router, serves: boolean): Router => ({
      ...r,
      serves: () => serves,
      release: () => {
        released.push(r.kind + (serves ? ' (serving)' : ''));
        return Promise.resolve();
      },
    });
    const web = canaryJson('ns', 'web') as unknown as Canary;
    const routers = [
      tracking(exampleRouter, true),
      tracking({ ...exampleRouter, kind: 'old' }, false),
    ];
    await releaseOtherRoutes(web, {
      routers,
      read: () => ({ getByName: () => undefined, list: () => [] }),
    });
    expect(released).toEqual(['old']);
  });
});

describe('a second router, registered without changing the controller', () => {
  it('is watched: createCaches lists its resource, and nothing of SMI', async () => {
    const listed = new Set<string>();
    let expected = Number.POSITIVE_INFINITY;
    let allListed: () => void = () => undefined;
    const everyInformerListed = new Promise<void>((resolve) => (allListed = resolve));
    // Records each informer's first list, then fails it (the informer backs off until stopped).
    const raw = {
      get: (path: string) => {
        listed.add(path);
        if (listed.size >= expected) allListed();
        return Promise.reject(new Error('offline'));
      },
    } as unknown as KubeRawClient;
    caches = createCaches({
      raw,
      logger,
      namespaces: ['shop'],
      controllerNamespace: 'shop',
      routers: [exampleRouter],
      endpointGate: false,
    });
    expect(caches.routed.all().map((c) => c.ref)).toEqual([EXAMPLE_ROUTES]);
    expect(caches.all.map((c) => c.name)).toContain('exampleroutes');
    expect(caches.all.map((c) => c.name)).not.toContain('trafficsplits');
    // Readiness waits for its informer too: every cache is a key source.
    expect(canaryKeySources(caches).map((s) => s.name)).toContain('exampleroutes');

    // The by-name Secret cache reads nothing until a reconcile holds a name.
    const secrets: unknown = caches.secrets;
    expected = caches.all.filter((c) => c !== secrets).length;
    for (const cache of caches.all) cache.start();
    await everyInformerListed;
    expect(listed).toContain(collectionPath(EXAMPLE_ROUTES, 'shop'));
    expect([...listed].filter((p) => /smi-spec|trafficsplit|secrets/i.test(p))).toEqual([]);
  });

  it('its events wake the Canary whose router writes the object, and only that one', async () => {
    const lister = pushLister();
    caches = await memoryCaches({
      routers: [exampleRouter],
      routedListers: { exampleroutes: lister },
      canaries: [
        canaryJson('ns', 'web'),
        canaryJson('ns', 'api', {
          targetRef: { name: 'api' },
          service: { port: 80, name: 'edge' },
        }),
      ],
    });
    const sources = canaryKeySources(caches);
    expect(sources.map((s) => s.name)).not.toContain('trafficsplits');
    const source = sources.find((s) => s.name === 'exampleroutes');
    if (source === undefined) throw new Error('no key source for the example routes');
    const keys: string[] = [];
    source.subscribe((k) => keys.push(...k));

    await lister.emit('ADDED', route('ns', 'web-route', '2'));
    expect(keys).toEqual(['ns/web']);
    await lister.emit('ADDED', route('ns', 'edge-route', '3'));
    expect(keys).toEqual(['ns/web', 'ns/api']);
    await lister.emit('ADDED', route('ns', 'web', '4'));
    await lister.emit('ADDED', route('other', 'web-route', '5'));
    expect(keys).toEqual(['ns/web', 'ns/api']);
  });

  it('is tracked: a reconcile waits until the cache shows our last write of its object', async () => {
    // Being deleted without our finalizer: a reconcile that is not held back by a stale cache
    // has nothing to do.
    const web = canaryJson('ns', 'web', {}, undefined, {
      deletionTimestamp: '2026-01-01T00:00:00Z',
    });
    caches = await memoryCaches({
      routers: [exampleRouter],
      routed: { exampleroutes: [route('ns', 'web-route', '19')] },
      canaries: [web],
    });
    expect(caches.routed.objectsOf(web)).toEqual([
      { ref: EXAMPLE_ROUTES, name: 'web-route', cached: route('ns', 'web-route', '19') },
    ]);
    const clock = new ManualClock();
    const tracker = new WriteTracker({
      tracked: trackedResources([exampleRouter]),
      now: () => clock.now(),
    });
    const reconciler = new CanaryReconciler({
      // Nothing below the stale check runs for this Canary: no writer is needed.
      ...({} as unknown as ConstructorParameters<typeof CanaryReconciler>[0]),
      caches,
      tracker,
      clock,
      runSlots: new RunSlots(10, caches.canaries),
      routerDeps: { routers: [exampleRouter], read: caches.routed.read },
    });
    const ctx: ReconcileContext = { signal: new AbortController().signal, logger, retries: 0 };

    // A TrafficSplit of the same name is nothing to this controller: not tracked.
    tracker.record(split('ns', 'web', '99'));
    expect(await reconciler.reconcile('ns/web', ctx)).toEqual({ kind: 'done' });

    tracker.record(route('ns', 'web-route', '20'));
    expect(await reconciler.reconcile('ns/web', ctx)).toEqual({
      kind: 'requeueAfter',
      ms: expect.any(Number),
    });
    // Forgotten once older than the tracker's max age (10 s): the reconcile goes on.
    await clock.advance(10_001);
    expect(await reconciler.reconcile('ns/web', ctx)).toEqual({ kind: 'done' });
  });
});

describe('the controller names no routing API', () => {
  const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
  // What hard-coding SMI TrafficSplit in the controller looks like: its group, kind, plural, its
  // types and helpers, or a cache of splits. Comments may mention it; code may not.
  const SMI = new RegExp(
    [
      String.raw`split\.smi-spec\.io`,
      'SMI_SPLIT_GROUP',
      'TRAFFIC_SPLIT_',
      'TrafficSplitVersion',
      'splitRef',
      'LiveSplit',
      String.raw`['"\x60]TrafficSplit['"\x60]`,
      'trafficsplits',
      String.raw`caches\.splits`,
      String.raw`api/smi\.js`,
      String.raw`routing/(smi|traffic-split|discovery)`,
    ].join('|'),
  );
  const code = (text: string): string =>
    text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

  it('finds SMI in code when it is there (so the check below can fail)', () => {
    expect(SMI.test(code("const TRACKED = new Set(['split.smi-spec.io/TrafficSplit']);"))).toBe(
      true,
    );
    expect(SMI.test(code('keysFrom(caches.splits, (e) => [])'))).toBe(true);
    expect(SMI.test(code("// the TrafficSplit's split.smi-spec.io group\nconst x = 1;"))).toBe(
      false,
    );
  });

  it('canary/, analysis/, runtime/ and main.ts hold no SMI TrafficSplit in code', () => {
    const files = [
      ...tsFiles(join(SRC, 'canary')),
      ...tsFiles(join(SRC, 'analysis')),
      ...tsFiles(join(SRC, 'runtime')),
      join(SRC, 'main.ts'),
    ];
    expect(files.length).toBeGreaterThan(20);
    const naming = files.filter((f) => SMI.test(code(readFileSync(f, 'utf8'))));
    expect(naming).toEqual([]);
  });
});
