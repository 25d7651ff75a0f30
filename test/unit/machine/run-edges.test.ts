import { describe, expect, it } from '@jest/globals';
import type { MetricCheckResult } from '../../../src/analysis/evaluate.js';
import type { EngineSpec } from '../../../src/machine/types.js';
import {
  FAILED,
  READY,
  MINUTE,
  PENDING,
  World,
  allow,
  bad,
  condition,
  deny,
  ok,
  spec,
  types,
  unsure,
} from './harness.js';

const atFirstStep = (s?: EngineSpec): Promise<World> => World.atFirstStep(s);

/** Runs one analysis tick an interval later with the given check results. */
async function tick(w: World, checks: readonly MetricCheckResult[], s: EngineSpec = spec()) {
  w.checks = checks;
  await w.wait(s.intervalMs);
  return w.reconcile(s);
}

describe('check outcomes over successive ticks', () => {
  it.each<
    [
      string,
      MetricCheckResult[][],
      { phase: string; canaryWeight: number; failedChecks?: number; consecutiveErrors?: number }[],
    ]
  >([
    [
      'a failure below the threshold holds, the next pass advances',
      [[bad()], [ok()]],
      [
        { phase: 'Progressing', canaryWeight: 30, failedChecks: 1 },
        { phase: 'Progressing', canaryWeight: 50, failedChecks: 1 },
      ],
    ],
    [
      'reaching the threshold (2) rolls back at once',
      [[bad()], [ok(), bad('latency', 900)]],
      [
        { phase: 'Progressing', canaryWeight: 30, failedChecks: 1 },
        { phase: 'Failed', canaryWeight: 0, failedChecks: 2 },
      ],
    ],
    [
      'failures are cumulative within a run',
      [[bad()], [ok()], [bad()]],
      [
        { phase: 'Progressing', canaryWeight: 30, failedChecks: 1 },
        { phase: 'Progressing', canaryWeight: 50, failedChecks: 1 },
        { phase: 'Failed', canaryWeight: 0, failedChecks: 2 },
      ],
    ],
    [
      'inconclusive holds the weight without counting a failure',
      [[unsure()], [unsure()], [ok()]],
      [
        { phase: 'Progressing', canaryWeight: 30, failedChecks: 0 },
        { phase: 'Progressing', canaryWeight: 30, failedChecks: 0 },
        { phase: 'Progressing', canaryWeight: 50, failedChecks: 0 },
      ],
    ],
    [
      'an Error result holds the weight, counted apart from failed checks, up to errorLimit (3)',
      [
        [{ metric: 'q', result: 'Error', message: 'connection refused' }],
        [{ metric: 'q', result: 'Error', message: 'connection refused' }],
        [{ metric: 'q', result: 'Error', message: 'connection refused' }],
      ],
      [
        { phase: 'Progressing', canaryWeight: 30, failedChecks: 0, consecutiveErrors: 1 },
        { phase: 'Progressing', canaryWeight: 30, failedChecks: 0, consecutiveErrors: 2 },
        { phase: 'Failed', canaryWeight: 0, failedChecks: 0, consecutiveErrors: 3 },
      ],
    ],
    [
      'a tick whose checks all ran restarts the error count',
      [
        [{ metric: 'q', result: 'Error', message: 'connection refused' }],
        [{ metric: 'q', result: 'Error', message: 'connection refused' }],
        [ok()],
        [{ metric: 'q', result: 'Error', message: 'connection refused' }],
      ],
      [
        { phase: 'Progressing', canaryWeight: 30, consecutiveErrors: 1 },
        { phase: 'Progressing', canaryWeight: 30, consecutiveErrors: 2 },
        { phase: 'Progressing', canaryWeight: 50, failedChecks: 0 },
        { phase: 'Progressing', canaryWeight: 50, consecutiveErrors: 1, failedChecks: 0 },
      ],
    ],
    [
      'a Failed result next to an Error result is a failed check',
      [
        [
          { metric: 'q', result: 'Error', message: 'connection refused' },
          { metric: 'p', result: 'Failed', message: '5 > max 1' },
        ],
      ],
      [{ phase: 'Progressing', canaryWeight: 30, failedChecks: 1 }],
    ],
  ])('%s', async (_name, ticks, expected) => {
    const w = await atFirstStep();
    const seen: unknown[] = [];
    for (const checks of ticks) {
      await tick(w, checks);
      seen.push(structuredClone(w.status));
    }
    // An array matches only an array of the same length: a missing or extra row fails.
    expect(seen).toMatchObject(expected);
  });

  it('rolls back with traffic first, then scales the canary down, naming the failing metric', async () => {
    const w = await atFirstStep();
    await tick(w, [bad()]);
    const r = await tick(w, [bad('latency-p99', 1200)]);
    expect(types(r.plan.effects)).toEqual([
      'routeTraffic:0',
      'event:FailedChecksThresholdReached',
      'callWebhooks:post-rollout',
    ]);
    const event = r.plan.effects.find((e) => e.type === 'emitEvent');
    expect(event).toMatchObject({ eventType: 'Warning' });
    expect(event?.type === 'emitEvent' ? event.message : '').toContain('latency-p99');
    expect(condition(w.status, 'Stalled')).toEqual({
      status: 'True',
      reason: 'FailedChecksThresholdReached',
    });
    expect(condition(w.status, 'Promoted')).toEqual({ status: 'False', reason: 'Failed' });
    expect(condition(w.status, 'Reconciling')).toEqual({ status: 'False', reason: 'Failed' });
    // traffic is verifiably off the canary: now it is scaled down, once
    const next = await w.reconcile();
    expect(types(next.plan.effects)).toEqual(['scaleCanary:zero']);
    expect(w.primary?.revision).toBe('rev1');
    await w.settle();
    expect(w.status).toMatchObject({ phase: 'Failed', idleScale: { attempts: 1 } });
    expect(w.target?.replicas).toBe(0);
    // the Failed revision is not retried by itself
    await w.wait(10 * MINUTE);
    expect((await w.reconcile()).plan.statusPatch).toBeNull();
  });

  it('never holds on inconclusive past the progress deadline', async () => {
    const w = await atFirstStep(); // deadline 10 min, interval 1 min
    const phases: string[] = [];
    for (let i = 0; i < 12; i++) {
      await tick(w, [unsure()]);
      phases.push(w.status?.phase ?? '');
      if (w.status?.phase === 'Failed') break;
    }
    // streak starts at tick 1; at tick 11 it has lasted 10 minutes
    expect(phases).toEqual([...Array<string>(10).fill('Progressing'), 'Failed']);
    expect(condition(w.status, 'Ready')).toEqual({
      status: 'False',
      reason: 'AnalysisInconclusive',
    });
  });

  it('calls a failing pre-rollout hook a failed check and retries it on the next tick', async () => {
    const w = await World.initialized();
    w.hooks['pre-rollout'] = deny('acceptance tests failed');
    w.release('rev2');
    await w.reconcile();
    await w.reconcile();
    expect(w.status).toMatchObject({ canaryWeight: 0, failedChecks: 1 });
    expect(w.status?.lastAnalysis).toEqual([
      expect.objectContaining({ metric: 'webhook/pre-rollout', result: 'Failed' }),
    ]);
    w.hooks['pre-rollout'] = allow;
    w.calls = [];
    await w.wait(MINUTE);
    await w.reconcile();
    expect(w.hookCalls()).toContain('pre-rollout');
    expect(w.status).toMatchObject({ canaryWeight: 30, failedChecks: 1 });
  });

  it('rolls back when a rollback webhook answers 2xx', async () => {
    const w = await atFirstStep();
    w.hooks.rollback = allow;
    await tick(w, [ok()]);
    expect(w.status?.phase).toBe('Failed');
    expect(condition(w.status, 'Ready')?.reason).toBe('RollbackRequested');
    expect(w.called('runChecks')).toHaveLength(0);
  });
});

