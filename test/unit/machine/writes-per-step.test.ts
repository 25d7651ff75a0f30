// What one canary step writes: the status once (with the step's decision), the route once, one
// Event; between steps nothing. Counted on the engine's own actor seam (harness.ts), where every
// persistStatus with a non-empty patch is a status write (an empty one is the stale-status check,
// which the StatusWriter answers with a read: test/unit/kube/status.test.ts).
import { describe, expect, it } from '@jest/globals';
import type { StatusPatch } from '../../../src/machine/types.js';
import { World, spec } from './harness.js';

const SPEC = spec({
  progression: { stepWeights: [10, 20, 30, 40, 50] },
  intervalMs: 5_000,
  windowMs: 10_000,
});

const writes = (w: World) => ({
  status: w.called('persistStatus').filter((c) => Object.keys(c.input as StatusPatch).length > 0)
    .length,
  confirms: w
    .called('persistStatus')
    .filter((c) => Object.keys(c.input as StatusPatch).length === 0).length,
  routes: w.called('routeTraffic').length,
  events: w.called('emitEvent').length,
});

describe('writes per canary step', () => {
  it('each weight step writes its status once, routes once and records one Event', async () => {
    const w = await World.initialized(SPEC);
    w.release('rev2');
    await w.reconcile(SPEC); // NewRevision: the canary is scaled up
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    for (const weight of [10, 20, 30, 40, 50]) {
      w.calls = [];
      // Reconciles while the step runs (watch events, requeues): they write nothing.
      for (let i = 0; i < 4; i++) {
        const r = await w.reconcile(SPEC);
        await w.wait(Math.min(r.plan.requeueAfterMs ?? SPEC.intervalMs, 2_500));
        if (w.status?.canaryWeight === weight) break;
      }
      expect(w.status?.canaryWeight).toBe(weight);
      for (let i = 0; i < 3; i++) await w.reconcile(SPEC);
      expect(writes(w)).toEqual({ status: 1, confirms: 0, routes: 1, events: 1 });
    }
  });

  it('a step that only converges writes no status', async () => {
    const w = await World.atFirstStep(SPEC);
    // Someone sets the split back by hand: the engine routes it again. The lag is recorded once,
    // then every look while the endpoint gate holds the route writes no status at all.
    w.routes = { primaryWeight: 100, canaryWeight: 0 };
    w.routesHeld = true;
    await w.reconcile(SPEC);
    w.calls = [];
    for (let i = 0; i < 5; i++) {
      await w.wait(1_000);
      await w.reconcile(SPEC);
    }
    expect(writes(w)).toEqual({ status: 0, confirms: 5, routes: 5, events: 0 });
  });
});
