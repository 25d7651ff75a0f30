import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LIMITS, type EngineActors } from '../../../src/machine/run-step.js';
import { MINUTE, World, bad, condition, ok, types } from './harness.js';

const atFirstStep = (): Promise<World> => World.atFirstStep();

describe('restarting from the persisted status', () => {
  it('a fresh machine at any point of a run repeats no effect and no hook', async () => {
    const w = await atFirstStep();
    w.checks = [bad()];
    await w.wait(MINUTE);
    await w.reconcile();
    // "restart": every reconcile builds a new actor from status; run a few without time passing
    w.calls = [];
    for (let i = 0; i < 3; i++) {
      const r = await w.reconcile();
      expect(r.plan.effects).toEqual([]);
      expect(r.plan.statusPatch).toBeNull();
    }
    expect(w.calls).toEqual([]);
    expect(w.status).toMatchObject({ canaryWeight: 30, failedChecks: 1 });
  });

  it('a crash after the status write but before the effect re-applies the effect once, and only it', async () => {
    const w = await atFirstStep();
    w.failing.routeTraffic = 'throw'; // the process dies while patching the TrafficSplit
    await w.wait(MINUTE);
    const crashed = await w.reconcile();
    expect(crashed.persisted).toBe(true);
    expect(crashed.error?.code).toBe('WL_ENGINE_EFFECT_FAILED');
    // The transition is saved, so its announcement goes out now or never.
    expect(types(crashed.applied)).toEqual(['event:Advanced']);
    expect(w.status).toMatchObject({ canaryWeight: 50 });
    expect(w.routes?.canaryWeight).toBe(30);

    delete w.failing.routeTraffic;
    w.calls = [];
    const resumed = await w.reconcile();
    expect(types(resumed.plan.effects)).toEqual(['routeTraffic:50']);
    // No second advance, no second count: only the analysis clock restarts (route-lag.test.ts).
    expect(resumed.plan.statusPatch).not.toHaveProperty('canaryWeight');
    expect(resumed.plan.statusPatch).not.toHaveProperty('stepIndex');
    expect(resumed.plan.statusPatch).not.toHaveProperty('failedChecks');
    expect(w.status).toMatchObject({ canaryWeight: 50, stepIndex: 2, failedChecks: 0 });
    expect(w.hookCalls()).toEqual([]); // no hook repeated
    expect(w.called('runChecks')).toEqual([]);
  });

  it('a converging effect that fails after the status write still sends the rollback Event', async () => {
    const w = await atFirstStep();
    w.checks = [bad()];
    await w.wait(MINUTE);
    await w.reconcile(); // failedChecks 1 of 2
    w.failing.routeTraffic = 'throw'; // e.g. a 409 on the TrafficSplit
    w.calls = [];
    await w.wait(MINUTE);
    const r = await w.reconcile();
    expect(r.persisted).toBe(true);
    expect(w.status).toMatchObject({ phase: 'Failed' });
    expect(r.error).toMatchObject({ code: 'WL_ENGINE_EFFECT_FAILED', actor: 'routeTraffic' });
    // Only the failed converging effect was tried; the scale-down waits for the next step.
    expect(w.called('scaleCanary')).toEqual([]);
    expect(w.called('emitEvent').map((c) => (c.input as { reason: string }).reason)).toEqual([
      'FailedChecksThresholdReached',
    ]);
    expect(types(r.applied)).toEqual(['event:FailedChecksThresholdReached']);

    // The retry converges without announcing the rollback a second time.
    delete w.failing.routeTraffic;
    w.calls = [];
    const retry = await w.reconcile();
    expect(retry.error).toBeNull();
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    expect(w.called('emitEvent')).toEqual([]);
  });

  it('a failed status write applies no effect and decides the same on the next try', async () => {
    const w = await atFirstStep();
    w.failing.persistStatus = 'throw';
    await w.wait(MINUTE);
    const r = await w.reconcile();
    expect(r.error?.code).toBe('WL_ENGINE_STATUS_WRITE_FAILED');
    expect(r.persisted).toBe(false);
    expect(r.applied).toEqual([]);
    expect(w.routes?.canaryWeight).toBe(30);
    delete w.failing.persistStatus;
    const retry = await w.reconcile();
    expect(types(retry.plan.effects)).toEqual(['routeTraffic:50', 'event:Advanced']);
  });

  it('a failed notification does not fail the step', async () => {
    const w = await atFirstStep();
    w.failing.emitEvent = 'throw';
    await w.wait(MINUTE);
    const r = await w.reconcile();
    expect(r.error).toBeNull();
    expect(r.notificationFailures.map((e) => e.actor)).toEqual(['emitEvent']);
    expect(types(r.applied)).toEqual(['routeTraffic:50', 'event:Advanced']);
  });
});