describe('gates during a run', () => {
  it('holds the weight while confirm-traffic-increase refuses, without a failure', async () => {
    const w = await atFirstStep();
    w.hooks['confirm-traffic-increase'] = deny('waiting for a human');
    await tick(w, [ok()]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30, failedChecks: 0 });
    expect(condition(w.status, 'Ready')?.reason).toBe('TrafficIncreasePending');
    w.hooks['confirm-traffic-increase'] = allow;
    await tick(w, [ok()]);
    expect(w.status?.canaryWeight).toBe(50);
  });

  it('holds in WaitingPromotion while confirm-promotion refuses, keeps checking, promotes when it agrees', async () => {
    const w = await atFirstStep();
    await tick(w, [ok()]); // 50
    w.hooks['confirm-promotion'] = deny('release manager away');
    let r = await tick(w, [ok()]);
    expect(w.status).toMatchObject({ phase: 'WaitingPromotion', canaryWeight: 50 });
    expect(types(r.plan.effects)).toEqual(['event:WaitingPromotion']);
    // hours pass: still waiting (a human gate), still checking every interval
    for (let i = 0; i < 30; i++) r = await tick(w, [ok()]);
    expect(w.status?.phase).toBe('WaitingPromotion');
    expect(r.plan.effects).toEqual([]);
    expect(w.called('runChecks').length).toBeGreaterThanOrEqual(31);
    // a failure still counts and still rolls back
    await tick(w, [bad()]);
    expect(w.status).toMatchObject({ phase: 'WaitingPromotion', failedChecks: 1 });
    w.hooks['confirm-promotion'] = allow;
    await tick(w, [ok()]);
    expect(w.status?.phase).toBe('Promoting');
  });

  it('rolls back from WaitingPromotion at the threshold', async () => {
    const w = await atFirstStep();
    await tick(w, [ok()]);
    w.hooks['confirm-promotion'] = deny();
    await tick(w, [ok()]);
    await tick(w, [bad()]);
    await tick(w, [bad()]);
    expect(w.status?.phase).toBe('Failed');
  });
});

