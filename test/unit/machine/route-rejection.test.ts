// A route object the mesh refuses (Gateway API: Accepted=False or ResolvedRefs=False for our
// parent) and what the Canary says about it: during a run, the weight is held, the refusal is said
// at once in the mesh's own words, and the run fails at the progress deadline; in every other phase
// but a promotion, the Canary is Stalled with the mesh's message and starts no run. Also: a stuck
// initialization names what is missing, never a default.
import { describe, expect, it } from '@jest/globals';
import { MINUTE, READY, World, condition } from './harness.js';

const REFUSAL = { reason: 'Rejected', message: 'parent web: no listener for this route' };

const readyMessage = (w: World): string | undefined =>
  w.status?.conditions?.find((c) => c.type === 'Ready')?.message;

describe('a route the mesh refuses', () => {
  it('holds a run at its weight, says so at once, and fails at the progress deadline in the mesh’s words', async () => {
    const w = await World.atFirstStep();
    w.routeKind = 'HTTPRoute';
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    // The mesh stops accepting the route: no weight reads as applied any more.
    w.routeRejection = REFUSAL;
    w.routes = null;
    w.routesHeld = true;
    await w.wait(MINUTE);
    const r = await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'RouteRejected' });
    expect(readyMessage(w)).toContain(REFUSAL.message);
    expect(r.plan.effects).toContainEqual(
      expect.objectContaining({ type: 'emitEvent', eventType: 'Warning', reason: 'RouteRejected' }),
    );
    expect(w.called('runChecks')).toHaveLength(0);
    // Looking again says nothing new.
    await w.wait(MINUTE);
    const again = await w.reconcile();
    expect(again.plan.effects.filter((e) => e.type === 'emitEvent')).toEqual([]);
    await w.wait(9 * MINUTE);
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(condition(w.status, 'Ready')?.reason).toBe('ProgressDeadlineExceeded');
    expect(readyMessage(w)).toContain('HTTPRoute did not reach canary weight 30');
    expect(readyMessage(w)).toContain(REFUSAL.message);
  });

  it('stalls a settled Canary with the mesh’s message, starts no run, and lets go once accepted', async () => {
    const w = await World.initialized();
    w.routeKind = 'HTTPRoute';
    w.routeRejection = REFUSAL;
    w.release('rev2');
    const r = await w.reconcile();
    expect(w.status?.phase).toBe('Initialized');
    expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: 'RouteRejected' });
    expect(condition(w.status, 'Reconciling')?.status).toBe('False');
    expect(readyMessage(w)).toBe(
      `the mesh refused the HTTPRoute (${REFUSAL.reason}): ${REFUSAL.message}`,
    );
    expect(r.plan.effects.filter((e) => e.type === 'emitEvent')).toHaveLength(1);
    expect(w.called('scaleCanary')).toHaveLength(0);
    w.routeRejection = null;
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Progressing', revision: 'rev2' });
  });
});

describe('a stuck initialization', () => {
  it('names what is missing when the primary is ready but the rest is not in place', async () => {
    const w = new World();
    w.primaryReadinessOnRollout = READY;
    await w.reconcile();
    // The primary exists and is ready; the canary Service never appears.
    w.initialized = false;
    w.missing = ['Service web-canary'];
    w.failing = { initialize: 'throw' };
    await w.wait(11 * MINUTE);
    await w.reconcile();
    expect(w.status?.phase).toBe('Initializing');
    expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: 'PrimaryNotReady' });
    expect(readyMessage(w)).toBe(
      'not initialized within the progress deadline: Service web-canary not in place',
    );
    expect(readyMessage(w)).not.toContain('not created');
  });
});
