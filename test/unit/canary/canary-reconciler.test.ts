// CanaryReconciler on its own: in-memory caches (real informers over a static lister), recording
// fakes of our own writers (raw client, status writer, Event recorder) and a manual clock.
import { afterEach, describe, expect, it } from '@jest/globals';
import { PatchStrategy } from '../../../src/kube/http-constants.js';
import { pino } from 'pino';
import type { CanaryStatus } from '../../../src/api/canary.js';
import { FINALIZER } from '../../../src/api/constants.js';
import type { TrafficSplitVersion } from '../../../src/api/smi.js';
import { trackedResources, type ControllerCaches } from '../../../src/canary/caches.js';
import { CanaryReconciler } from '../../../src/canary/canary-reconciler.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import type { ReconcileContext } from '../../../src/runtime/reconciler.js';
import { RunSlots } from '../../../src/canary/run-slots.js';
import { STATUS_REJECTION_RETRY_MS } from '../../../src/canary/status-rejections.js';
import { WriteTracker } from '../../../src/runtime/write-tracker.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import type { EventInput, EventRecorder } from '../../../src/kube/events.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import type { StatusWriter } from '../../../src/kube/status.js';
import type { MetricSourceFactory } from '../../../src/metrics/factory.js';
import type { UrlPolicy } from '../../../src/outbound/url-policy.js';
import type { Notifier } from '../../../src/notify/notifier.js';
import type { NotifyEvent } from '../../../src/notify/types.js';
import {
  canaryJson,
  deploymentJson,
  memoryCaches,
  smiRouter,
  stopCaches,
  type CachesInput,
} from './canary-fixtures.js';

const logger = pino({ level: 'silent' });
const ctx: ReconcileContext = { signal: new AbortController().signal, logger, retries: 0 };
const BLOCKED_REQUEUE_MS = 60_000;

interface Patch {
  readonly path: string;
  readonly body: unknown;
  readonly strategy: PatchStrategy;
}

interface StatusPatch {
  readonly name: string;
  readonly patch: unknown;
  readonly resourceVersion: string | undefined;
}

/** What the reconciler wrote, and how the fakes answer. */
class World {
  readonly patches: Patch[] = [];
  readonly statusPatches: StatusPatch[] = [];
  readonly events: EventInput[] = [];
  /** Objects whose Event history the recorder was told to drop. */
  readonly forgotten: string[] = [];
  readonly alerts: NotifyEvent[] = [];
  served: readonly TrafficSplitVersion[] = [];
  /** Thrown by the next status patch. */
  statusError: Error | undefined = undefined;
}

const worlds: ControllerCaches[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((c) => stopCaches(c)));
});

async function setup(
  input: CachesInput,
): Promise<{ world: World; reconciler: CanaryReconciler; clock: ManualClock }> {
  const world = new World();
  const clock = new ManualClock();
  // Only the methods the reconciler's blocked and deletion paths call.
  const raw = {
    patch: (path: string, body: unknown, strategy: PatchStrategy) => {
      world.patches.push({ path, body, strategy });
      // The finalizer merge patch answers with the Canary it patched.
      const name = path.slice(path.lastIndexOf('/') + 1);
      const canary = caches.canaries.getByName('ns', name);
      const meta = (body as { metadata?: object }).metadata;
      return Promise.resolve(
        canary === undefined || meta === undefined
          ? body
          : { ...canary, metadata: { ...canary.metadata, ...meta } },
      );
    },
  } as unknown as KubeRawClient;
  const routers = [smiRouter({ raw, served: () => world.served })];
  const caches = await memoryCaches({ ...input, routers });
  worlds.push(caches);
  const statusWriter = {
    patchStatus: (_ref: unknown, _ns: unknown, name: string, patch: unknown, rv?: string) => {
      if (world.statusError !== undefined) {
        const err = world.statusError;
        world.statusError = undefined;
        return Promise.reject(err);
      }
      world.statusPatches.push({ name, patch, resourceVersion: rv });
      return Promise.resolve({});
    },
  } as unknown as StatusWriter;
  const recorder = {
    record: (input: EventInput) => {
      world.events.push(input);
      return Promise.resolve('created');
    },
    forget: (regarding: KubeObject) => {
      world.forgotten.push(
        `${regarding.kind ?? ''}/${regarding.metadata?.namespace ?? ''}/${regarding.metadata?.name ?? ''}`,
      );
    },
  } as unknown as EventRecorder;
  const notifier: Notifier = {
    notify: (event) => {
      world.alerts.push(event);
      return Promise.resolve([]);
    },
    idle: () => Promise.resolve(),
  };
  const reconciler = new CanaryReconciler({
    alerts: { notifier, cluster: null },
    raw,
    caches,
    statusWriter,
    recorder,
    metricSources: {} as unknown as MetricSourceFactory,
    urlPolicy: {} as UrlPolicy,
    controllerNamespace: 'weightlifter-system',
    clock,
    routerDeps: { routers, read: caches.routed.read },
    tracker: new WriteTracker({ tracked: trackedResources(routers), now: () => clock.now() }),
    runSlots: new RunSlots(10, caches.canaries),
  });
  return { world, reconciler, clock };
}

