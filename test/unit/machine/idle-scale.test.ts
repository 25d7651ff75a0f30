// A GitOps tool scaling the idle target back up outside a run (same revision): the engine starts
// no analysis and does not fight forever — it scales down again with growing pauses, then gives
// up with a condition and a Warning Event (policy: src/workload/gitops-scale.ts).
import { describe, expect, it } from '@jest/globals';
import type { EngineStatus } from '../../../src/machine/types.js';
import { machineInputFromStatus } from '../../../src/machine/resume.js';
import { MINUTE, World, condition, spec, types } from './harness.js';

const POLICY = { maxAttempts: 3, baseDelayMs: MINUTE, factor: 2 };
const SPEC = spec({ idleScale: POLICY });

/** What Argo CD self-heal does: put spec.replicas back to the manifest's count. */
function gitopsScaleUp(w: World, replicas = 2): void {
  if (w.target === null) throw new Error('no target');
  w.target = { ...w.target, replicas };
}

async function idle(): Promise<World> {
  const w = await World.initialized(SPEC);
  expect(w.status).toMatchObject({ phase: 'Initialized', idleScale: { attempts: 1 } });
  expect(w.target?.replicas).toBe(0);
  return w;
}

describe('seeing the idle target at zero', () => {
  it('writes targetScaledDown only when no scale-down of ours is recorded (a target already at 0)', async () => {
    const w = new World();
    if (w.target === null) throw new Error('no target');
    w.target = { ...w.target, replicas: 0 };
    await w.settle(SPEC);
    expect(w.status?.phase).toBe('Initialized');
    expect(w.called('scaleCanary')).toHaveLength(0);
    expect(w.status?.idleScale).toBeUndefined();
    expect(w.status?.targetScaledDown).toBe(true);
  });

  it('writes nothing more once its own scale-down is recorded and seen done', async () => {
    const w = await idle();
    expect(w.status?.targetScaledDown).toBeUndefined();
    expect((await w.reconcile(SPEC)).plan.statusPatch).toBeNull();
  });
});

describe('the target scaled back up outside a run', () => {
  it('scales down again with growing pauses, then gives up; never starts a run', async () => {
    const w = await idle();
    const scaleDowns = (): number =>
      w.called('scaleCanary').filter((c) => (c.input as { to: string }).to === 'zero').length;

    // Within a minute of the routine scale-down: wait.
    gitopsScaleUp(w);
    let r = await w.reconcile(SPEC);
    expect(r.plan.effects).toEqual([]);
    expect(r.plan.requeueAfterMs).toBe(MINUTE);
    await w.wait(MINUTE);
    r = await w.reconcile(SPEC);
    expect(types(r.plan.effects)).toEqual(['scaleCanary:zero', 'event:TargetScaledDown']);
    expect(condition(w.status, 'TargetScaledDown')).toEqual({
      status: 'True',
      reason: 'ScaledDown',
    });
    expect(w.target?.replicas).toBe(0);

    gitopsScaleUp(w);
    r = await w.reconcile(SPEC);
    expect(r.plan.effects).toEqual([]);
    expect(r.plan.requeueAfterMs).toBe(2 * MINUTE);
    await w.wait(2 * MINUTE);
    r = await w.reconcile(SPEC);
    expect(types(r.plan.effects)).toEqual(['scaleCanary:zero', 'event:TargetScaledDown']);

    gitopsScaleUp(w);
    r = await w.reconcile(SPEC);
    expect(types(r.plan.effects)).toEqual(['event:ScaleContested']);
    expect(condition(w.status, 'TargetScaledDown')).toEqual({
      status: 'False',
      reason: 'ScaleContested',
    });
    // Given up: the idle pods stay (no traffic reaches them) and nothing more is written.
    for (let i = 0; i < 3; i++) {
      await w.wait(10 * MINUTE);
      r = await w.reconcile(SPEC);
      expect(r.plan.effects).toEqual([]);
      expect(r.plan.statusPatch).toBeNull();
    }
    expect(scaleDowns()).toBe(2);
    expect(w.status?.phase).toBe('Initialized');
    expect(w.called('runChecks')).toEqual([]);
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
  });

  it('once given up, a target back at 0 is reported and a further scale-up is not fought', async () => {
    const w = await idle();
    await w.wait(MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC);
    await w.wait(2 * MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC);
    gitopsScaleUp(w);
    await w.reconcile(SPEC);
    expect(condition(w.status, 'TargetScaledDown')?.reason).toBe('ScaleContested');
    gitopsScaleUp(w, 0); // the user scales it down by hand
    await w.reconcile(SPEC);
    expect(condition(w.status, 'TargetScaledDown')).toEqual({
      status: 'True',
      reason: 'ScaledDown',
    });
    gitopsScaleUp(w);
    const r = await w.reconcile(SPEC);
    expect(types(r.plan.effects)).toEqual(['event:ScaleContested']);
    expect(w.target?.replicas).toBe(2);
  });

  it('a tool faster than the routine scale-down is seen meets the same bound', async () => {
    const w = new World();
    // The tool puts replicas back right after every write, before the next reconcile sees 0.
    const reconcile = async () => {
      const r = await w.reconcile(SPEC);
      gitopsScaleUp(w);
      return r;
    };
    const scaleDowns = (): number =>
      w.called('scaleCanary').filter((c) => (c.input as { to: string }).to === 'zero').length;
    for (let i = 0; i < 6; i++) await reconcile();
    expect(w.status?.phase).toBe('Initialized');
    expect(w.status?.targetScaledDown).toBeUndefined();
    expect(scaleDowns()).toBe(1);
    await w.wait(MINUTE);
    await reconcile();
    expect(scaleDowns()).toBe(2);
    await w.wait(2 * MINUTE);
    await reconcile();
    expect(scaleDowns()).toBe(3);
    const r = await reconcile();
    expect(types(r.plan.effects)).toEqual(['event:ScaleContested']);
    for (let i = 0; i < 3; i++) {
      await w.wait(10 * MINUTE);
      expect((await reconcile()).plan.effects).toEqual([]);
    }
    expect(scaleDowns()).toBe(3);
  });

  it('a restart in between keeps the count (it is in the status)', async () => {
    const w = await idle();
    await w.wait(MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC); // scale-down 2 of 3
    gitopsScaleUp(w);
    // Every reconcile starts from the status alone: the pause is still known.
    const r = await w.reconcile(SPEC);
    expect(r.plan.requeueAfterMs).toBe(2 * MINUTE);
    expect(w.status?.conditions?.find((c) => c.type === 'TargetScaledDown')?.message).toMatch(
      /^scale-down 2 of 3 at /,
    );
  });

  it('a new revision starts a run and a new idle period with a fresh count', async () => {
    const w = await idle();
    await w.wait(MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC);
    expect(condition(w.status, 'TargetScaledDown')?.reason).toBe('ScaledDown');
    w.release('rev2');
    await w.reconcile(SPEC);
    expect(w.status?.phase).toBe('Progressing');
    expect(condition(w.status, 'TargetScaledDown')).toBeUndefined();
  });

  it('a replica count from Git that differs from the primary is reported', async () => {
    const w = await idle();
    w.primary = { revision: 'rev1', readiness: { state: 'ready' }, replicas: 2 };
    await w.wait(MINUTE);
    gitopsScaleUp(w, 5);
    const r = await w.reconcile(SPEC);
    const ev = r.plan.effects.find((e) => e.type === 'emitEvent');
    expect(ev).toMatchObject({
      eventType: 'Warning',
      message: expect.stringMatching(/asks for 5/),
    });
  });
});

