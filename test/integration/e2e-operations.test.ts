// End-to-end, issue 4 scenarios 5, 7, 8 and 11: bounded waits, the confirm-promotion gate, a new
// revision during a run, and manual operations through the annotation. Real control plane, real
// Prometheus, the mesh emulator, and the controller as a child process with its own identity.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { HookServer } from '../e2e/hook-server.js';
import {
  eventually,
  getCanary,
  phaseIs,
  startE2E,
  waitForStatus,
  type E2E,
} from '../e2e/harness.js';
import {
  APP,
  BEHAVIOUR,
  appYaml,
  canaryYaml,
  namespaceYaml,
  revisionPatch,
  type CanaryOptions,
} from '../e2e/manifests.js';
import { SplitRecorder, canaryEvents, getDeployment } from '../e2e/observers.js';

jest.setTimeout(180_000);

let e: E2E;
const hooks = new HookServer();

beforeAll(async () => {
  await hooks.start();
  e = await startE2E('operations');
}, 180_000);

afterAll(async () => {
  await e.stop();
  await hooks.stop();
}, 60_000);

async function initialized(ns: string, opts: CanaryOptions = {}): Promise<SplitRecorder> {
  await e.apply(namespaceYaml(ns));
  await e.apply(appYaml(ns));
  await e.apply(canaryYaml(ns, opts));
  const split = new SplitRecorder(e.admin, ns);
  await split.start();
  await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
  split.reset();
  return split;
}

const newRevision = (ns: string, annotations: Record<string, string>): Promise<string> =>
  e.kubectl([
    '-n',
    ns,
    'patch',
    'deployment',
    APP,
    '--type',
    'merge',
    '-p',
    revisionPatch(annotations),
  ]);

const operate = (ns: string, value: string): Promise<string> =>
  e.kubectl([
    '-n',
    ns,
    'annotate',
    'canary',
    APP,
    `weightlifter.io/operation=${value}`,
    '--overwrite',
  ]);

const readyReason = (s: { conditions?: { type: string; reason: string }[] }): string | undefined =>
  s.conditions?.find((c) => c.type === 'Ready')?.reason;

describe('scenario 5: a revision that never becomes ready', () => {
  const ns = 'e2e-never-ready';
  let split: SplitRecorder;

  beforeAll(async () => {
    split = await initialized(ns, { progressDeadlineSeconds: 12 });
  });
  afterAll(async () => {
    await split.stop();
  });

  it('fails at the progress deadline instead of progressing forever, with no traffic sent to it', async () => {
    await newRevision(ns, { ...BEHAVIOUR.neverReady(), 'example.com/rev': 'broken' });
    const waiting = await waitForStatus(
      e,
      ns,
      APP,
      'waiting for the canary',
      (s) => readyReason(s) === 'WaitingForCanary',
    );
    expect(waiting.phase).toBe('Progressing');
    const done = await waitForStatus(e, ns, APP, 'Failed', phaseIs('Failed', 'Succeeded'), 60_000);
    expect(done.phase).toBe('Failed');
    expect(readyReason(done)).toBe('ProgressDeadlineExceeded');
    const since = Date.parse(waiting.phaseSince ?? '');
    const failedAt = Date.parse(done.phaseSince ?? '');
    expect(failedAt - since).toBeGreaterThanOrEqual(12_000);
    expect(split.weights).toEqual([0]);
    const target = await getDeployment(e.admin, ns, APP);
    expect(target?.status?.readyReplicas ?? 0).toBe(0);
  });
});

describe('scenario 7: a confirm-promotion webhook gates the promotion', () => {
  const ns = 'e2e-confirm';
  let split: SplitRecorder;

  beforeAll(async () => {
    hooks.status.set('/confirm', 403);
    split = await initialized(ns, {
      webhooks: [{ name: 'gate', type: 'confirm-promotion', url: `${hooks.url}/confirm` }],
    });
  });
  afterAll(async () => {
    await split.stop();
  });

  it('holds in WaitingPromotion while it says no, and promotes once it says yes', async () => {
    await newRevision(ns, { 'example.com/rev': '2' });
    await waitForStatus(e, ns, APP, 'WaitingPromotion', phaseIs('WaitingPromotion', 'Failed'));
    // Hold for several intervals: still waiting, still at the last step weight, still asking.
    const callsBefore = hooks.callsTo('/confirm').length;
    await new Promise((r) => setTimeout(r, 7_000));
    const held = (await getCanary(e, ns, APP)).status;
    expect(held?.phase).toBe('WaitingPromotion');
    expect(split.current()).toEqual({ primaryWeight: 50, canaryWeight: 50 });
    expect(hooks.callsTo('/confirm').length).toBeGreaterThan(callsBefore);
    const call = hooks.callsTo('/confirm')[0];
    expect(call?.body).toMatchObject({ name: APP, namespace: ns, type: 'confirm-promotion' });
    hooks.status.set('/confirm', 200);
    const done = await waitForStatus(e, ns, APP, 'Succeeded', phaseIs('Succeeded', 'Failed'));
    expect(done.phase).toBe('Succeeded');
    await split.reached(0);
    expect(split.weights).toEqual([0, 20, 50, 0]);
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
  });
});

