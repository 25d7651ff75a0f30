// The TrafficSplit lagging behind status.canaryWeight: a crash between the status write and
// routeTraffic, the endpoint gate holding a route change, or a hand edit of the split while the
// controller was down. The engine must route first and then measure one full interval at the
// status weight — never measure the old weight and advance past a step it never analysed.
import { describe, expect, it } from '@jest/globals';
import type { ChecksCall } from '../../../src/machine/types.js';
import { MINUTE, World, bad, condition, ok, spec } from './harness.js';

const SPEC = spec({ progression: { stepWeights: [10, 20, 30, 40] }, threshold: 3 });

/** A run of rev2 at weight 10 with one failed check counted, split at 10. */
async function atWeight10(): Promise<World> {
  const w = await World.initialized(SPEC);
  w.release('rev2');
  await w.settle(SPEC); // run starts, canary up, first tick: weight 10 without measuring
  expect(w.status).toMatchObject({ canaryWeight: 10, stepIndex: 1, failedChecks: 0 });
  w.checks = [bad()];
  await w.wait(MINUTE);
  await w.reconcile(SPEC); // failed check 1 of 3, weight held
  expect(w.status).toMatchObject({ canaryWeight: 10, stepIndex: 1, failedChecks: 1 });
  w.checks = [ok()];
  w.routeHistory = [10];
  return w;
}

interface Lag {
  readonly name: string;
  /** Leaves the status at weight 20 and the split at 10; the controller is back afterwards. */
  readonly make: (w: World) => Promise<void>;
}

const LAGS: Lag[] = [
  {
    name: 'a crash after the status write of the advance, before routeTraffic',
    make: async (w) => {
      w.failing.routeTraffic = 'throw';
      await w.wait(MINUTE);
      const crashed = await w.reconcile(SPEC);
      expect(crashed.persisted).toBe(true);
      delete w.failing.routeTraffic;
      await w.wait(3 * MINUTE); // the controller is down for a while
    },
  },
  {
    name: 'the endpoint gate holding the route change for three intervals',
    make: async (w) => {
      w.routesHeld = true;
      await w.wait(MINUTE);
      await w.reconcile(SPEC);
      for (let i = 0; i < 3; i++) {
        await w.wait(MINUTE);
        await w.reconcile(SPEC);
        expect(condition(w.status, 'Ready')?.reason).toBe('ShiftingTraffic');
      }
      w.routesHeld = false;
    },
  },
  {
    name: 'the split set back to the previous weight by hand while the controller was stopped',
    make: async (w) => {
      await w.wait(MINUTE);
      await w.reconcile(SPEC);
      expect(w.routes?.canaryWeight).toBe(20);
      w.routes = { primaryWeight: 90, canaryWeight: 10 };
      await w.wait(3 * MINUTE);
    },
  },
];

