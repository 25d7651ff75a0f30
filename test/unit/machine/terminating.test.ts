import { describe, expect, it } from '@jest/globals';
import type { MetricCheckResult } from '../../../src/analysis/evaluate.js';
import { MINUTE, PENDING, READY, World, bad, condition, ok, spec, types } from './harness.js';

/** The primary as the world has it now (TypeScript narrows `w.primary` after an assignment). */
const primaryOf = (w: World) => w.primary;

async function tick(w: World, checks: readonly MetricCheckResult[]) {
  w.checks = checks;
  await w.wait(MINUTE);
  return w.reconcile();
}

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

  it('a deleted primary is rebuilt from the stored promoted template, Ready only once it serves', async () => {
    const w = await World.initialized();
    expect(w.promotedTemplate).toBe('rev1'); // recorded after initialisation
    w.primary = null;
    w.initialized = false;
    w.primaryReadinessOnRollout = PENDING;
    const r = await w.reconcile();
    expect(w.status?.phase).toBe('Initialized');
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'PrimaryMissing' });
    expect(types(r.plan.effects)).toEqual(['initialize', 'event:PrimaryMissing']);
    expect(w.called('initialize')[0]?.input).toEqual({ type: 'initialize', primaryFrom: 'stored' });
    await w.reconcile();
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'WaitingForPrimary' });
    const rebuilt = primaryOf(w);
    if (rebuilt !== null) w.primary = { ...rebuilt, readiness: READY };
    await w.reconcile();
    expect(condition(w.status, 'Ready')).toEqual({ status: 'True', reason: 'Initialized' });
    expect(primaryOf(w)?.revision).toBe('rev1');
  });

  it('a primary deleted after a rollback comes back with the promoted revision; the run stays Failed', async () => {
    const w = await World.atFirstStep();
    await tick(w, [bad()]);
    await tick(w, [bad()]);
    await w.settle();
    expect(w.status).toMatchObject({ phase: 'Failed', revision: 'rev2' });
    w.primary = null;
    w.initialized = false;
    w.calls = [];
    await w.settle();
    expect(w.called('initialize').map((c) => c.input)).toEqual([
      { type: 'initialize', primaryFrom: 'stored' },
    ]);
    expect(primaryOf(w)?.revision).toBe('rev1');
    expect(w.status).toMatchObject({
      phase: 'Failed',
      revision: 'rev2',
      lastPromotedRevision: 'rev1',
    });
    expect(w.called('promotePrimary')).toHaveLength(0);
    expect(w.called('preflight')).toHaveLength(0); // no new run of the failed revision
  });

  it('a primary deleted mid-run is rebuilt from the promoted template before the run goes on', async () => {
    const w = await World.atFirstStep();
    w.primary = null;
    w.initialized = false;
    await w.wait(MINUTE);
    const r = await w.reconcile();
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'PrimaryMissing' });
    expect(w.called('runChecks')).toHaveLength(0);
    expect(types(r.plan.effects)).toContain('initialize');
    expect(primaryOf(w)?.revision).toBe('rev1');
    await tick(w, [ok()]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50 });
  });

  it('without a stored template and with the target on an unanalysed revision, nothing is rebuilt', async () => {
    const w = await World.atFirstStep();
    w.promotedTemplate = null;
    w.primary = null;
    w.initialized = false;
    w.calls = [];
    const r = await w.reconcile();
    expect(condition(w.status, 'Stalled')).toEqual({
      status: 'True',
      reason: 'PrimaryTemplateUnavailable',
    });
    expect(w.called('initialize')).toHaveLength(0);
    expect(types(r.plan.effects)).toContain('event:PrimaryTemplateUnavailable');
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
