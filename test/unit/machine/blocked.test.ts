// A blocked step (Observed.blocked) is decided by the engine like any other observation: the
// verdict, the status it writes and its one Event come from decide(), never from the loop.
import { describe, expect, it } from '@jest/globals';
import {
  BLOCKED_REQUEUE_MS,
  RELEASE_WAIT_REQUEUE_MS,
} from '../../../src/machine/phases/blocked.js';
import { MINUTE, PENDING, READY, World, condition, ok, spec, types } from './harness.js';

/** Every reason the loop can observe as a block (observe.ts, canary-reconciler.ts #prepare). */
const BLOCKS = [
  { reason: 'InvalidSpec', message: 'analysis.interval "10ms" is not a duration of at least 1s' },
  { reason: 'TrafficSplitUnavailable', message: 'the cluster serves no TrafficSplit version' },
  { reason: 'UnsupportedStrategy', message: 'mirror cannot be expressed over SMI' },
  { reason: 'NotOwned', message: 'Service shop/web is not ours: it has no controller owner' },
  { reason: 'TemplateNotFound', message: 'AnalysisTemplate success-rate does not exist' },
] as const;

describe('a blocked step', () => {
  it.each(BLOCKS)(
    '$reason: Ready=False, Stalled=True, one Warning Event, nothing touched',
    async (blocked) => {
      const w = await World.initialized();
      w.release('rev2');
      w.blocked = blocked;
      const r = await w.reconcile();
      expect(r.plan.transition).toMatchObject({
        from: 'Initialized',
        to: 'Initialized',
        ...blocked,
      });
      expect(r.plan.effects).toEqual([
        {
          type: 'emitEvent',
          eventType: 'Warning',
          reason: blocked.reason,
          message: blocked.message,
        },
      ]);
      expect(r.plan.requeueAfterMs).toBe(BLOCKED_REQUEUE_MS);
      expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: blocked.reason });
      expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: blocked.reason });
      expect(condition(w.status, 'Reconciling')?.status).toBe('False');
      // The new revision is not acted on while blocked: no run started, the phase kept.
      expect(w.status?.phase).toBe('Initialized');
      expect(w.status?.revision).toBe('rev1');

      // The next step, still blocked: nothing written, no Event again.
      const again = await w.reconcile();
      expect(again.plan.statusPatch).toBeNull();
      expect(again.plan.effects).toEqual([]);
      // A new message under the same reason updates the condition, without a new Event.
      w.blocked = { reason: blocked.reason, message: `${blocked.message} (still)` };
      const reworded = await w.reconcile();
      expect(reworded.plan.effects).toEqual([]);
      expect(w.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain('(still)');
    },
  );

  it('a block in the middle of a run holds the run where it is; the run resumes once it clears', async () => {
    const w = await World.atFirstStep();
    w.blocked = { reason: 'NotOwned', message: 'TrafficSplit shop/web is not ours' };
    await w.wait(MINUTE);
    const r = await w.reconcile();
    expect(types(r.plan.effects)).toEqual(['event:NotOwned']);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30, stepIndex: 1 });
    expect(w.called('runChecks')).toEqual([]);

    w.blocked = null;
    w.checks = [ok()];
    await w.reconcile();
    // Unblocked: the run goes on from its step, and the block's reason is not carried over.
    expect(w.status?.phase).toBe('Progressing');
    expect(condition(w.status, 'Ready')?.reason).not.toBe('NotOwned');
    expect(condition(w.status, 'Stalled')?.status).toBe('False');
  });

  // Any block but NotOwned, once a router is built: the reconciler builds one for an invalid spec
  // or a refused status too, when the routing part of the spec allows (canary-reconciler.ts).
  it.each([
    { reason: 'AutoscalerNotFound', message: 'HorizontalPodAutoscaler web does not exist' },
    { reason: 'InvalidSpec', message: 'spec.schedule.allow[0]: hour range 5-1 is reversed' },
    { reason: 'StatusRejected', message: 'status.lastAnalysis[0].requests: must be an integer' },
  ])(
    "$reason in the middle of a run with a router sends the canary's traffic back to the primary, once",
    async (block) => {
      const w = await World.atFirstStep();
      expect(w.routes).toEqual({ primaryWeight: 70, canaryWeight: 30 });
      w.blocked = block;
      const r = await w.reconcile();
      expect(types(r.plan.effects)).toEqual(['routeTraffic:0', `event:${block.reason}`]);
      expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
      // The run keeps its step: it resumes from there.
      expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30, stepIndex: 1 });
      expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: block.reason });
      expect(w.status?.conditions?.find((c) => c.type === 'Ready')?.message).toBe(
        `${block.message}; the canary's traffic is back on the primary until this clears`,
      );
      expect(w.called('runChecks')).toEqual([]);
      // Still blocked: nothing more to route, and the condition still says where the traffic is.
      await w.wait(MINUTE);
      const again = await w.reconcile();
      expect(types(again.plan.effects)).toEqual([]);
      expect(again.plan.statusPatch).toBeNull();
      expect(w.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
        "the canary's traffic is back on the primary until this clears",
      );
      expect(w.called('routeTraffic')).toHaveLength(1);
    },
  );

  it('once the block clears, the run routes its weight again and measures it for a whole interval', async () => {
    const w = await World.atFirstStep();
    w.blocked = {
      reason: 'AutoscalerNotFound',
      message: 'HorizontalPodAutoscaler web does not exist',
    };
    await w.reconcile();
    await w.wait(MINUTE);
    await w.reconcile();
    w.blocked = null;
    w.checks = [ok()];
    const unblocked = await w.reconcile();
    expect(types(unblocked.plan.effects)).toContain('routeTraffic:30');
    expect(w.routes).toEqual({ primaryWeight: 70, canaryWeight: 30 });
    // The next step sees the route at 30 and restarts the analysis clock there.
    await w.reconcile();
    expect(w.called('runChecks')).toEqual([]);
    // Measured only after a whole interval at 30 again.
    await w.wait(MINUTE - 1);
    await w.reconcile();
    expect(w.called('runChecks')).toEqual([]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    await w.wait(1);
    await w.reconcile();
    expect(w.called('runChecks')).toHaveLength(1);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50 });
  });

  it('a block longer than the progress deadline rolls the run back once it clears', async () => {
    const w = await World.atFirstStep();
    w.blocked = {
      reason: 'AutoscalerNotFound',
      message: 'HorizontalPodAutoscaler web does not exist',
    };
    await w.reconcile();
    for (let i = 0; i <= 11; i++) {
      await w.wait(MINUTE);
      await w.reconcile();
    }
    expect(w.status?.phase).toBe('Progressing');
    w.blocked = null;
    await w.reconcile();
    expect(w.status?.phase).toBe('Failed');
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    expect(w.called('runChecks')).toEqual([]);
  });

  it.each([
    { reason: 'NotOwned', message: 'TrafficSplit shop/web is not ours' },
    { reason: 'TrafficSplitUnavailable', message: 'the cluster serves no TrafficSplit version' },
  ])('$reason: no route change (not ours, or no router: the route is unread)', async (blocked) => {
    const w = await World.atFirstStep();
    // No router could be built: the route is unread (observe.ts).
    if (blocked.reason !== 'NotOwned') w.routes = null;
    w.blocked = blocked;
    const r = await w.reconcile();
    expect(types(r.plan.effects)).toEqual([`event:${blocked.reason}`]);
    expect(w.called('routeTraffic')).toEqual([]);
  });

  describe('while the Canary is being deleted', () => {
    it('scales the target up and waits for it, saying so once, before letting go', async () => {
      const w = await World.initialized();
      await w.settle();
      expect(w.target?.replicas).toBe(0);
      w.canaryReadinessOnScaleUp = PENDING;
      w.blocked = { reason: 'TrafficSplitUnavailable', message: 'no TrafficSplit version' };
      w.deleting = true;
      let r = await w.reconcile();
      expect(types(r.plan.effects)).toEqual(['scaleCanary:up', 'event:TargetNotReady']);
      expect(r.plan.requeueAfterMs).toBe(RELEASE_WAIT_REQUEUE_MS);
      expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'TargetNotReady' });
      expect(w.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
        'before the apex Service is handed back (TrafficSplitUnavailable: no TrafficSplit version)',
      );
      expect(w.finalized).toBe(false);

      r = await w.reconcile();
      expect(r.plan.effects).toEqual([]);
      expect(w.finalized).toBe(false);

      if (w.target) w.target = { ...w.target, readiness: READY };
      r = await w.reconcile();
      // No route change (there is no router to make one): finalize hands the apex back.
      expect(types(r.plan.effects)).toEqual(['finalize']);
      expect(w.finalized).toBe(true);
      expect(w.called('routeTraffic')).toEqual([]);
    });

    it('lets go at once without revertOnDeletion, or without a target', async () => {
      const noRevert = await World.initialized();
      noRevert.blocked = { reason: 'InvalidSpec', message: 'bad interval' };
      noRevert.deleting = true;
      const r = await noRevert.reconcile(spec({ revertOnDeletion: false }));
      expect(types(r.plan.effects)).toEqual(['finalize']);
      expect(noRevert.called('scaleCanary')).toEqual([]);

      const noTarget = await World.initialized();
      noTarget.blocked = { reason: 'InvalidSpec', message: 'bad interval' };
      noTarget.deleting = true;
      noTarget.target = null;
      const t = await noTarget.reconcile();
      expect(types(t.plan.effects)).toEqual(['finalize']);
    });
  });
});
