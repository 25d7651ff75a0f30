// Two ways decide() broke the promise, found by lifecycle-property.test.ts and kept as plain
// reproductions: a lag of the split that a verdict other than ShiftingTraffic owned (the weight
// then measured over traffic from the previous one), and a failed promotion that moved all traffic
// onto a canary the target had meanwhile moved to a newer, never analysed revision.
import { describe, expect, it } from '@jest/globals';
import type { ChecksCall } from '../../../src/machine/types.js';
import { stepDue } from '../../../src/progression/step-grid.js';
import { FAILED, MINUTE, PENDING, READY, World, condition } from './harness.js';

describe('found by the lifecycle property test (regressions)', () => {
  it('a weight is never measured over a window in which the split still showed the previous weight', async () => {
    const w = await World.atFirstStep(); // rev2 at weight 30, split 70/30, analysis clock at T0
    await w.wait(MINUTE);
    w.routesHeld = true; // the router's endpoint gate holds the next route change (silently)
    await w.reconcile(); // checks at 30 pass: status weight 50, split still 70/30
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50 });
    expect(w.routes).toEqual({ primaryWeight: 70, canaryWeight: 30 });

    w.routesHeld = false;
    if (w.target === null) throw new Error('no target');
    w.target = { ...w.target, readiness: PENDING }; // a canary pod restarts
    await w.wait(50_000);
    await w.reconcile(); // readiness is judged before the lag: WaitingForCanary, no ShiftingTraffic
    expect(condition(w.status, 'Ready')?.reason).toBe('WaitingForCanary');
    expect(w.routes).toEqual({ primaryWeight: 50, canaryWeight: 50 }); // convergence routed 50 now
    const shiftedAt = w.clock.now();

    w.target = { ...w.target, readiness: READY };
    await w.wait(10_000);
    w.calls = [];
    await w.reconcile();
    const checks = w.called('runChecks').map((c) => c.input as ChecksCall);
    // What the promise needs: no measurement of weight 50 whose window reaches back before the
    // split showed 50 (a query now covers [now - window, now]; `since` is where it may start).
    for (const c of checks) {
      expect(c.since).toBeGreaterThanOrEqual(shiftedAt);
      expect(w.clock.now() - MINUTE).toBeGreaterThanOrEqual(shiftedAt);
    }
  });

  it('a failed promotion never moves traffic onto a canary that runs a newer, never analysed revision', async () => {
    const w = await World.atFirstStep(); // rev2 at 30
    await w.wait(MINUTE);
    await w.reconcile(); // 50
    await w.wait(MINUTE);
    w.primaryReadinessOnRollout = PENDING;
    await w.reconcile(); // checks at 50 pass: Promoting, the primary rolls rev2
    expect(w.status).toMatchObject({ phase: 'Promoting', revision: 'rev2' });
    expect(w.primary?.revision).toBe('rev2');

    w.release('rev3'); // someone pushes rev3 to the target; its pods roll out and are ready
    if (w.primary === null) throw new Error('no primary');
    w.primary = { ...w.primary, readiness: FAILED }; // the primary's rev2 rollout fails
    await w.wait(30_000);
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Failed', revision: 'rev2' });
    expect(w.target?.revision).toBe('rev3');
    // What the promise needs: a failure does not move traffic onto a revision never analysed.
    expect(w.routes?.canaryWeight).toBeLessThanOrEqual(50);
  });

  it('a split set to the weight by hand while the controller was down is measured only from that edit', async () => {
    const w = await World.atFirstStep(); // rev2 at weight 30
    await w.wait(MINUTE);
    w.failing.routeTraffic = 'throw'; // the controller dies after the status write of the advance
    const crashed = await w.reconcile();
    expect(crashed.persisted).toBe(true);
    delete w.failing.routeTraffic;
    expect(w.status?.canaryWeight).toBe(50);
    expect(w.routes).toEqual({ primaryWeight: 70, canaryWeight: 30 });

    // While it is down, someone sets the split to exactly the new weight: no step ever sees a lag.
    await w.wait(100_000);
    w.routes = { primaryWeight: 50, canaryWeight: 50 };
    w.routesWritten();
    const editedAt = w.clock.now();
    await w.wait(10_000);
    w.calls = [];
    await w.reconcile();
    expect(w.called('runChecks')).toEqual([]);
    // Measured one full window after the edit's second ended (at the step grid's next point),
    // never over the 30 % traffic before.
    await w.wait(MINUTE - 10_000);
    await w.reconcile();
    expect(w.called('runChecks')).toEqual([]);
    const due = stepDue(editedAt + 1_000, MINUTE);
    await w.wait(due - 1 - w.clock.now());
    await w.reconcile();
    expect(w.called('runChecks')).toEqual([]);
    await w.wait(1);
    await w.reconcile();
    const checks = w.called('runChecks').map((c) => c.input as ChecksCall);
    expect(checks.map((c) => c.canaryWeight)).toEqual([50]);
    expect(checks[0]?.since).toBe(editedAt + 1_000);
    expect(checks[0]?.until).toBe(due);
  });

  it("a route write time ahead of the controller's clock is not used (the clocks disagree)", async () => {
    const w = await World.atFirstStep(); // weight 30 since now
    // The API server's clock runs 5 minutes ahead: its stamp of our route change is "later".
    w.routesWrittenAt = w.clock.now() + 5 * MINUTE;
    await w.wait(MINUTE);
    w.calls = [];
    await w.reconcile();
    // Measured on the controller's own clock, one interval after the step began.
    expect(w.called('runChecks').map((c) => (c.input as ChecksCall).canaryWeight)).toEqual([30]);
  });
});
