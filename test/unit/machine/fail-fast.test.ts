// Fail fast (spec.analysis.failFast): within a step, failures are evaluated at every scrape; the
// same check failing at two successive evaluations rolls back before the interval ends, and a
// pass never comes early. Time is the harness's manual clock.
import { describe, expect, it } from '@jest/globals';
import type { MetricCheckResult } from '../../../src/analysis/evaluate.js';
import { FAIL_FAST_FALLBACK_MS } from '../../../src/machine/phases/fail-fast.js';
import type { ChecksCall, EngineSpec } from '../../../src/machine/types.js';
import { MINUTE, World, bad, condition, ok, spec, unsure } from './harness.js';

const SCRAPE = 2_000;
const failFast = (overrides: Partial<EngineSpec> = {}): EngineSpec =>
  spec({ failFast: true, ...overrides });

/** A run of rev2 at its first weight (30), its pre-flight having read a 2 s scrape interval. */
async function firstStep(s: EngineSpec): Promise<World> {
  const w = await World.initialized(s);
  w.preflightScrapeMs = SCRAPE;
  w.release('rev2');
  await w.reconcile(s);
  await w.reconcile(s);
  expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
  w.calls = [];
  return w;
}

/** One scrape later, one reconcile (the engine's requeue) with these results. */
async function scrape(w: World, s: EngineSpec, results: readonly MetricCheckResult[]) {
  w.checks = results;
  await w.wait(SCRAPE);
  return w.reconcile(s);
}

const checkCalls = (w: World): ChecksCall[] =>
  w.called('runChecks').map((c) => c.input as ChecksCall);
const counted = (r: MetricCheckResult, requests: number): MetricCheckResult => ({ ...r, requests });

