// Evidence before promotion (issue 12): what the engine does when the evidence is missing —
// the metrics source is down, a check had no data, there are no checks at all — and the waits
// that must stay bounded or say that they are stuck.
import { describe, expect, it } from '@jest/globals';
import type { MetricCheckResult } from '../../../src/analysis/evaluate.js';
import type { EngineSpec } from '../../../src/machine/types.js';
import { MINUTE, PENDING, World, condition, ok, spec, types } from './harness.js';

async function tick(w: World, checks: readonly MetricCheckResult[], s: EngineSpec = spec()) {
  w.checks = checks;
  await w.wait(s.intervalMs);
  return w.reconcile(s);
}

const down: MetricCheckResult = {
  metric: 'success-rate',
  result: 'Error',
  message: 'Prometheus: connect ECONNREFUSED 127.0.0.1:9090',
};

/** A check that passed only because noData: pass says so: no value. */
const passedWithoutData: MetricCheckResult = {
  metric: 'success-rate',
  result: 'Successful',
  message: 'no data (noData: pass)',
};

const readyMessage = (w: World): string =>
  w.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';

describe('a metrics outage is not a failing release', () => {
  it('holds the weight, says why, announces it once, and goes on when the source is back', async () => {
    const w = await World.atFirstStep();
    let r = await tick(w, [down]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30, failedChecks: 0 });
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'MetricsUnavailable' });
    expect(readyMessage(w)).toContain('ECONNREFUSED');
    expect(readyMessage(w)).toContain('1 of errorLimit 3');
    expect(types(r.plan.effects)).toEqual(['event:MetricsUnavailable']);
    r = await tick(w, [down]);
    expect(types(r.plan.effects)).toEqual([]); // the same hold is not announced twice
    expect(w.status).toMatchObject({ canaryWeight: 30, consecutiveErrors: 2 });
    r = await tick(w, [ok()]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50, failedChecks: 0 });
    expect(w.status?.consecutiveErrors).toBeUndefined();
    expect(types(r.plan.effects)).toEqual(['routeTraffic:50', 'event:Advanced']);
  });

  it('rolls back with reason MetricsUnavailable at errorLimit, traffic back on the primary', async () => {
    const w = await World.atFirstStep();
    await tick(w, [down]);
    await tick(w, [down]);
    const r = await tick(w, [down]);
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0, failedChecks: 0 });
    expect(condition(w.status, 'Stalled')).toEqual({
      status: 'True',
      reason: 'MetricsUnavailable',
    });
    expect(types(r.plan.effects)).toEqual([
      'routeTraffic:0',
      'event:MetricsUnavailable',
      'callWebhooks:post-rollout',
    ]);
  });
});

describe('noData: pass', () => {
  const s = spec({ noDataPasses: true });

  it('does not promote a run in which no check ever returned data', async () => {
    const w = await World.atFirstStep(s);
    await tick(w, [passedWithoutData], s); // 30 -> 50 (no evidence, but noData: pass allows it)
    expect(w.status).toMatchObject({ canaryWeight: 50 });
    await tick(w, [passedWithoutData], s); // would promote: held instead
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50 });
    expect(condition(w.status, 'Ready')).toEqual({
      status: 'False',
      reason: 'AnalysisInconclusive',
    });
    expect(readyMessage(w)).toContain('never measured');
    expect(w.called('promotePrimary')).toHaveLength(0);
    await tick(w, [ok()], s); // real data at the last weight: now it may promote
    expect(w.status?.phase).toBe('Promoting');
    expect(w.status?.dataSeen).toBe(true);
  });

  it('promotes when a check returned data at some weight of the run', async () => {
    const w = await World.atFirstStep(s);
    await tick(w, [ok()], s);
    await tick(w, [passedWithoutData], s);
    expect(w.status?.phase).toBe('Promoting');
  });

  it('a run held for having no data is still bounded by the progress deadline', async () => {
    const w = await World.atFirstStep(s);
    await tick(w, [passedWithoutData], s);
    for (let i = 0; i < 11 && w.status?.phase === 'Progressing'; i++) {
      await tick(w, [passedWithoutData], s);
    }
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(condition(w.status, 'Stalled')).toEqual({
      status: 'True',
      reason: 'AnalysisInconclusive',
    });
  });
});

describe('a Canary without checks', () => {
  const blind = spec({ checks: { metrics: 0, gateHooks: 0 } });

  it('warns at run start and says so at every step', async () => {
    const w = await World.initialized(blind);
    w.release('rev2');
    const r = await w.reconcile(blind);
    expect(types(r.plan.effects)).toContain('event:NoChecks');
    expect(readyMessage(w)).toContain('every step passes without evidence');
    await w.reconcile(blind); // first tick: first weight
    expect(readyMessage(w)).toContain('every step passes without evidence');
  });

  it('does not warn when gate webhooks can stop the run', async () => {
    const hooked = spec({ checks: { metrics: 0, gateHooks: 1 } });
    const w = await World.initialized(hooked);
    w.release('rev2');
    const r = await w.reconcile(hooked);
    expect(types(r.plan.effects)).not.toContain('event:NoChecks');
  });
});

