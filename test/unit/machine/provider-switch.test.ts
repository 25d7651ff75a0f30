// A change of provider (spec.routing.provider, e.g. smi -> gatewayapi) on a live Canary: the new
// API's route object is written with the status's weights first, and the old API's object goes
// only once the new one routes them, so there is no moment without a route.
import { describe, expect, it } from '@jest/globals';
import { MINUTE, World, types } from './harness.js';

describe('a change of provider', () => {
  it('removes the old route object only once the new one shows the run’s weight', async () => {
    const w = await World.atFirstStep();
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    // The new API's object does not exist yet (or the mesh has not accepted it): no weights.
    w.routesLeftBehind = true;
    w.routes = null;
    w.routesHeld = true;
    await w.wait(MINUTE);
    let r = await w.reconcile();
    expect(types(r.plan.effects)).toContain('routeTraffic:30');
    expect(types(r.plan.effects)).not.toContain('releaseOldRoutes');
    expect(w.called('releaseOldRoutes')).toHaveLength(0);
    // The mesh routes the new object at the run's weight: now the old one goes.
    w.routesHeld = false;
    w.routes = { primaryWeight: 70, canaryWeight: 30 };
    r = await w.reconcile();
    expect(types(r.plan.effects)).toContain('releaseOldRoutes');
    expect(w.called('releaseOldRoutes')).toHaveLength(1);
    r = await w.reconcile();
    expect(types(r.plan.effects)).not.toContain('releaseOldRoutes');
  });

  it('does the same for a settled Canary, at all traffic on the primary', async () => {
    const w = await World.initialized();
    w.routesLeftBehind = true;
    const r = await w.reconcile();
    expect(types(r.plan.effects)).toEqual(['releaseOldRoutes']);
  });
});