describe('every wait inside a step is bounded by the injected clock', () => {
  it('an effect that hangs ends the step with a timeout after the status is saved', async () => {
    const w = await atFirstStep();
    w.failing.routeTraffic = 'hang';
    await w.wait(MINUTE);
    const pending = w.reconcile();
    let settled = false;
    void pending.then(() => (settled = true));
    await w.clock.advance(DEFAULT_LIMITS.effectTimeoutMs - 1);
    expect(settled).toBe(false);
    await w.clock.advance(1);
    const r = await pending;
    expect(r.error).toMatchObject({ code: 'WL_ENGINE_TIMEOUT', actor: 'routeTraffic' });
    expect(r.persisted).toBe(true);
  });

  it('checks that hang count as an Error result: the weight holds, counted apart', async () => {
    const w = await atFirstStep();
    w.failing.runChecks = 'hang';
    await w.wait(MINUTE);
    const pending = w.reconcile();
    await w.clock.advance(DEFAULT_LIMITS.gatherTimeoutMs);
    const r = await pending;
    expect(r.error).toBeNull();
    expect(w.status).toMatchObject({ canaryWeight: 30, failedChecks: 0, consecutiveErrors: 1 });
    expect(condition(w.status, 'Ready')).toEqual({ status: 'False', reason: 'MetricsUnavailable' });
    expect(w.status?.lastAnalysis).toEqual([
      expect.objectContaining({ metric: 'analysis', result: 'Error' }),
    ]);
  });

  it('webhooks that cannot be called refuse: no approval by failure', async () => {
    const w = await atFirstStep();
    w.failing.callWebhooks = 'throw';
    w.checks = [ok()];
    await w.wait(MINUTE);
    await w.reconcile();
    // rollback hooks "failed" = no rollback request; rollout hooks failed = a failed check
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30, failedChecks: 1 });
  });

  it('an actor the composition root forgot is a typed error, not a hang', async () => {
    const { runCanaryStep } = await import('../../../src/machine/run-step.js');
    const w = new World();
    const r = await runCanaryStep(
      {} as EngineActors,
      {
        spec: (await import('./harness.js')).spec(),
        status: undefined,
        generation: 1,
        observed: w.observe(),
        operation: null,
      },
      { clock: w.clock },
    );
    expect(r.error).toMatchObject({
      code: 'WL_ENGINE_ACTOR_NOT_PROVIDED',
      actor: 'persistStatus',
      retryable: false,
    });
  });

  it('a gather actor that was not provided fails the step instead of counting as a failed check', async () => {
    const { runCanaryStep } = await import('../../../src/machine/run-step.js');
    const w = await atFirstStep();
    const unwired: Partial<EngineActors> = { ...w.actors() };
    delete unwired.runChecks;
    await w.wait(MINUTE);
    const input = {
      spec: (await import('./harness.js')).spec(),
      status: w.status,
      generation: 1,
      observed: w.observe(),
      operation: null,
    };
    const r = await runCanaryStep(unwired as EngineActors, input, { clock: w.clock });
    expect(r.error).toMatchObject({ code: 'WL_ENGINE_ACTOR_NOT_PROVIDED', actor: 'runChecks' });
    expect(r.plan).toBeNull();
    expect(w.status).toMatchObject({ failedChecks: 0, canaryWeight: 30 });
  });
});
