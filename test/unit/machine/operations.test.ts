import { describe, expect, it } from '@jest/globals';
import type { Phase } from '../../../src/api/constants.js';
import type { ManualOperation } from '../../../src/api/constants.js';
import type { EngineSpec } from '../../../src/machine/types.js';
import { MINUTE, World, bad, condition, ok, spec, types } from './harness.js';

const atFirstStep = (): Promise<World> => World.atFirstStep();

async function failedRun(): Promise<World> {
  const w = await atFirstStep();
  w.checks = [bad()];
  await w.wait(MINUTE);
  await w.reconcile();
  await w.wait(MINUTE);
  await w.reconcile();
  expect(w.status?.phase).toBe('Failed');
  await w.settle();
  w.checks = [ok()];
  w.calls = [];
  return w;
}

function operate(
  w: World,
  action: ManualOperation | null,
  request = `${action ?? 'bogus'}:1`,
): void {
  w.operation = { request, action };
}

describe('manual operations', () => {
  it('promote skips the rest of the analysis', async () => {
    const w = await atFirstStep();
    operate(w, 'promote');
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Promoting', canaryWeight: 30 });
    expect(w.status?.operation).toMatchObject({
      request: 'promote:1',
      action: 'promote',
      result: 'Accepted',
    });
    await w.settle();
    expect(w.status).toMatchObject({ phase: 'Succeeded', lastPromotedRevision: 'rev2' });
  });

  it('abort rolls back with reason Aborted', async () => {
    const w = await atFirstStep();
    operate(w, 'abort');
    const r = await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(condition(w.status, 'Ready')?.reason).toBe('Aborted');
    expect(types(r.plan.effects)).toContain('routeTraffic:0');
  });

  it('retry re-runs a failed revision without a template change', async () => {
    const w = await failedRun();
    operate(w, 'retry');
    await w.reconcile();
    expect(w.status).toMatchObject({
      phase: 'Progressing',
      revision: 'rev2',
      canaryWeight: 0,
      failedChecks: 0,
    });
    expect(w.hookCalls()).toEqual(['confirm-rollout']);
  });

  it('handles an annotation value once, however often it is seen', async () => {
    const w = await failedRun();
    operate(w, 'retry', 'retry:2026-06-01');
    await w.reconcile();
    w.checks = [bad()];
    for (let i = 0; i < 4; i++) {
      await w.wait(MINUTE);
      await w.reconcile();
    }
    expect(w.status?.phase).toBe('Failed'); // the same annotation did not retry again
    operate(w, 'retry', 'retry:2026-06-02');
    await w.reconcile();
    expect(w.status?.phase).toBe('Progressing');
  });

  it.each<[string, ManualOperation | null, Phase | 'first-step' | 'failed']>([
    ['an unknown operation', null, 'first-step'],
    ['retry of a running canary', 'retry', 'first-step'],
    ['abort of a settled canary', 'abort', 'Initialized'],
    ['promote of a settled canary', 'promote', 'Initialized'],
  ])('rejects %s, recording why, and changes nothing else', async (_name, action, at) => {
    const w = at === 'first-step' ? await atFirstStep() : await World.initialized();
    const before = { ...w.status };
    operate(w, action);
    const r = await w.reconcile();
    expect(w.status?.operation).toMatchObject({ result: 'Rejected' });
    expect(Object.keys(r.plan.statusPatch ?? {})).toEqual(['operation']);
    expect(w.status?.phase).toBe(before.phase);
  });

  it('rejects promote when the target moved past the revision under analysis', async () => {
    const w = await failedRun();
    w.release('rev3');
    operate(w, 'promote');
    await w.reconcile();
    expect(w.status?.operation).toMatchObject({ result: 'Rejected' });
    expect(w.status).toMatchObject({ phase: 'Progressing', revision: 'rev3' });
  });
});

