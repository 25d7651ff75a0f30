// CanaryReconciler on its own: the reconcile loop around the engine, with our own seams in memory
// (caches over a fake ListerWatcher, the raw client's patch, the status writer, the Event
// recorder, the notifier, served TrafficSplit versions) and a manual clock. What it decides before
// the engine runs (gone, stale, not ours to finalize, blocked) and how it maps that to the queue.
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { CanaryStatus } from '../../../src/api/canary.js';
import { FINALIZER } from '../../../src/api/constants.js';
import type { TrafficSplitVersion } from '../../../src/api/smi.js';
import type { CanaryJson, ControllerCaches } from '../../../src/controller/caches.js';
import {
  CanaryReconciler,
  type CanaryReconcilerDeps,
} from '../../../src/controller/canary-reconciler.js';
import { RunSlots } from '../../../src/controller/run-slots.js';
import type { EventInput, EventRecorder } from '../../../src/kube/events.js';
import type { StatusWriter } from '../../../src/kube/status.js';
import type { JsonObject } from '../../../src/kube/merge-patch.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import type { Notifier } from '../../../src/notify/notifier.js';
import type { NotifyEvent } from '../../../src/notify/types.js';
import type { ReconcileContext } from '../../../src/runtime/reconciler.js';
import { WriteTracker } from '../../../src/runtime/write-tracker.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import {
  canaryJson,
  deploymentJson,
  memoryCaches,
  stopCaches,
  type CachesInput,
} from './canary-fixtures.js';
import { unused } from '../notify/fixtures.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const KEY = 'ns/web';
const logger = pino({ level: 'silent' });
const ctx: ReconcileContext = { signal: new AbortController().signal, logger, retries: 0 };

interface Patch {
  readonly path: string;
  readonly body: unknown;
}

let open: ControllerCaches[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => stopCaches(c)));
  open = [];
});

async function world(input: CachesInput, served: readonly TrafficSplitVersion[] = ['v1alpha4']) {
  const caches = await memoryCaches(input);
  open.push(caches);
  const patches: Patch[] = [];
  const statuses: JsonObject[] = [];
  const events: EventInput[] = [];
  const alerts: NotifyEvent[] = [];
  const raw = {
    patch: <T>(path: string, body: unknown) => {
      patches.push({ path, body });
      const current = caches.canaries.get(KEY);
      const meta = (body as { metadata?: object }).metadata ?? {};
      return Promise.resolve({
        ...current,
        metadata: { ...current?.metadata, ...meta },
      } as T);
    },
  } as unknown as KubeRawClient;
  const notifier: Notifier = {
    notify: (event) => {
      alerts.push(event);
      return Promise.resolve([]);
    },
    idle: () => Promise.resolve(),
  };
  const clock = new ManualClock(NOW);
  const tracker = new WriteTracker({ now: () => clock.now() });
  const deps: CanaryReconcilerDeps = {
    raw,
    caches,
    statusWriter: {
      patchStatus: <T>(_r: unknown, _ns: unknown, _n: string, patch: JsonObject) => {
        statuses.push(patch);
        return Promise.resolve(caches.canaries.get(KEY) as T);
      },
    } as Pick<StatusWriter, 'patchStatus'> as StatusWriter,
    recorder: {
      record: (e: EventInput) => {
        events.push(e);
        return Promise.resolve('created' as const);
      },
    } as Pick<EventRecorder, 'record'> as EventRecorder,
    // Never reached before the engine runs: a use throws and fails the test.
    metricSources: unused('metricSources'),
    urlPolicy: unused('urlPolicy'),
    controllerNamespace: 'weightlifter-system',
    alerts: { notifier, cluster: 'test' },
    routerDeps: {
      raw,
      splits: caches.splits,
      logger,
      versions: { served: () => Promise.resolve(served) },
    },
    tracker,
    runSlots: new RunSlots(10, caches.canaries),
    clock,
  };
  return {
    reconciler: new CanaryReconciler(deps),
    tracker,
    patches,
    statuses,
    events,
    alerts,
  };
}

const withFinalizer = (c: CanaryJson): CanaryJson => ({
  ...c,
  metadata: { ...c.metadata, finalizers: [FINALIZER] },
});

const readyReason = (patch: JsonObject | undefined): unknown =>
  (patch?.['conditions'] as { type: string; reason: string }[] | undefined)?.find(
    (c) => c.type === 'Ready',
  )?.reason;

