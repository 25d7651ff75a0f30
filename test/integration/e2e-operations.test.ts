// End-to-end, issue 4 scenarios 5, 7, 8 and 11: bounded waits, the confirm-promotion gate, a new
// revision during a run, and manual operations through the annotation. Real control plane, real
// Prometheus, the mesh emulator, and the controller as a child process with its own identity.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { newRevision, waitForEnd, waitForWeight } from '../e2e/canary-run.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { HookServer } from '../e2e/hook-server.js';
import { getCanary, phaseIs, waitForStatus } from '../e2e/harness.js';
import { APP, BEHAVIOUR } from '../e2e/manifests.js';
import { canaryEvents, getDeployment } from '../e2e/observers.js';

jest.setTimeout(180_000);

const e = useE2E('operations');
const hooks = new HookServer();
beforeAll(async () => {
  await hooks.start();
});
afterAll(async () => {
  await hooks.stop();
});

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
  const deployed = initializedCanary(e, ns, { canary: { progressDeadlineSeconds: 12 } });

  it('fails at the progress deadline instead of progressing forever, with no traffic sent to it', async () => {
    const { split } = deployed;
    await newRevision(e, ns, { ...BEHAVIOUR.neverReady(), 'example.com/rev': 'broken' });
    const waiting = await waitForStatus(
      e,
      ns,
      APP,
      'waiting for the canary',
      (s) => readyReason(s) === 'WaitingForCanary',
    );
    expect(waiting.phase).toBe('Progressing');
    const done = await waitForEnd(e, ns, 60_000);
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
  beforeAll(() => {
    hooks.status.set('/confirm', 403);
  });
  const deployed = initializedCanary(e, ns, () => ({
    canary: {
      webhooks: [{ name: 'gate', type: 'confirm-promotion', url: `${hooks.url}/confirm` }],
    },
  }));

  it('holds in WaitingPromotion while it says no, and promotes once it says yes', async () => {
    const { split } = deployed;
    await newRevision(e, ns, { 'example.com/rev': '2' });
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
    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Succeeded');
    await split.reached(0);
    expect(split.weights).toEqual([0, 20, 50, 0]);
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
  });
});

describe('scenario 8: a new revision during a run restarts the analysis from weight 0', () => {
  const ns = 'e2e-restart-run';
  const deployed = initializedCanary(e, ns, { canary: { stepWeights: [10, 20, 30, 40, 50] } });

  it('drops to 0, starts over with the newer revision and promotes that one', async () => {
    const { split } = deployed;
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const mid = await waitForWeight(e, ns, 20);
    await newRevision(e, ns, { 'example.com/rev': '3' });
    const restarted = await waitForStatus(
      e,
      ns,
      APP,
      'run restarted',
      (s) => s.revision !== mid.revision,
    );
    expect(restarted.stepIndex ?? 0).toBeLessThanOrEqual(1);
    expect(restarted.failedChecks ?? 0).toBe(0);
    const done = await waitForEnd(e, ns);
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
  const deployed = initializedCanary(e, ns, { canary: { stepWeights: [10, 20, 30, 40, 50] } });

  it('abort rolls a healthy run back, retry re-runs it, promote skips the remaining steps', async () => {
    const { split } = deployed;
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const running = await waitForWeight(e, ns, 10);

    await operate(ns, 'abort:1');
    const aborted = await waitForStatus(e, ns, APP, 'aborted', phaseIs('Failed'));
    expect(readyReason(aborted)).toBe('Aborted');
    expect(aborted.operation).toMatchObject({
      request: 'abort:1',
      action: 'abort',
      result: 'Accepted',
    });
    expect(aborted.revision).toBe(running.revision);
    await split.reached(0);

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
    const done = await waitForEnd(e, ns);
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