describe('scenario 8: a new revision during a run restarts the analysis from weight 0', () => {
  const ns = 'e2e-restart-run';
  let split: SplitRecorder;

  beforeAll(async () => {
    split = await initialized(ns, { stepWeights: [10, 20, 30, 40, 50] });
  });
  afterAll(async () => {
    await split.stop();
  });

  it('drops to 0, starts over with the newer revision and promotes that one', async () => {
    await newRevision(ns, { 'example.com/rev': '2' });
    const mid = await waitForStatus(
      e,
      ns,
      APP,
      'weight 20 reached',
      (s) => (s.canaryWeight ?? 0) >= 20,
    );
    await newRevision(ns, { 'example.com/rev': '3' });
    const restarted = await waitForStatus(
      e,
      ns,
      APP,
      'run restarted',
      (s) => s.revision !== mid.revision,
    );
    expect(restarted.stepIndex ?? 0).toBeLessThanOrEqual(1);
    expect(restarted.failedChecks ?? 0).toBe(0);
    const done = await waitForStatus(e, ns, APP, 'Succeeded', phaseIs('Succeeded', 'Failed'));
    expect(done.phase).toBe('Succeeded');
    expect(done.revision).toBe(restarted.revision);
    // Up to at least 20 with revision 2, back to 0, then every step again with revision 3.
    await split.reached(0);
    const w = split.weights;
    const restart = w.findIndex((x, i) => i > 0 && x === 0 && (w[i - 1] ?? 0) >= 20);
    expect(restart).toBeGreaterThan(0);
    expect(w.slice(restart)).toEqual([0, 10, 20, 30, 40, 50, 0]);
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('3');
    const notes = (await canaryEvents(e.admin, ns))
      .filter((ev) => ev.reason === 'NewRevision')
      .map((ev) => ev.note ?? '');
    expect(notes.some((n) => n.includes('New revision during the run'))).toBe(true);
  });
});

describe('scenario 11: abort, retry and promote through the annotation', () => {
  const ns = 'e2e-manual';
  let split: SplitRecorder;

  beforeAll(async () => {
    split = await initialized(ns, { stepWeights: [10, 20, 30, 40, 50] });
  });
  afterAll(async () => {
    await split.stop();
  });

  it('abort rolls a healthy run back, retry re-runs it, promote skips the remaining steps', async () => {
    await newRevision(ns, { 'example.com/rev': '2' });
    const running = await waitForStatus(
      e,
      ns,
      APP,
      'weight 10',
      (s) => (s.canaryWeight ?? 0) >= 10,
    );

    await operate(ns, 'abort:1');
    const aborted = await waitForStatus(e, ns, APP, 'aborted', phaseIs('Failed'));
    expect(readyReason(aborted)).toBe('Aborted');
    expect(aborted.operation).toMatchObject({
      request: 'abort:1',
      action: 'abort',
      result: 'Accepted',
    });
    expect(aborted.revision).toBe(running.revision);
    await eventually('traffic back on the primary', () =>
      split.current()?.canaryWeight === 0 ? true : undefined,
    );

    await operate(ns, 'retry:2');
    const retried = await waitForStatus(
      e,
      ns,
      APP,
      'retried',
      (s) => s.phase === 'Progressing' && (s.canaryWeight ?? 0) >= 10,
    );
    expect(retried.operation).toMatchObject({ request: 'retry:2', result: 'Accepted' });
    expect(retried.revision).toBe(running.revision);

    await operate(ns, 'promote:3');
    const done = await waitForStatus(e, ns, APP, 'Succeeded', phaseIs('Succeeded', 'Failed'));
    expect(done.phase).toBe('Succeeded');
    expect(done.operation).toMatchObject({ request: 'promote:3', result: 'Accepted' });
    expect(done.lastPromotedRevision).toBe(running.revision);
    // Promoted before reaching the last step weight.
    expect(Math.max(...split.weights)).toBeLessThan(50);
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');

    // The annotation stays (as a GitOps tool would keep it); it is not acted on twice.
    await new Promise((r) => setTimeout(r, 4_000));
    const later = (await getCanary(e, ns, APP)).status;
    expect(later?.phase).toBe('Succeeded');
    expect(later?.operation?.request).toBe('promote:3');
  });
});