describe('routes behind status.canaryWeight', () => {
  it.each(LAGS)('$name: routes first, then a full interval at that weight', async ({ make }) => {
    const w = await atWeight10();
    await make(w);
    expect(w.status).toMatchObject({ canaryWeight: 20, stepIndex: 2, failedChecks: 1 });
    expect(w.routes?.canaryWeight).toBe(10);
    const checks: ChecksCall[] = [];
    w.checks = (call) => {
      checks.push(call);
      return Promise.resolve([ok()]);
    };

    // Back: the split is brought to the status weight before anything is measured.
    await w.settle(SPEC);
    expect(checks).toEqual([]);
    expect(w.routes).toEqual({ primaryWeight: 80, canaryWeight: 20 });
    expect(w.status).toMatchObject({ canaryWeight: 20, stepIndex: 2, failedChecks: 1 });
    // The analysis clock restarted when the split showed the weight.
    expect(w.status?.lastAnalysisAt).toBe(new Date(w.clock.now()).toISOString());

    await w.wait(MINUTE - 1);
    await w.reconcile(SPEC);
    expect(checks).toEqual([]);
    expect(w.status?.canaryWeight).toBe(20);

    await w.wait(1);
    await w.reconcile(SPEC);
    expect(checks.map((c) => c.canaryWeight)).toEqual([20]);
    expect(w.status).toMatchObject({ canaryWeight: 30, stepIndex: 3, failedChecks: 1 });

    for (let i = 0; i < 6 && w.status?.phase !== 'Succeeded'; i++) {
      await w.wait(MINUTE);
      await w.settle(SPEC);
    }
    expect(w.status).toMatchObject({ phase: 'Succeeded', failedChecks: 1 });
    // Every step weight once, in order; each analysed at its own weight.
    const after = w.routeHistory.slice(w.routeHistory.lastIndexOf(10));
    expect(after).toEqual([10, 20, 30, 40, 0]);
    expect(checks.map((c) => c.canaryWeight)).toEqual([20, 30, 40]);
  });

  it('a route change held past the progress deadline rolls back, keeping failedChecks', async () => {
    const w = await atWeight10();
    w.routesHeld = true;
    await w.wait(MINUTE);
    await w.reconcile(SPEC);
    const calls = w.called('runChecks').length;
    await w.wait(MINUTE);
    await w.reconcile(SPEC);
    for (let t = 0; t < 9; t++) {
      await w.wait(MINUTE);
      await w.reconcile(SPEC);
      expect(w.status?.phase).toBe('Progressing');
    }
    await w.wait(MINUTE);
    await w.reconcile(SPEC);
    expect(w.called('runChecks')).toHaveLength(calls);
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0, failedChecks: 1 });
    expect(condition(w.status, 'Ready')?.reason).toBe('ProgressDeadlineExceeded');
  });

  it('writes the status once while the route change stays held (no write per reconcile)', async () => {
    const w = await atWeight10();
    w.routesHeld = true;
    await w.wait(MINUTE);
    await w.reconcile(SPEC);
    const first = await w.reconcile(SPEC);
    expect(first.plan.statusPatch).not.toBeNull();
    for (let i = 0; i < 3; i++) {
      await w.wait(1_000);
      const again = await w.reconcile(SPEC);
      expect(again.plan.statusPatch).toBeNull();
      expect(again.plan.effects).toEqual([
        { type: 'routeTraffic', primaryWeight: 80, canaryWeight: 20 },
      ]);
    }
  });

  it('records the lag in status.trafficShiftSince and clears it once the split shows the weight', async () => {
    const w = await atWeight10();
    w.routesHeld = true;
    await w.wait(MINUTE);
    await w.reconcile(SPEC);
    await w.reconcile(SPEC);
    const since = w.status?.trafficShiftSince;
    expect(since).toBe(new Date(w.clock.now()).toISOString());
    await w.wait(MINUTE);
    await w.reconcile(SPEC);
    // Unchanged while the lag lasts: its start, not the latest look.
    expect(w.status?.trafficShiftSince).toBe(since);
    w.routesHeld = false;
    await w.settle(SPEC);
    expect(w.routes?.canaryWeight).toBe(20);
    expect(w.status?.trafficShiftSince).toBeUndefined();
    expect(w.status?.lastAnalysisAt).toBe(new Date(w.clock.now()).toISOString());
  });

  it('reads a lag from the Ready reason of a status written before the field existed', async () => {
    const w = await atWeight10();
    w.routesHeld = true;
    await w.wait(MINUTE);
    await w.reconcile(SPEC);
    await w.reconcile(SPEC);
    // An older controller wrote no trafficShiftSince, only the reason (and phaseSince = its start).
    const { trafficShiftSince, ...older } = w.status ?? {};
    expect(trafficShiftSince).toBeDefined();
    expect(condition(older, 'Ready')?.reason).toBe('ShiftingTraffic');
    w.status = older;
    w.routesHeld = false;
    await w.wait(30_000);
    await w.settle(SPEC);
    // Read as lagging: the clock restarts where the split shows the weight, as before.
    const after = statusOf(w);
    expect(after?.lastAnalysisAt).toBe(new Date(w.clock.now()).toISOString());
    expect(after?.trafficShiftSince).toBeUndefined();
  });
});

/** The status as the world has it now (TypeScript narrows `w.status` after an assignment). */
const statusOf = (w: World) => w.status;

describe('a route change awaiting the mesh report (Gateway API acceptance)', () => {
  /** atWeight10, then the advance to 20 with the mesh reporting later; checks timed. */
  async function advancedAwaiting(): Promise<{ w: World; checkedAt: [number, number][] }> {
    const w = await atWeight10();
    w.meshReportsLater = true;
    const checkedAt: [number, number][] = [];
    w.checks = (call) => {
      checkedAt.push([call.canaryWeight, w.clock.now()]);
      return Promise.resolve([ok()]);
    };
    await w.wait(MINUTE);
    await w.reconcile(SPEC); // the tick: weight 20 in status, then the route change
    await w.reconcile(SPEC); // the route awaits the mesh's report
    expect(w.status).toMatchObject({ canaryWeight: 20, stepIndex: 2 });
    expect(w.awaiting?.canaryWeight).toBe(20);
    expect(w.routes).toBeNull();
    return { w, checkedAt };
  }

  it('writes no status while the report is outstanding, then measures a full step after it', async () => {
    const { w, checkedAt } = await advancedAwaiting();
    for (let i = 0; i < 4; i++) {
      await w.wait(5_000);
      const r = await w.reconcile(SPEC);
      expect(r.plan.statusPatch).toBeNull();
    }
    expect(w.status?.trafficShiftSince).toBeUndefined();
    expect(condition(w.status, 'Ready')?.reason).not.toBe('ShiftingTraffic');
    await w.wait(700);
    w.accept();
    w.meshReportsLater = false;
    const reportedAt = w.routesWrittenAt ?? Number.NaN;
    for (let i = 0; i < 30 && !checkedAt.some(([weight]) => weight === 20); i++) {
      await w.wait(5_000);
      await w.settle(SPEC);
    }
    // The mesh's report is stamped to the second: the step counts from the end of that second.
    const at20 = checkedAt.find(([weight]) => weight === 20);
    expect(at20?.[1]).toBeGreaterThanOrEqual(reportedAt + 1_000 + MINUTE);
    expect(w.status?.trafficShiftSince).toBeUndefined();
  });

  it('records the lag once the report is a full interval overdue', async () => {
    const { w } = await advancedAwaiting();
    await w.wait(MINUTE - 1);
    expect((await w.reconcile(SPEC)).plan.statusPatch).toBeNull();
    await w.wait(1);
    await w.reconcile(SPEC);
    expect(condition(w.status, 'Ready')?.reason).toBe('ShiftingTraffic');
    expect(w.status?.trafficShiftSince).toBe(new Date(w.clock.now()).toISOString());
  });
});