describe('stepped promotion', () => {
  const s = spec({ stepWeightPromotion: 20 });

  async function promoting(): Promise<World> {
    const w = await World.atFirstStep(s);
    await tick(w, [ok()], s);
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ phase: 'Promoting', canaryWeight: 50 });
    return w;
  }

  it('restarts the phase clock at every step', async () => {
    const w = await promoting();
    await w.wait(MINUTE);
    await w.reconcile(s);
    expect(w.status).toMatchObject({ canaryWeight: 30 });
    expect(w.status?.phaseSince).toBe(new Date(w.clock.now()).toISOString());
  });

  it('does not take the next step before the split shows this one, and stalls past the deadline', async () => {
    const w = await promoting();
    await w.wait(MINUTE);
    w.routesHeld = true;
    await w.reconcile(s); // 50 -> 30 decided; the split stays at 50
    expect(w.status).toMatchObject({ canaryWeight: 30 });
    await w.wait(MINUTE);
    await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Promoting', canaryWeight: 30 });
    expect(w.routes).toEqual({ primaryWeight: 50, canaryWeight: 50 });
    await w.wait(10 * MINUTE);
    const r = await w.reconcile(s);
    expect(condition(w.status, 'Stalled')).toEqual({
      status: 'True',
      reason: 'TrafficShiftStalled',
    });
    expect(types(r.plan.effects)).toContain('event:TrafficShiftStalled');
    w.routesHeld = false;
    await w.wait(MINUTE);
    await w.reconcile(s); // the split catches up
    await w.wait(MINUTE);
    await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Promoting', canaryWeight: 10 });
  });
});

describe('deletion with the route held', () => {
  it('says it is stuck once the progress deadline has passed, and keeps the finalizer', async () => {
    const w = await World.initialized();
    await w.settle();
    w.deleting = true;
    w.routesHeld = true;
    await w.reconcile(); // Terminating: scale the target up
    await w.reconcile(); // target ready: route all traffic to it (held)
    expect(w.target?.replicas).toBe(2);
    expect(w.called('routeTraffic').length).toBeGreaterThan(0);
    expect(w.status?.phase).toBe('Terminating');
    expect(condition(w.status, 'Ready')?.reason).toBe('Terminating');
    await w.wait(10 * MINUTE);
    const r = await w.reconcile();
    expect(condition(w.status, 'Stalled')).toEqual({
      status: 'True',
      reason: 'TrafficShiftStalled',
    });
    expect(types(r.plan.effects)).toEqual(['routeTraffic:100', 'event:TrafficShiftStalled']);
    expect(w.called('finalize')).toHaveLength(0);
  });
});

describe('effects decided without a status change', () => {
  it('are preceded by a status write with the cached resourceVersion (an empty patch)', async () => {
    const w = await World.initialized();
    await w.settle();
    w.routes = { primaryWeight: 90, canaryWeight: 10 }; // a hand edit of the split
    w.calls = [];
    const r = await w.reconcile();
    expect(r.plan.statusPatch).toBeNull();
    expect(w.calls.map((c) => c.actor)).toEqual(['persistStatus', 'routeTraffic']);
    expect(w.called('persistStatus')[0]?.input).toEqual({});
  });

  it('are not applied when that write is refused (a stale cached status)', async () => {
    const w = await World.initialized();
    await w.settle();
    w.routes = { primaryWeight: 90, canaryWeight: 10 };
    w.failing.persistStatus = 'throw';
    w.calls = [];
    const r = await w.reconcile();
    expect(r.error).not.toBeNull();
    expect(w.called('routeTraffic')).toHaveLength(0);
  });

  it('an idle Canary still makes no call at all', async () => {
    const w = await World.initialized();
    await w.settle();
    w.calls = [];
    await w.wait(MINUTE);
    await w.reconcile();
    expect(w.calls).toEqual([]);
  });
});

describe('the canary readiness deadline', () => {
  it('runs from when the canary became unready, not from the start of the step', async () => {
    const w = await World.atFirstStep();
    await w.wait(9 * MINUTE); // late in the step (deadline 10 minutes from the step's start)
    w.target = w.target === null ? null : { ...w.target, readiness: PENDING };
    await w.reconcile();
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'WaitingForCanary' });
    await w.wait(5 * MINUTE); // 14 minutes into the step, 5 into the unready spell
    await w.reconcile();
    expect(w.status?.phase).toBe('Progressing');
    await w.wait(5 * MINUTE);
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(condition(w.status, 'Stalled')).toEqual({
      status: 'True',
      reason: 'ProgressDeadlineExceeded',
    });
  });
});

describe('a metric window longer than the interval', () => {
  it('delays each tick until the window holds only traffic at the current weight', async () => {
    const s = spec({ intervalMs: MINUTE, windowMs: 3 * MINUTE });
    const w = await World.atFirstStep(s); // weight 30 routed now
    const routedAt = w.clock.now();
    w.checks = [ok()];
    await w.wait(MINUTE);
    await w.reconcile(s);
    await w.wait(MINUTE);
    await w.reconcile(s);
    expect(w.called('runChecks')).toHaveLength(0);
    await w.wait(MINUTE);
    await w.reconcile(s);
    expect(w.called('runChecks').map((c) => c.input)).toEqual([
      expect.objectContaining({ canaryWeight: 30, since: routedAt }),
    ]);
    expect(w.status).toMatchObject({ canaryWeight: 50 });
  });
});