const withFinalizer = { finalizers: [FINALIZER] };

function readyOf(patch: unknown): unknown {
  const conditions = (patch as { conditions?: { type: string }[] }).conditions ?? [];
  return conditions.find((c) => c.type === 'Ready');
}

describe('CanaryReconciler', () => {
  it('forgets a Canary that is gone from the cache', async () => {
    const { world, reconciler } = await setup({});
    await expect(reconciler.reconcile('ns/web', ctx)).resolves.toEqual({ kind: 'done' });
    expect(world.patches).toEqual([]);
    expect(world.statusPatches).toEqual([]);
    expect(world.events).toEqual([]);
    // Its Event history goes with it (the recorder's memory is bounded by the live Canaries).
    expect(world.forgotten).toEqual(['Canary/ns/web']);
  });

  it('adds its finalizer first, with the cached resourceVersion as precondition', async () => {
    // The step after it is blocked (no TrafficSplit version served): only the finalizer write
    // and the block are asserted here.
    const { world, reconciler } = await setup({
      canaries: [canaryJson('ns', 'web')],
      deployments: [deploymentJson('ns', 'web')],
    });
    await reconciler.reconcile('ns/web', ctx);
    expect(world.patches[0]).toEqual({
      path: '/apis/weightlifter.io/v1alpha1/namespaces/ns/canaries/web',
      body: { metadata: { finalizers: [FINALIZER], resourceVersion: '10' } },
      strategy: PatchStrategy.MergePatch,
    });
  });

  describe('an engine step', () => {
    it('runs the engine and writes its verdict: a missing target is Ready=False TargetNotFound', async () => {
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, withFinalizer)],
      });
      world.served = ['v1alpha4'];
      const result = await reconciler.reconcile('ns/web', ctx);
      expect(result).toEqual({ kind: 'done' });
      expect(world.statusPatches).toHaveLength(1);
      expect(world.statusPatches[0]?.resourceVersion).toBe('10');
      expect(readyOf(world.statusPatches[0]?.patch)).toMatchObject({
        status: 'False',
        reason: 'TargetNotFound',
        // Named, so the person reading it knows which object to look for.
        message: 'the target Deployment web does not exist',
      });
      expect(world.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'TargetNotFound']]);
      // Hands off: nothing is created or routed while the target is missing.
      expect(world.patches).toEqual([]);
    });

    it('a status write conflict fails the step for the queue to retry, with no Event', async () => {
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, withFinalizer)],
      });
      world.served = ['v1alpha4'];
      const conflict = new KubeApiError('PATCH', '/status', 409, {
        reason: 'Conflict',
        message: 'the object has been modified',
      });
      world.statusError = conflict;
      const result = await reconciler.reconcile('ns/web', ctx);
      expect(result.kind).toBe('error');
      expect(world.statusPatches).toEqual([]);
      // The announcement goes out only after the status that carries it is saved.
      expect(world.events).toEqual([]);
      const retry = await reconciler.reconcile('ns/web', ctx);
      expect(retry).toEqual({ kind: 'done' });
      expect(world.statusPatches).toHaveLength(1);
      expect(world.events.map((e) => e.reason)).toEqual(['TargetNotFound']);
    });
    it('a status the API server refuses (422) blocks the Canary: StatusRejected, one Event and alert, retried after a minute', async () => {
      const { world, reconciler, clock } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, withFinalizer)],
      });
      world.served = ['v1alpha4'];
      const invalid = new KubeApiError('PATCH', '/status', 422, {
        reason: 'Invalid',
        message: 'status.lastAnalysis[0].requests: Invalid value: "number": must be an integer',
      });
      world.statusError = invalid;
      const failed = await reconciler.reconcile('ns/web', ctx);
      expect(failed).toMatchObject({ kind: 'error', error: { cause: invalid } });
      expect(world.statusPatches).toEqual([]);
      // The next step does not try the refused write again: it is blocked and says why.
      const blocked = await reconciler.reconcile('ns/web', ctx);
      expect(blocked).toEqual({ kind: 'requeueAfter', ms: BLOCKED_REQUEUE_MS });
      expect(world.statusPatches).toHaveLength(1);
      const ready = readyOf(world.statusPatches[0]?.patch) as { reason: string; message: string };
      expect(ready).toMatchObject({ status: 'False', reason: 'StatusRejected' });
      expect(ready.message).toContain('must be an integer');
      expect(world.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'StatusRejected']]);
      expect(world.alerts.map((a) => a.kind)).toEqual(['Stalled']);
      expect(world.patches).toEqual([]);
      // Still blocked a moment before the minute is up; tried again once it is.
      await clock.advance(STATUS_REJECTION_RETRY_MS - 1);
      await reconciler.reconcile('ns/web', ctx);
      expect(readyOf(world.statusPatches.at(-1)?.patch)).toMatchObject({
        reason: 'StatusRejected',
      });
      await clock.advance(1);
      await reconciler.reconcile('ns/web', ctx);
      expect(readyOf(world.statusPatches.at(-1)?.patch)).toMatchObject({
        reason: 'TargetNotFound',
      });
    });
  });

  describe('a blocked Canary', () => {
    it('says why in Ready=False, records a Warning Event and retries after a minute', async () => {
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, withFinalizer)],
        deployments: [deploymentJson('ns', 'web')],
      });
      const result = await reconciler.reconcile('ns/web', ctx);
      expect(result).toEqual({ kind: 'requeueAfter', ms: BLOCKED_REQUEUE_MS });
      expect(world.events).toHaveLength(1);
      expect(world.events[0]).toMatchObject({
        type: 'Warning',
        reason: 'TrafficSplitUnavailable',
        action: 'TrafficSplitUnavailable',
      });
      expect(world.statusPatches).toHaveLength(1);
      expect(world.statusPatches[0]?.resourceVersion).toBe('10');
      expect(readyOf(world.statusPatches[0]?.patch)).toMatchObject({
        status: 'False',
        reason: 'TrafficSplitUnavailable',
      });
      expect(world.alerts.map((a) => a.kind)).toEqual(['Stalled']);
      // Blocked: the engine touches nothing (no finalizer to add either: it was there).
      expect(world.patches).toEqual([]);
    });

    it('a missing autoscaler: Ready=False AutoscalerNotFound, a Warning Event, nothing created or routed', async () => {
      const { world, reconciler } = await setup({
        canaries: [
          canaryJson('ns', 'web', { autoscalerRef: { name: 'web' } }, undefined, withFinalizer),
        ],
        deployments: [deploymentJson('ns', 'web')],
      });
      world.served = ['v1alpha4'];
      const result = await reconciler.reconcile('ns/web', ctx);
      expect(result).toEqual({ kind: 'requeueAfter', ms: BLOCKED_REQUEUE_MS });
      expect(world.events.map((e) => [e.type, e.reason])).toEqual([
        ['Warning', 'AutoscalerNotFound'],
      ]);
      expect(readyOf(world.statusPatches[0]?.patch)).toMatchObject({
        status: 'False',
        reason: 'AutoscalerNotFound',
        message: 'HorizontalPodAutoscaler web (spec.autoscalerRef) does not exist',
      });
      expect(world.patches).toEqual([]);
    });

    it('reports an invalid spec as InvalidSpec, also where the routing API is served', async () => {
      const { world, reconciler } = await setup({
        canaries: [
          canaryJson('ns', 'web', { analysis: { interval: '10ms' } }, undefined, withFinalizer),
        ],
        deployments: [deploymentJson('ns', 'web')],
      });
      world.served = ['v1alpha4'];
      const result = await reconciler.reconcile('ns/web', ctx);
      expect(result).toEqual({ kind: 'requeueAfter', ms: BLOCKED_REQUEUE_MS });
      expect(world.events.map((e) => e.reason)).toEqual(['InvalidSpec']);
      expect(readyOf(world.statusPatches[0]?.patch)).toMatchObject({
        status: 'False',
        reason: 'InvalidSpec',
      });
    });

    it.each([
      [
        'a cron expression the CRD lets through but cron cannot run',
        { schedule: { allow: ['* 17-9 * * *'] } },
      ],
      [
        'a time zone that does not exist',
        { schedule: { timeZone: 'Mars/Olympus', allow: ['* * * * *'] } },
      ],
    ])(
      'finds %s on the first look: Stalled InvalidSpec before any release',
      async (_what, spec) => {
        const { world, reconciler } = await setup({
          canaries: [canaryJson('ns', 'web', spec, undefined, withFinalizer)],
          deployments: [deploymentJson('ns', 'web')],
        });
        world.served = ['v1alpha4'];
        await reconciler.reconcile('ns/web', ctx);
        expect(world.statusPatches).toHaveLength(1);
        const conditions = (world.statusPatches[0]?.patch as CanaryStatus).conditions ?? [];
        expect(conditions.find((c) => c.type === 'Stalled')).toMatchObject({
          status: 'True',
          reason: 'InvalidSpec',
        });
        expect(conditions.find((c) => c.type === 'Reconciling')).toMatchObject({ status: 'False' });
        expect(world.events.map((e) => e.reason)).toEqual(['InvalidSpec']);
        expect(world.patches).toEqual([]);
      },
    );

    it('does not rewrite a status that already says so, and sends no Event or alert again', async () => {
      const first = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, withFinalizer)],
        deployments: [deploymentJson('ns', 'web')],
      });
      await first.reconciler.reconcile('ns/web', ctx);
      const status = first.world.statusPatches[0]?.patch as CanaryStatus;
      expect(readyOf(status)).toMatchObject({ reason: 'TrafficSplitUnavailable' });
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, status, withFinalizer)],
        deployments: [deploymentJson('ns', 'web')],
      });
      const result = await reconciler.reconcile('ns/web', ctx);
      expect(result).toEqual({ kind: 'requeueAfter', ms: BLOCKED_REQUEUE_MS });
      expect(world.statusPatches).toEqual([]);
      expect(world.alerts).toEqual([]);
      // One Event per transition into the reason (the engine announces on change only).
      expect(world.events).toEqual([]);
    });

    it('announces a new blocked reason once: InvalidSpec after TrafficSplitUnavailable', async () => {
      const first = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, withFinalizer)],
        deployments: [deploymentJson('ns', 'web')],
      });
      await first.reconciler.reconcile('ns/web', ctx);
      const status = first.world.statusPatches[0]?.patch as CanaryStatus;
      const { world, reconciler } = await setup({
        canaries: [
          canaryJson('ns', 'web', { analysis: { interval: '10ms' } }, status, withFinalizer),
        ],
        deployments: [deploymentJson('ns', 'web')],
      });
      await reconciler.reconcile('ns/web', ctx);
      expect(world.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'InvalidSpec']]);
      expect(world.alerts.map((a) => a.kind)).toEqual(['Stalled']);
    });

    it('a status write conflict fails the reconcile (the queue retries) and the retry writes', async () => {
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, withFinalizer)],
        deployments: [deploymentJson('ns', 'web')],
      });
      const conflict = new KubeApiError('PATCH', '/status', 409, {
        reason: 'Conflict',
        message: 'the object has been modified',
      });
      world.statusError = conflict;
      const failed = await reconciler.reconcile('ns/web', ctx);
      expect(failed).toMatchObject({ kind: 'error', error: { cause: conflict } });
      // Persisted before any effect: a failed write sends no Event and no alert.
      expect(world.statusPatches).toEqual([]);
      expect(world.events).toEqual([]);
      const retry = await reconciler.reconcile('ns/web', ctx);
      expect(retry).toEqual({ kind: 'requeueAfter', ms: BLOCKED_REQUEUE_MS });
      expect(world.statusPatches).toHaveLength(1);
      expect(readyOf(world.statusPatches[0]?.patch)).toMatchObject({
        reason: 'TrafficSplitUnavailable',
      });
    });
  });

  describe('deletion', () => {
    const deleting = { deletionTimestamp: '2030-01-01T00:00:00Z' };

    it('has nothing to undo when our finalizer is not there', async () => {
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, deleting)],
      });
      await expect(reconciler.reconcile('ns/web', ctx)).resolves.toEqual({ kind: 'done' });
      expect(world.patches).toEqual([]);
      expect(world.statusPatches).toEqual([]);
    });

    it('a blocked Canary without a target lets go: the finalizer is removed', async () => {
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, { ...deleting, ...withFinalizer })],
      });
      // The next reconcile finds it gone (the requeue is the engine's usual one after effects).
      await reconciler.reconcile('ns/web', ctx);
      expect(world.patches).toEqual([
        {
          path: '/apis/weightlifter.io/v1alpha1/namespaces/ns/canaries/web',
          body: [
            { op: 'test', path: '/metadata/finalizers', value: [FINALIZER] },
            { op: 'replace', path: '/metadata/finalizers', value: [] },
          ],
          strategy: PatchStrategy.JsonPatch,
        },
      ]);
    });

    it('a blocked Canary whose target is not ready waits for it and says so', async () => {
      const { world, reconciler } = await setup({
        canaries: [canaryJson('ns', 'web', {}, undefined, { ...deleting, ...withFinalizer })],
        deployments: [deploymentJson('ns', 'web', { replicas: 0, ready: false })],
      });
      const result = await reconciler.reconcile('ns/web', ctx);
      expect(result).toEqual({ kind: 'requeueAfter', ms: 10_000 });
      expect(world.events.map((e) => e.reason)).toEqual(['TargetNotReady']);
      expect(readyOf(world.statusPatches[0]?.patch)).toMatchObject({
        status: 'False',
        reason: 'TargetNotReady',
      });
      // The finalizer stays until the target can serve.
      expect(world.patches.some((p) => p.strategy === PatchStrategy.JsonPatch)).toBe(false);
    });
  });
});