describe('the record in status.idleScale', () => {
  it('holds the count, the time of the last scale-down and whether it gave up', async () => {
    const w = await idle();
    await w.wait(MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC); // scale-down 2 of 3
    const second = w.status?.idleScale;
    expect(second).toEqual({ attempts: 2, lastAttemptAt: expect.any(String) as unknown });
    await w.wait(2 * MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC); // 3 of 3
    gitopsScaleUp(w);
    await w.reconcile(SPEC); // gives up
    expect(w.status?.idleScale).toMatchObject({ attempts: 3, gaveUp: true });
    w.release('rev2');
    await w.reconcile(SPEC);
    expect(w.status?.idleScale).toBeUndefined();
  });

  /**
   * The status as the previous version wrote it: the record only in the condition's message, and
   * targetScaledDown set once the target was seen at 0 (it always was, after a routine scale-down).
   */
  function asPreviousVersion(w: World): void {
    const rest: EngineStatus = { ...w.status, targetScaledDown: true };
    delete rest.idleScale;
    w.status = rest;
  }

  it('a status from the previous version (record only in the condition) resumes with the same count', async () => {
    const w = await idle();
    await w.wait(MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC); // 2 of 3
    await w.wait(2 * MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC); // 3 of 3
    asPreviousVersion(w);
    // Unchanged, the old record is not rewritten (the harness checks every patch applies exactly).
    const quiet = await w.reconcile(SPEC);
    expect(quiet.plan.statusPatch).toBeNull();
    gitopsScaleUp(w);
    const r = await w.reconcile(SPEC);
    // The count was read from the message: the bound holds, no fourth scale-down.
    expect(types(r.plan.effects)).toEqual(['event:ScaleContested']);
    expect(w.status?.idleScale).toMatchObject({ attempts: 3, gaveUp: true });
  });

  it('without the legacy read the same status would be fought again (the test can fail)', async () => {
    const w = await idle();
    await w.wait(MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC);
    await w.wait(2 * MINUTE);
    gitopsScaleUp(w);
    await w.reconcile(SPEC);
    asPreviousVersion(w);
    const status = w.status as EngineStatus;
    w.status = {
      ...status,
      conditions: (status.conditions ?? []).filter((c) => c.type !== 'TargetScaledDown'),
    };
    gitopsScaleUp(w);
    await w.wait(MINUTE);
    const r = await w.reconcile(SPEC);
    expect(types(r.plan.effects)).toEqual(['scaleCanary:zero', 'event:TargetScaledDown']);
  });

  it('an old condition message edited beyond reading is never fought on a guess', () => {
    const state = machineInputFromStatus({
      phase: 'Initialized',
      conditions: [
        {
          type: 'TargetScaledDown',
          status: 'True',
          reason: 'ScaledDown',
          message: 'edited by hand',
          lastTransitionTime: '2030-01-01T00:00:00.000Z',
        },
      ],
    });
    expect(state.idleScale).toEqual({ attempts: 0, gaveUp: true, legacy: true });
  });

  it('the field wins over the condition; an unreadable time is dropped', () => {
    const state = machineInputFromStatus({
      phase: 'Initialized',
      idleScale: { attempts: 2, lastAttemptAt: 'not a time' },
      conditions: [
        {
          type: 'TargetScaledDown',
          status: 'False',
          reason: 'ScaleContested',
          message: 'scale-down 3 of 3 at 2030-01-01T00:00:00.000Z; gave up',
          lastTransitionTime: '2030-01-01T00:00:00.000Z',
        },
      ],
    });
    expect(state.idleScale).toEqual({ attempts: 2 });
  });
});