describe('CanaryReconciler', () => {
  it('forgets a Canary that is gone from the cache and writes nothing', async () => {
    const w = await world({});
    expect(await w.reconciler.reconcile(KEY, ctx)).toEqual({ kind: 'done' });
    expect([w.patches, w.statuses, w.events]).toEqual([[], [], []]);
  });

  it('looks again shortly when the cache is older than our own last write', async () => {
    const cached = canaryJson('ns', 'web', {}, undefined, { resourceVersion: '10' });
    const w = await world({ canaries: [cached] });
    w.tracker.record({ ...cached, metadata: { ...cached.metadata, resourceVersion: '11' } });
    expect(await w.reconciler.reconcile(KEY, ctx)).toEqual({ kind: 'requeueAfter', ms: 100 });
    expect([w.patches, w.statuses, w.events]).toEqual([[], [], []]);
  });

  it('lets a Canary deleted before it had our finalizer go without touching anything', async () => {
    const deleting = canaryJson('ns', 'web', {}, undefined, {
      deletionTimestamp: '2026-01-01T00:00:00Z',
    });
    const w = await world({ canaries: [deleting] });
    expect(await w.reconciler.reconcile(KEY, ctx)).toEqual({ kind: 'done' });
    expect([w.patches, w.statuses, w.events]).toEqual([[], [], []]);
  });

  it('adds the finalizer first, then blocks an invalid spec with a condition, one Event and the alert', async () => {
    const invalid = canaryJson('ns', 'web', { analysis: { interval: '500ms' } });
    const w = await world({ canaries: [invalid], deployments: [deploymentJson('ns', 'web')] });
    expect(await w.reconciler.reconcile(KEY, ctx)).toEqual({ kind: 'requeueAfter', ms: 60_000 });
    expect(w.patches).toHaveLength(1);
    expect(w.patches[0]?.path).toContain('/canaries/web');
    expect(w.patches[0]?.body).toMatchObject({
      metadata: { finalizers: [FINALIZER] },
    });
    expect(w.statuses).toHaveLength(1);
    expect(readyReason(w.statuses[0])).toBe('InvalidSpec');
    expect(w.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'InvalidSpec']]);
    expect(w.alerts.map((a) => [a.kind, a.reason])).toEqual([['Stalled', 'InvalidSpec']]);
  });

  it('blocks a Canary whose TrafficSplit version is not served, before any traffic moves', async () => {
    const canary = withFinalizer(canaryJson('ns', 'web'));
    const w = await world({ canaries: [canary], deployments: [deploymentJson('ns', 'web')] }, []);
    expect(await w.reconciler.reconcile(KEY, ctx)).toEqual({ kind: 'requeueAfter', ms: 60_000 });
    expect(w.patches).toEqual([]); // no finalizer to add, no split, no Service touched
    expect(readyReason(w.statuses[0])).toBe('TrafficSplitUnavailable');
    expect(w.events.map((e) => e.reason)).toEqual(['TrafficSplitUnavailable']);
  });

  it('keeps a blocked Canary being deleted until its target is ready, saying why', async () => {
    const status: CanaryStatus = { phase: 'Succeeded' };
    const deleting = withFinalizer(
      canaryJson('ns', 'web', {}, status, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    );
    const target = deploymentJson('ns', 'web', { replicas: 0, ready: false });
    const w = await world({ canaries: [deleting], deployments: [target] }, []);
    expect(await w.reconciler.reconcile(KEY, ctx)).toEqual({ kind: 'requeueAfter', ms: 10_000 });
    // The target is scaled up; the finalizer stays.
    expect(w.patches.map((p) => p.path)).toEqual([expect.stringContaining('/deployments/web')]);
    expect(readyReason(w.statuses[0])).toBe('TargetNotReady');
    expect(w.events.map((e) => e.reason)).toEqual(['TargetNotReady']);
  });

  it('lets a blocked Canary being deleted go once its target is ready: finalizer removed', async () => {
    const deleting = withFinalizer(
      canaryJson(
        'ns',
        'web',
        {},
        { phase: 'Succeeded' },
        { deletionTimestamp: '2026-01-01T00:00:00Z' },
      ),
    );
    const w = await world({ canaries: [deleting], deployments: [deploymentJson('ns', 'web')] }, []);
    expect(await w.reconciler.reconcile(KEY, ctx)).toEqual({ kind: 'done' });
    const last = w.patches.at(-1);
    expect(last?.path).toContain('/canaries/web');
    // A JSON patch guarded by a test of the finalizers we read.
    expect(last?.body).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: [FINALIZER] },
      { op: 'replace', path: '/metadata/finalizers', value: [] },
    ]);
    expect(w.statuses).toEqual([]);
  });
});