describe('revisions during a run', () => {
  it('restarts the analysis at weight 0 when a new revision arrives mid-run', async () => {
    const w = await atFirstStep();
    await tick(w, [bad()]);
    expect(w.status).toMatchObject({ canaryWeight: 30, failedChecks: 1 });
    w.release('rev3');
    const r = await w.reconcile();
    expect(w.status).toMatchObject({
      phase: 'Progressing',
      revision: 'rev3',
      canaryWeight: 0,
      stepIndex: 0,
      failedChecks: 0,
    });
    expect(types(r.plan.effects)).toEqual(['routeTraffic:0', 'event:NewRevision']);
    expect(w.hookCalls()).toContain('confirm-rollout');
  });

  it('cancels the run when the target is reverted to what the primary runs', async () => {
    const w = await atFirstStep();
    w.release('rev1', { 'configmap/app': 'c1' });
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Succeeded', revision: 'rev1', canaryWeight: 0 });
    expect(condition(w.status, 'Ready')?.reason).toBe('RevisionReverted');
    await w.settle();
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    expect(w.target?.replicas).toBe(0);
  });

  it('cancels a promotion not yet copied when the target goes back to what the primary runs', async () => {
    const w = await atFirstStep();
    await tick(w, [ok()]);
    await tick(w, [ok()]);
    expect(w.status?.phase).toBe('Promoting');
    // The copy to the primary has not landed yet (it still runs rev1) when the target goes back.
    w.primary = { revision: 'rev1', readiness: READY };
    w.release('rev1', { 'configmap/app': 'c1' });
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Succeeded', revision: 'rev1', canaryWeight: 0 });
    expect(condition(w.status, 'Ready')?.reason).toBe('RevisionReverted');
  });

  it('rolls back a canary that never becomes ready, at the progress deadline', async () => {
    const w = await World.initialized();
    w.canaryReadinessOnScaleUp = PENDING;
    w.release('rev2');
    await w.reconcile();
    let r = await w.reconcile();
    expect(condition(w.status, 'Ready')?.reason).toBe('WaitingForCanary');
    expect(r.plan.requeueAfterMs).toBe(MINUTE);
    await w.wait(9 * MINUTE + 59_000);
    r = await w.reconcile();
    expect(w.status?.phase).toBe('Progressing');
    expect(r.plan.requeueAfterMs).toBe(1_000);
    await w.wait(1_000);
    await w.reconcile();
    expect(w.status?.phase).toBe('Failed');
    expect(condition(w.status, 'Ready')?.reason).toBe('ProgressDeadlineExceeded');
  });

  it('rolls back at once when the canary rollout fails for good', async () => {
    const w = await atFirstStep();
    if (w.target) w.target = { ...w.target, readiness: FAILED };
    await w.reconcile();
    expect(w.status?.phase).toBe('Failed');
    expect(condition(w.status, 'Ready')?.reason).toBe('CanaryNotReady');
  });
});