describe('pause and resume', () => {
  it('pause freezes the run (no ticks) but keeps repairing drift; resume shifts the deadlines', async () => {
    const w = await atFirstStep();
    const phaseSince = w.status?.phaseSince;
    operate(w, 'pause', 'pause:1');
    let r = await w.reconcile();
    expect(w.status).toMatchObject({ paused: true, heldSince: '2026-06-01T10:00:00.000Z' });
    expect(condition(w.status, 'Ready')?.reason).toBe('Paused');
    expect(r.plan.requeueAfterMs).toBeNull();
    await w.wait(30 * MINUTE);
    r = await w.reconcile();
    expect(w.called('runChecks')).toHaveLength(0);
    expect(r.plan.statusPatch).toBeNull();
    w.routes = { primaryWeight: 100, canaryWeight: 0 };
    r = await w.reconcile();
    expect(types(r.plan.effects)).toEqual(['routeTraffic:30']);

    operate(w, 'resume', 'resume:1');
    await w.reconcile();
    expect(w.status?.paused).toBeUndefined();
    expect(w.status?.heldSince).toBeUndefined();
    // 30 minutes held are added to the step's start: the 10-minute deadline is not blown
    expect(Date.parse(w.status?.phaseSince ?? '')).toBe(Date.parse(phaseSince ?? '') + 30 * MINUTE);
    // The drift seen while paused restarts the analysis clock once the split shows 30 again:
    // one full interval at 30 before the run moves on, never a window that held the drift.
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    expect(w.status?.trafficShiftSince).toBeUndefined();
    await w.wait(MINUTE);
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50 });
  });

  it('suspend touches nothing, not even drift, and releases the deadlines afterwards', async () => {
    const w = await atFirstStep();
    const suspended = spec({ suspend: true });
    let r = await w.reconcile(suspended);
    expect(condition(w.status, 'Ready')?.reason).toBe('Suspended');
    expect(types(r.plan.effects)).toEqual(['event:Suspended']);
    w.routes = { primaryWeight: 100, canaryWeight: 0 };
    await w.wait(60 * MINUTE);
    r = await w.reconcile(suspended);
    expect(r.plan.effects).toEqual([]);
    // It records what it saw (the split behind the weight), and touches nothing.
    expect(Object.keys(r.plan.statusPatch ?? {})).toEqual(['trafficShiftSince']);
    operate(w, 'promote');
    await w.reconcile(suspended);
    expect(w.status?.operation).toMatchObject({ result: 'Rejected' });
    r = await w.reconcile();
    expect(w.status?.phase).toBe('Progressing');
    // The drift is repaired first; the weight is analysed before the run moves on.
    expect(types(r.plan.effects)).toContain('routeTraffic:30');
    expect(w.status?.canaryWeight).toBe(30);
  });

  // What GitOps tools read (Ready, Stalled, Reconciling) must not change meaning under a hold.
  const readyMessage = (w: World) => w.status?.conditions?.find((c) => c.type === 'Ready')?.message;
  const health = (w: World) => ({
    ready: condition(w.status, 'Ready'),
    stalled: condition(w.status, 'Stalled')?.status,
    reconciling: condition(w.status, 'Reconciling')?.status,
  });

  it.each<[string, (w: World) => EngineSpec, (w: World) => EngineSpec]>([
    [
      'paused',
      (w) => (operate(w, 'pause', 'pause:9'), spec()),
      (w) => (operate(w, 'resume', 'resume:9'), spec()),
    ],
    ['suspended', () => spec({ suspend: true }), () => spec()],
  ])(
    'a Failed Canary %s stays Stalled with its failure, and says it again once released',
    async (_how, holdIt, releaseIt) => {
      const w = await failedRun();
      const failure = health(w);
      const message = readyMessage(w);
      expect(message).toContain('failed checks');
      expect(failure).toMatchObject({
        ready: { status: 'False', reason: 'FailedChecksThresholdReached' },
        stalled: 'True',
        reconciling: 'False',
      });
      const r = await w.reconcile(holdIt(w));
      expect(w.status?.heldSince).toBeDefined();
      expect(health(w)).toEqual(failure);
      expect(readyMessage(w)).toBe(message);
      expect(r.plan.effects.filter((e) => e.type === 'emitEvent')).toHaveLength(1);
      await w.wait(MINUTE);
      await w.reconcile(releaseIt(w));
      expect(w.status?.heldSince).toBeUndefined();
      expect(health(w)).toEqual(failure);
      expect(readyMessage(w)).toBe(message);
    },
  );

  it('a paused run says Paused, stays in progress, and gets its reason and message back on resume', async () => {
    const w = await atFirstStep();
    const before = condition(w.status, 'Ready');
    const message = w.status?.conditions?.find((c) => c.type === 'Ready')?.message;
    operate(w, 'pause', 'pause:2');
    await w.reconcile();
    expect(health(w)).toMatchObject({
      ready: { reason: 'Paused' },
      stalled: 'False',
      reconciling: 'True',
    });
    expect(w.status?.heldFrom).toEqual({ reason: before?.reason, message });
    operate(w, 'resume', 'resume:2');
    await w.reconcile();
    expect(w.status?.heldFrom).toBeUndefined();
    expect(condition(w.status, 'Ready')?.reason).toBe(before?.reason);
    expect(w.status?.conditions?.find((c) => c.type === 'Ready')?.message).toBe(message);
  });
});