describe('fail-fast', () => {
  it('records the scrape interval the pre-flight read, and evaluates each scrape over the traffic since the step began', async () => {
    const s = failFast();
    const w = await firstStep(s);
    expect(w.status?.failFast).toEqual({ every: '2s' });
    const start = w.clock.now();
    const r = await scrape(w, s, [ok()]);
    expect(r.plan.requeueAfterMs).toBe(SCRAPE);
    await scrape(w, s, [ok()]);
    expect(checkCalls(w).map((c) => [c.since, c.earlyWindowMs])).toEqual([
      [start, SCRAPE],
      [start, 2 * SCRAPE],
    ]);
  });

  it('rolls back when the same check fails at two successive evaluations, before the interval ends', async () => {
    const s = failFast();
    const w = await firstStep(s);
    const start = w.clock.now();
    const first = await scrape(w, s, [bad()]);
    expect(first.plan.statusPatch).not.toBeNull(); // the first failure is recorded
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    expect(w.status?.failFast?.failed).toEqual(['success-rate']);
    const second = await scrape(w, s, [bad()]);
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(condition(w.status, 'Ready')?.reason).toBe('FailFast');
    expect(second.plan.transition.message).toMatch(/fail-fast: success-rate failed at two/);
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    expect(w.clock.now() - start).toBe(2 * SCRAPE);
    expect(w.clock.now() - start).toBeLessThan(s.intervalMs);
    expect(w.status?.lastAnalysis?.[0]).toMatchObject({ metric: 'success-rate', result: 'Failed' });
  });

  it('needs the same check twice: a different check failing next starts over', async () => {
    const s = failFast();
    const w = await firstStep(s);
    await scrape(w, s, [bad('success-rate'), ok('latency', 10)]);
    await scrape(w, s, [ok('success-rate'), bad('latency', 900)]);
    expect(w.status?.phase).toBe('Progressing');
    await scrape(w, s, [ok('success-rate'), bad('latency', 900)]);
    expect(w.status?.phase).toBe('Failed');
  });

  it('one failure then a pass does not roll back, and clears the record', async () => {
    const s = failFast();
    const w = await firstStep(s);
    await scrape(w, s, [bad()]);
    await scrape(w, s, [ok()]);
    expect(w.status?.failFast).toEqual({ every: '2s' });
    await scrape(w, s, [bad()]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
  });

  it('a failure below minRequests does not count', async () => {
    const s = failFast({ minRequests: 20 });
    const w = await firstStep(s);
    await scrape(w, s, [counted(bad(), 19)]);
    await scrape(w, s, [counted(bad(), 19)]);
    await scrape(w, s, [bad()]); // no request count: cannot show minRequests
    await scrape(w, s, [bad()]);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    await scrape(w, s, [counted(bad(), 20)]);
    await scrape(w, s, [counted(bad(), 25)]);
    expect(w.status?.phase).toBe('Failed');
  });

  it('a failure without a measured value (noData: fail) does not count', async () => {
    const s = failFast();
    const w = await firstStep(s);
    const noData: MetricCheckResult = {
      metric: 'success-rate',
      result: 'Failed',
      message: 'no data (noData: fail)',
    };
    await scrape(w, s, [noData]);
    await scrape(w, s, [noData]);
    expect(w.status?.phase).toBe('Progressing');
  });

  it('an evaluation that is not a failure (inconclusive) breaks the streak', async () => {
    const s = failFast();
    const w = await firstStep(s);
    await scrape(w, s, [bad()]);
    await scrape(w, s, [unsure()]);
    await scrape(w, s, [bad()]);
    expect(w.status?.phase).toBe('Progressing');
  });

  it('a pass never comes early: passing evaluations write nothing and the step waits its interval', async () => {
    const s = failFast();
    const w = await firstStep(s);
    const start = w.clock.now();
    while (w.clock.now() + SCRAPE < start + s.intervalMs) {
      const r = await scrape(w, s, [ok()]);
      expect(r.plan.statusPatch).toBeNull();
      expect(r.plan.effects).toEqual([]);
      expect(w.status).toMatchObject({ canaryWeight: 30, stepIndex: 1 });
    }
    w.checks = [ok()];
    await w.wait(start + s.intervalMs - w.clock.now());
    await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50, stepIndex: 2 });
    expect(checkCalls(w).at(-1)?.earlyWindowMs).toBeUndefined();
  });

  it('two failures in one scrape interval are one evaluation, not two', async () => {
    const s = failFast();
    const w = await firstStep(s);
    await scrape(w, s, [bad()]);
    w.calls = [];
    await w.wait(SCRAPE / 2);
    const r = await w.reconcile(s); // a watch event half a scrape later
    expect(w.called('runChecks')).toEqual([]);
    expect(r.plan.requeueAfterMs).toBe(SCRAPE / 2);
    expect(w.status?.phase).toBe('Progressing');
  });

  it('failFast: false waits for the interval: no check runs before it, and failures count at the tick', async () => {
    const s = spec({ failFast: false, threshold: 1 });
    const w = await firstStep(s);
    const start = w.clock.now();
    w.checks = [bad()];
    for (let t = 0; t + SCRAPE < s.intervalMs; t += SCRAPE) {
      await w.wait(SCRAPE);
      await w.reconcile(s);
    }
    expect(w.called('runChecks')).toEqual([]);
    expect(w.status?.phase).toBe('Progressing');
    await w.wait(start + s.intervalMs - w.clock.now());
    await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Failed' });
    expect(condition(w.status, 'Ready')?.reason).toBe('FailedChecksThresholdReached');
  });

  it('without a scrape interval from the pre-flight, evaluates every 10 s', async () => {
    const s = failFast();
    const w = await World.initialized(s);
    w.release('rev2');
    await w.reconcile(s);
    await w.reconcile(s);
    expect(w.status?.failFast).toBeUndefined();
    const start = w.clock.now();
    w.calls = [];
    w.checks = [bad()];
    await w.wait(FAIL_FAST_FALLBACK_MS - 1);
    const r = await w.reconcile(s);
    expect(w.called('runChecks')).toEqual([]);
    expect(r.plan.requeueAfterMs).toBe(1);
    await w.wait(1);
    await w.reconcile(s);
    await w.wait(FAIL_FAST_FALLBACK_MS);
    await w.reconcile(s);
    expect(w.status?.phase).toBe('Failed');
    expect(w.clock.now() - start).toBeLessThan(MINUTE);
  });

  it("the run's first tick measures nothing, so fail-fast waits for the first weight", async () => {
    const s = failFast();
    const w = await World.initialized(s);
    w.preflightScrapeMs = SCRAPE;
    w.release('rev2');
    await w.reconcile(s); // run starts at weight 0
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    w.calls = [];
    await w.wait(SCRAPE);
    await w.reconcile(s);
    expect(w.called('runChecks')).toEqual([]);
  });
});
