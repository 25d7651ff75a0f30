import { describe, expect, it } from '@jest/globals';
import { MINUTE, PENDING, World, condition, spec, types } from './harness.js';

describe('deletion', () => {
  it('restores the target, waits until it serves, moves traffic to it, then finalizes', async () => {
    const w = await World.initialized();
    await w.settle();
    expect(w.target?.replicas).toBe(0);
    w.canaryReadinessOnScaleUp = PENDING;
    w.deleting = true;
    let r = await w.reconcile();
    expect(w.status?.phase).toBe('Terminating');
    expect(types(r.plan.effects)).toEqual(['scaleCanary:up', 'event:Terminating']);
    r = await w.reconcile();
    expect(r.plan.effects).toEqual([]);
    expect(w.finalized).toBe(false);
    if (w.target) w.target = { ...w.target, readiness: { state: 'ready' } };
    r = await w.reconcile();
    expect(types(r.plan.effects)).toEqual(['routeTraffic:100']);
    r = await w.reconcile();
    expect(types(r.plan.effects)).toEqual(['finalize']);
    expect(w.finalized).toBe(true);
  });

  it('keeps the finalizer and says so when the target never becomes ready', async () => {
    const w = await World.initialized();
    await w.settle();
    w.canaryReadinessOnScaleUp = PENDING;
    w.deleting = true;
    await w.reconcile();
    await w.wait(10 * MINUTE);
    const r = await w.reconcile();
    expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: 'TargetNotReady' });
    expect(types(r.plan.effects)).toEqual(['event:TargetNotReady']);
    expect(w.finalized).toBe(false);
  });

  it('finalizes at once without revertOnDeletion', async () => {
    const s = spec({ revertOnDeletion: false });
    const w = await World.initialized(s);
    w.deleting = true;
    const r = await w.reconcile(s);
    expect(types(r.plan.effects)).toEqual(['finalize', 'event:Terminating']);
  });
});

describe('missing objects', () => {
  it('a missing target is reported and nothing is touched', async () => {
    const w = await World.initialized();
    w.target = null;
    const r = await w.reconcile();
    expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: 'TargetNotFound' });
    expect(types(r.plan.effects)).toEqual(['event:TargetNotFound']);
    expect((await w.reconcile()).plan.effects).toEqual([]);
  });

  it('a deleted primary is re-created by initializing again', async () => {
    const w = await World.initialized();
    w.primary = null;
    w.initialized = false;
    const r = await w.reconcile();
    expect(w.status?.phase).toBe('Initializing');
    expect(types(r.plan.effects)).toEqual([
      'initialize',
      'event:PrimaryMissing',
      'event:Initializing',
    ]);
    await w.reconcile();
    expect(w.status?.phase).toBe('Initialized');
  });

  it('a deleted TrafficSplit or Service is re-created without a phase change', async () => {
    const w = await World.initialized();
    w.initialized = false;
    w.routes = null;
    const r = await w.reconcile();
    expect(w.status?.phase).toBe('Initialized');
    expect(types(r.plan.effects)).toEqual(['initialize', 'routeTraffic:0']);
  });
});
