// End-to-end, issue 12 item 10: deleting a Canary whose step cannot run (here: it pins a
// TrafficSplit version the cluster does not serve) waits for the target to be ready before it
// hands back the apex Service. Until then the Canary says so (Ready=False TargetNotReady, a
// Warning Event), the primary keeps serving, and no request fails in the emulator.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { writeTrafficSplitVariant } from '../../dev/local/smi-crds.js';
import { deployInitialized, waitForCanaryGone, waitForReplicas } from '../e2e/canary-run.js';
import { eventually, startE2E, waitForStatus, type E2E } from '../e2e/harness.js';
import { APP, BEHAVIOUR, revisionPatch } from '../e2e/manifests.js';
import {
  canaryEvents,
  failedResponses,
  getDeployment,
  getService,
  type SplitRecorder,
} from '../e2e/observers.js';

jest.setTimeout(240_000);

const ns = 'e2e-delete-blocked';
let dir: string;
let e: E2E;
let split: SplitRecorder | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-e2e-delete-blocked-'));
  // Only v1alpha4 is served: a Canary pinned to v1alpha1 cannot run a step.
  const smiCrdFiles = await writeTrafficSplitVariant(dir, ['v1alpha4']);
  e = await startE2E('delete-blocked', { world: { controlPlaneOptions: { smiCrdFiles } } });
}, 180_000);

afterAll(async () => {
  await split?.stop();
  await e.stop();
  await rm(dir, { recursive: true, force: true });
}, 90_000);

const failures = (): string[] => failedResponses(e.world.emulator, ns);

const readyCondition = async () => {
  const r = await e.admin.get<{
    metadata: { deletionTimestamp?: string };
    status?: { conditions?: { type: string; status: string; reason: string }[] };
  }>(`/apis/weightlifter.io/v1alpha1/namespaces/${ns}/canaries/${APP}`);
  return r;
};

describe('deleting a Canary whose step cannot run', () => {
  it('hands the apex back only once the target is ready, and no request fails', async () => {
    split = await deployInitialized(e, ns, { splitVersion: 'v1alpha4' });
    await waitForReplicas(e, ns, APP, 0);
    // The step can no longer run: the pinned version is not served.
    await e.kubectl([
      '-n',
      ns,
      'patch',
      'canary',
      APP,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { routing: { smiVersion: 'v1alpha1' } } }),
    ]);
    await waitForStatus(e, ns, APP, 'blocked', (s) =>
      (s.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.reason === 'TrafficSplitUnavailable',
      ),
    );
    // The target's next pods will not become ready (the blocked Canary starts no run for it).
    await e.kubectl([
      '-n',
      ns,
      'patch',
      'deployment',
      APP,
      '--type',
      'merge',
      '-p',
      revisionPatch(BEHAVIOUR.neverReady()),
    ]);
    expect(failures()).toEqual([]);
    await e.kubectl(['-n', ns, 'delete', 'canary', APP, '--wait=false']);

    // Waiting, and saying so: the target is scaled up but not ready.
    await waitForStatus(e, ns, APP, 'TargetNotReady', (s) =>
      (s.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'False' && c.reason === 'TargetNotReady',
      ),
    );
    expect((await readyCondition()).metadata.deletionTimestamp).toBeDefined();
    await waitForReplicas(e, ns, APP, 2);
    const events = await canaryEvents(e.admin, ns, (evs) =>
      evs.some((ev) => ev.reason === 'TargetNotReady'),
    );
    const warning = events.find((ev) => ev.reason === 'TargetNotReady');
    expect(warning?.type).toBe('Warning');
    expect(warning?.note).toContain('before the apex Service is handed back');
    // The primary keeps serving through the apex meanwhile.
    expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({ app: `${APP}-primary` });
    e.world.emulator.resetObserved(ns, APP);
    await eventually('primary still serving', () =>
      (e.world.emulator.observedSplit(ns, APP)[`${APP}-primary`] ?? 0) > 10 ? true : undefined,
    );
    expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({ app: `${APP}-primary` });
    expect(failures()).toEqual([]);

    // The target becomes ready: the apex is handed back, then the Canary goes.
    await e.kubectl([
      '-n',
      ns,
      'patch',
      'deployment',
      APP,
      '--type',
      'merge',
      '-p',
      revisionPatch({ 'emulator.weightlifter.io/ready': null }),
    ]);
    await waitForCanaryGone(e, ns);
    const target = await getDeployment(e.admin, ns, APP);
    expect(target?.status?.readyReplicas).toBe(2);
    expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({ app: APP });
    e.world.emulator.resetObserved(ns, APP);
    await eventually('requests served by the target', () =>
      (e.world.emulator.observedSplit(ns, APP)[APP] ?? 0) > 10 ? true : undefined,
    );
    expect(failures()).toEqual([]);
  });
});
