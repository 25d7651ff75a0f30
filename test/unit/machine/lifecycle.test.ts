import { describe, expect, it } from '@jest/globals';
import { MINUTE, PENDING, World, allow, condition, types } from './harness.js';

describe('a healthy revision, step by step', () => {
  it('initializes, then analyses stepWeight 30 / max 50 as 30, 50 and promotes', async () => {
    const w = new World();

    // fresh Canary: create primary, services, TrafficSplit
    let r = await w.reconcile();
    expect(r.plan.transition).toMatchObject({ from: 'Initializing', to: 'Initializing' });
    expect(types(r.plan.effects)).toEqual(['initialize', 'event:Initializing']);
    expect(w.status?.phase).toBe('Initializing');
    expect(condition(w.status, 'Reconciling')).toEqual({ status: 'True', reason: 'Initializing' });

    // primary ready: Initialized, and only now the target is scaled to 0, in the same step (the
    // routine scale-down, recorded as attempt 1 before it is made: idle-scale.ts)
    r = await w.reconcile();
    expect(w.status).toMatchObject({
      phase: 'Initialized',
      revision: 'rev1',
      lastPromotedRevision: 'rev1',
      idleScale: { attempts: 1 },
    });
    expect(types(r.plan.effects)).toEqual([
      'scaleCanary:zero',
      'recordPromoted',
      'event:Initialized',
    ]);
    expect(condition(w.status, 'Ready')).toEqual({ status: 'True', reason: 'Initialized' });
    expect(condition(w.status, 'Promoted')).toEqual({ status: 'True', reason: 'Initialized' });
    expect(condition(w.status, 'Reconciling')).toEqual({ status: 'False', reason: 'Initialized' });
    expect(condition(w.status, 'TargetScaledDown')).toEqual({
      status: 'True',
      reason: 'ScaledDown',
    });

    // seeing the scale-down done writes nothing; after that nothing happens
    r = await w.reconcile();
    expect(w.target?.replicas).toBe(0);
    expect(r.plan.statusPatch).toBeNull();
    expect(r.plan.effects).toEqual([]);
    r = await w.reconcile();
    expect(r.plan.statusPatch).toBeNull();
    expect(r.plan.requeueAfterMs).toBeNull();

    // a new revision: gates pass, canary scaled up, weight 0
    w.release('rev2', { 'configmap/app': 'c2' });
    w.calls = [];
    r = await w.reconcile();
    expect(w.hookCalls()).toEqual(['confirm-rollout']);
    expect(w.status).toMatchObject({
      phase: 'Progressing',
      revision: 'rev2',
      canaryWeight: 0,
      failedChecks: 0,
    });
    expect(w.status?.trackedConfigs).toEqual({ 'configmap/app': 'c2' });
    expect(types(r.plan.effects)).toEqual(['scaleCanary:up', 'event:NewRevision']);
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'Progressing' });
    expect(condition(w.status, 'Reconciling')).toEqual({ status: 'True', reason: 'Progressing' });

    // canary ready: first tick = pre-rollout hooks and the first step, no metrics yet
    w.calls = [];
    r = await w.reconcile();
    expect(w.hookCalls()).toEqual(['rollback', 'pre-rollout', 'confirm-traffic-increase']);
    expect(w.called('runChecks')).toHaveLength(0);
    expect(w.status).toMatchObject({ canaryWeight: 30, stepIndex: 1 });
    expect(types(r.plan.effects)).toEqual(['routeTraffic:30', 'event:Advanced']);
    expect(r.plan.requeueAfterMs).toBe(MINUTE);

    // same minute: nothing is due, nothing is written
    w.calls = [];
    await w.wait(20_000);
    r = await w.reconcile();
    expect(w.calls).toEqual([]);
    expect(r.plan.statusPatch).toBeNull();
    expect(r.plan.requeueAfterMs).toBe(40_000);

    // next interval: rollout hooks, checks at 30, advance to 50 (never 60)
    await w.wait(40_000);
    w.calls = [];
    r = await w.reconcile();
    expect(w.hookCalls()).toEqual(['rollback', 'rollout', 'confirm-traffic-increase']);
    expect(w.called('runChecks').map((c) => c.input)).toEqual([
      // measured from the moment weight 30 was routed: one interval ago
      {
        phase: 'Progressing',
        revision: 'rev2',
        canaryWeight: 30,
        since: w.clock.now() - MINUTE,
        until: w.clock.now(), // the step grid's point one interval later: the clock is on it
      },
    ]);
    expect(w.status).toMatchObject({ canaryWeight: 50, stepIndex: 2 });
    expect(w.status?.lastAnalysis).toEqual([
      expect.objectContaining({ metric: 'success-rate', result: 'Successful', value: 99.9 }),
    ]);

    // checks pass at max weight: confirm-promotion, then Promoting (copy to primary)
    await w.wait(MINUTE);
    w.calls = [];
    r = await w.reconcile();
    expect(w.hookCalls()).toEqual(['rollback', 'rollout', 'confirm-promotion']);
    expect(w.status).toMatchObject({ phase: 'Promoting', canaryWeight: 50 });
    expect(types(r.plan.effects)).toEqual(['promotePrimary', 'event:Promoting']);
    expect(condition(w.status, 'Reconciling')).toEqual({ status: 'True', reason: 'Promoting' });
    expect(w.primary?.revision).toBe('rev2');

    // primary ready with rev2: all traffic back to primary
    r = await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Finalising', canaryWeight: 0 });
    expect(types(r.plan.effects)).toEqual(['routeTraffic:0']);
    expect(condition(w.status, 'Reconciling')).toEqual({ status: 'True', reason: 'Finalising' });

    // routes confirmed: Succeeded, post-rollout hooks, and the canary scaled down in the same
    // step (the split already shows all traffic on the primary)
    r = await w.reconcile();
    expect(w.status).toMatchObject({
      phase: 'Succeeded',
      lastPromotedRevision: 'rev2',
      canaryWeight: 0,
      idleScale: { attempts: 1 },
    });
    expect(types(r.plan.effects)).toEqual([
      'scaleCanary:zero',
      'recordPromoted',
      'event:Succeeded',
      'callWebhooks:post-rollout',
    ]);
    expect(condition(w.status, 'Ready')).toEqual({ status: 'True', reason: 'Succeeded' });
    expect(condition(w.status, 'Promoted')).toEqual({ status: 'True', reason: 'Succeeded' });
    expect(condition(w.status, 'Reconciling')).toEqual({ status: 'False', reason: 'Succeeded' });
    expect(w.target).toMatchObject({ replicas: 0 });

    const settled = await w.settle();
    expect(settled.at(-1)?.plan.effects).toEqual([]);
  });

  it('waits for a slow primary while initializing and never scales the target down before', async () => {
    const w = new World();
    w.primaryReadinessOnRollout = PENDING;
    await w.reconcile();
    await w.wait(5 * MINUTE);
    const r = await w.reconcile();
    expect(w.status?.phase).toBe('Initializing');
    expect(r.plan.effects).toEqual([]);
    await w.wait(5 * MINUTE);
    await w.reconcile();
    expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: 'PrimaryNotReady' });
    expect(w.target?.replicas).toBe(2);
    w.primary = { revision: 'rev1', readiness: { state: 'ready' } };
    await w.reconcile();
    expect(w.status?.phase).toBe('Initialized');
    expect(condition(w.status, 'Stalled')).toEqual({ status: 'False', reason: 'Initialized' });
  });

  it('gates confirm-rollout: a refusal waits in Waiting and is asked again', async () => {
    const w = await World.initialized();
    w.hooks['confirm-rollout'] = { called: 1, succeeded: 0, message: 'change freeze' };
    w.release('rev2');
    let r = await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Waiting', revision: 'rev2' });
    expect(condition(w.status, 'Ready')).toEqual({
      status: 'False',
      reason: 'ConfirmRolloutPending',
    });
    expect(types(r.plan.effects)).toEqual(['event:ConfirmRolloutPending']);
    await w.wait(MINUTE);
    r = await w.reconcile();
    expect(r.plan.effects).toEqual([]); // no event per reconcile
    w.hooks['confirm-rollout'] = allow;
    await w.wait(MINUTE);
    r = await w.reconcile();
    expect(w.status?.phase).toBe('Progressing');
  });
});