describe('promotion', () => {
  async function promoting(s: EngineSpec): Promise<World> {
    const w = await atFirstStep(s);
    await tick(w, [ok()], s);
    await tick(w, [ok()], s);
    expect(w.status?.phase).toBe('Promoting');
    return w;
  }

  it('keeps traffic on the canary until the primary rollout is ready', async () => {
    const w = await atFirstStep();
    w.primaryReadinessOnRollout = PENDING;
    await tick(w, [ok()]);
    await tick(w, [ok()]);
    const r = await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Promoting', canaryWeight: 50 });
    expect(r.plan.effects).toEqual([]);
    w.primary = { revision: 'rev2', readiness: { state: 'ready' } };
    await w.reconcile();
    expect(w.status?.phase).toBe('Finalising');
  });

  it('moves traffic back stepWeightPromotion per interval', async () => {
    const s = spec({ stepWeightPromotion: 20 });
    const w = await promoting(s);
    const weights: number[] = [];
    for (let i = 0; i < 5 && w.status?.phase === 'Promoting'; i++) {
      await w.wait(MINUTE);
      await w.reconcile(s);
      weights.push(w.status.canaryWeight ?? -1);
    }
    expect(weights).toEqual([30, 10, 0]);
    expect(w.status?.phase).toBe('Finalising');
  });

  it('keeps all traffic on the healthy canary when the primary cannot roll out', async () => {
    const w = await atFirstStep();
    w.primaryReadinessOnRollout = FAILED;
    await tick(w, [ok()]);
    await tick(w, [ok()]);
    const r = await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 100 });
    expect(types(r.plan.effects)).toEqual([
      'routeTraffic:100',
      'event:PromotionFailed',
      'callWebhooks:post-rollout',
    ]);
    await w.settle();
    expect(w.target?.replicas).toBe(2); // never scaled down while it serves
  });

  it('gives up on a primary that stays pending past the deadline', async () => {
    const w = await atFirstStep();
    w.primaryReadinessOnRollout = PENDING;
    await tick(w, [ok()]);
    await tick(w, [ok()]);
    await w.wait(10 * MINUTE);
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 100 });
  });
});

describe('strategies and shortcuts', () => {
  it('blue/green: N checked iterations at weight 0, switch behind confirm-promotion, check, promote', async () => {
    const s = spec({ progression: { iterations: 2 } });
    const w = await World.initialized(s);
    w.release('rev2');
    await w.reconcile(s);
    await w.reconcile(s); // first tick: pre-rollout only, nothing measured, nothing counted
    expect(w.status).toMatchObject({ canaryWeight: 0, iterations: 0, stepIndex: 1 });
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'Progressing' });
    expect(w.hookCalls()).toContain('pre-rollout');
    expect(w.called('runChecks')).toHaveLength(0);
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ canaryWeight: 0, iterations: 1 });
    await tick(w, [unsure()], s); // an iteration that measured nothing does not count
    expect(w.status).toMatchObject({ canaryWeight: 0, iterations: 1 });
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ canaryWeight: 0, iterations: 2 });
    w.hooks['confirm-promotion'] = deny();
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ phase: 'WaitingPromotion', canaryWeight: 0 });
    w.hooks['confirm-promotion'] = allow;
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 100 });
    expect(w.routes).toEqual({ primaryWeight: 0, canaryWeight: 100 });
    await tick(w, [ok()], s);
    expect(w.status?.phase).toBe('Promoting');
    expect(w.called('runChecks')).toHaveLength(6);
  });

  it('A/B: the matching requests go to the canary, N checked iterations there, promote, back to the primary', async () => {
    const s = spec({ progression: { iterations: 2, match: true } });
    const w = await World.initialized(s);
    w.release('rev2');
    await w.reconcile(s);
    await w.reconcile(s); // first tick: pre-rollout, then the matching requests to the canary
    expect(w.status).toMatchObject({ canaryWeight: 100, iterations: 0 });
    expect(w.routes).toEqual({ primaryWeight: 0, canaryWeight: 100 });
    expect(w.hookCalls()).toEqual(
      expect.arrayContaining(['pre-rollout', 'confirm-traffic-increase']),
    );
    expect(w.called('runChecks')).toHaveLength(0);
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ canaryWeight: 100, iterations: 1 });
    await tick(w, [unsure()], s); // an iteration that measured nothing does not count
    expect(w.status).toMatchObject({ canaryWeight: 100, iterations: 1 });
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 100, iterations: 2 });
    await tick(w, [ok()], s);
    expect(w.status?.phase).toBe('Promoting');
    expect(w.called('runChecks')).toHaveLength(4);
    await w.settle(s);
    expect(w.status).toMatchObject({ phase: 'Succeeded', canaryWeight: 0 });
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
  });

  it('A/B: failed checks roll back, all traffic to the primary', async () => {
    const s = spec({ progression: { iterations: 3, match: true }, threshold: 1 });
    const w = await World.initialized(s);
    w.release('rev2');
    await w.reconcile(s);
    await w.reconcile(s);
    expect(w.routes).toEqual({ primaryWeight: 0, canaryWeight: 100 });
    await tick(w, [bad()], s);
    await w.settle(s);
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
  });

  it('A/B: a match removed mid-run sends all traffic back to the primary, never every request to the canary', async () => {
    const s = spec({ progression: { iterations: 3, match: true } });
    const w = await World.initialized(s);
    w.release('rev2');
    await w.reconcile(s);
    await w.reconcile(s);
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ canaryWeight: 100, iterations: 1 });
    const blueGreen = spec({ progression: { iterations: 3 } });
    const r = await w.reconcile(blueGreen);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, iterations: 1 });
    expect(types(r.plan.effects)).toEqual(['routeTraffic:0', 'event:StrategyChanged']);
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    await tick(w, [ok()], blueGreen); // the iterations continue, blue/green's way
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, iterations: 2 });
  });

  it('A/B: a match removed after the last iteration passed is blue/green after its switch: checked at 100, promoted', async () => {
    const s = spec({ progression: { iterations: 1, match: true } });
    const w = await World.initialized(s);
    w.release('rev2');
    await w.reconcile(s);
    await w.reconcile(s);
    await tick(w, [ok()], s);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 100, iterations: 1 });
    const blueGreen = spec({ progression: { iterations: 1 } });
    await w.reconcile(blueGreen);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 100 });
    await tick(w, [ok()], blueGreen);
    expect(w.status?.phase).toBe('Promoting');
  });

  it('skipAnalysis promotes a new revision once the canary is ready, without checks or traffic', async () => {
    const s = spec({ skipAnalysis: true });
    const w = await World.initialized(s);
    w.release('rev2');
    w.canaryReadinessOnScaleUp = PENDING;
    const r = await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(types(r.plan.effects)).toContain('scaleCanary:up');
    await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'WaitingForCanary' });
    expect(w.called('promotePrimary')).toHaveLength(0);
    w.target = w.target === null ? null : { ...w.target, readiness: READY };
    await w.settle(s);
    expect(w.status).toMatchObject({ phase: 'Succeeded', lastPromotedRevision: 'rev2' });
    expect(w.called('promotePrimary')).toHaveLength(1);
    expect(w.called('runChecks')).toHaveLength(0);
    expect(w.called('preflight')).toHaveLength(0);
    expect(w.routeHistory.every((weight) => weight === 0)).toBe(true);
  });

  it('skipAnalysis needs no strategy: a Canary without spec.analysis promotes its new revision', async () => {
    // The CRD lets spec.analysis out when skipAnalysis is true, so no strategy is resolved.
    const s = spec({ skipAnalysis: true, progression: {} });
    const w = await World.initialized(s);
    w.release('rev2');
    await w.settle(s);
    expect(w.status).toMatchObject({ phase: 'Succeeded', lastPromotedRevision: 'rev2' });
    expect(w.routeHistory.every((weight) => weight === 0)).toBe(true);
  });

  it('skipAnalysis never copies a revision that cannot become ready to the primary', async () => {
    const s = spec({ skipAnalysis: true });
    const w = await World.initialized(s);
    w.release('rev2');
    w.canaryReadinessOnScaleUp = FAILED;
    await w.settle(s);
    expect(w.status).toMatchObject({
      phase: 'Failed',
      revision: 'rev2',
      lastPromotedRevision: 'rev1',
    });
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'CanaryNotReady' });
    expect(w.called('promotePrimary')).toHaveLength(0);
    expect(w.primary?.revision).toBe('rev1');
  });

  it('skipAnalysis set mid-run promotes at the current weight', async () => {
    const w = await atFirstStep();
    await w.reconcile(spec({ skipAnalysis: true }));
    expect(w.status).toMatchObject({ phase: 'Promoting', canaryWeight: 30 });
  });

  it('an invalid strategy keeps the run from starting, with a Stalled condition', async () => {
    const s = spec({ progression: { stepWeight: 10, stepWeights: [10, 20] } });
    const w = await World.initialized(s);
    w.release('rev2');
    const r = await w.reconcile(s);
    expect(w.status?.phase).toBe('Waiting');
    expect(condition(w.status, 'Stalled')).toEqual({ status: 'True', reason: 'InvalidSpec' });
    expect(types(r.plan.effects)).toEqual(['event:InvalidSpec']);
  });
});

describe('start gates', () => {
  it('waits outside the deployment window and starts at the window', async () => {
    // the world clock starts Monday 2026-06-01 10:00 UTC = 12:00 in Berlin
    const s = spec({ schedule: { timeZone: 'Europe/Berlin', allow: ['* 14-15 * * 1-5'] } });
    const w = await World.initialized(s);
    w.release('rev2');
    const r = await w.reconcile(s);
    expect(w.status).toMatchObject({
      phase: 'Waiting',
      nextWindowStart: '2026-06-01T12:00:00.000Z',
    });
    expect(condition(w.status, 'Ready')?.reason).toBe('OutsideDeploymentWindow');
    expect(r.plan.requeueAfterMs).toBe(60 * MINUTE);
    expect(w.called('scaleCanary')).toHaveLength(0);
    expect(w.hookCalls()).toEqual([]); // confirm-rollout only once the window is open
    await w.wait(60 * MINUTE);
    expect((await w.reconcile(s)).plan.requeueAfterMs).toBe(60 * MINUTE);
    await w.wait(60 * MINUTE);
    await w.reconcile(s);
    expect(w.status?.phase).toBe('Progressing');
    expect(w.status?.nextWindowStart).toBeUndefined();
  });

  it('a deny window wins over an open allow window', async () => {
    const s = spec({ schedule: { timeZone: 'UTC', allow: ['* * * * *'], deny: ['* 10 1 6 *'] } });
    const w = await World.initialized(s);
    w.release('rev2');
    await w.reconcile(s);
    expect(w.status).toMatchObject({
      phase: 'Waiting',
      nextWindowStart: '2026-06-01T11:00:00.000Z',
    });
  });

  it('an expression the CRD lets through but cron-parser refuses holds in Waiting, InvalidSpec', async () => {
    const s = spec({ schedule: { timeZone: 'UTC', allow: ['* 17-9 * * *'] } });
    const w = await World.initialized(s);
    w.release('rev2');
    const r = await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Waiting' });
    expect(condition(w.status, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    const event = r.plan.effects.find((e) => e.type === 'emitEvent');
    expect(event).toMatchObject({ eventType: 'Warning', reason: 'InvalidSpec' });
    expect(w.called('scaleCanary')).toHaveLength(0);
  });

  it('waits for a run slot when too many canaries run', async () => {
    const w = await World.initialized();
    w.runSlotAvailable = false;
    w.release('rev2');
    await w.reconcile();
    expect(condition(w.status, 'Ready')?.reason).toBe('ConcurrencyLimit');
    w.runSlotAvailable = true;
    await w.wait(MINUTE);
    await w.reconcile();
    expect(w.status?.phase).toBe('Progressing');
  });

  it('a revision reverted while waiting ends the wait', async () => {
    const w = await World.initialized();
    w.runSlotAvailable = false;
    w.release('rev2');
    await w.reconcile();
    w.release('rev1', { 'configmap/app': 'c1' });
    await w.reconcile();
    expect(w.status).toMatchObject({ phase: 'Succeeded', revision: 'rev1' });
  });
});

describe('GitOps', () => {
  it('does not fight a tool that scales the idle target back up, and starts no analysis', async () => {
    const w = await World.initialized();
    if (w.target) w.target = { ...w.target, replicas: 3 };
    const r = await w.reconcile();
    expect(r.plan.effects).toEqual([]);
    expect(r.plan.statusPatch).toBeNull();
    expect(w.status?.phase).toBe('Initialized');
  });

  it('re-applying identical manifests changes nothing', async () => {
    const w = await atFirstStep();
    w.generation = 2; // a spec re-apply that changes nothing but metadata
    const r = await w.reconcile();
    expect(r.plan.statusPatch).toMatchObject({ observedGeneration: 2 });
    expect(r.plan.effects).toEqual([]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
  });

  it('repairs drift of the TrafficSplit weights', async () => {
    const w = await atFirstStep();
    w.routes = { primaryWeight: 100, canaryWeight: 0 };
    await w.wait(10_000);
    const r = await w.reconcile();
    expect(types(r.plan.effects)).toEqual(['routeTraffic:30']);
    // Only the analysis clock, the lag's start and the reason change: no step, no count.
    expect(Object.keys(r.plan.statusPatch ?? {}).sort()).toEqual([
      'conditions',
      'lastAnalysisAt',
      'trafficShiftSince',
    ]);
    expect(w.status).toMatchObject({ canaryWeight: 30, stepIndex: 1, failedChecks: 0 });
  });
});
