// Fail fast (spec.analysis.failFast): within a step, failures are evaluated at every scrape, at
// points of the epoch-aligned scrape grid over a trailing window that begins in the step; the
// same check failing at two successive evaluations rolls back before the interval ends, and a
// pass never comes early. Time is the harness's manual clock.
import { describe, expect, it } from '@jest/globals';
import type { MetricCheckResult } from '../../../src/analysis/evaluate.js';
import {
  EARLY_WINDOW_SCRAPES,
  FAIL_FAST_FALLBACK_MS,
} from '../../../src/machine/phases/fail-fast.js';
import type { ChecksCall, EngineSpec } from '../../../src/machine/types.js';
import { MINUTE, World, bad, condition, ok, spec, unsure } from './harness.js';

const SCRAPE = 2_000;
const failFast = (overrides: Partial<EngineSpec> = {}): EngineSpec =>
  spec({ failFast: true, ...overrides });

const EARLY_WINDOW = EARLY_WINDOW_SCRAPES * SCRAPE;
/** The first point of the scrape grid at or after `t`. */
const gridCeil = (t: number, every = SCRAPE): number => Math.ceil(t / every) * every;

/**
 * A run of rev2 at its first weight (30), its pre-flight having read a 2 s scrape interval,
 * released `offsetMs` after the harness's start (a whole minute, on every grid). Unless `raw`, the
 * clock is then one scrape before the first fail-fast evaluation, so the next scrape() makes it.
 */
async function firstStep(s: EngineSpec, opts: { offsetMs?: number; raw?: boolean } = {}) {
  const w = await World.initialized(s);
  w.preflightScrapeMs = SCRAPE;
  await w.wait(opts.offsetMs ?? 0);
  w.release('rev2');
  await w.reconcile(s);
  await w.reconcile(s);
  expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
  if (opts.raw !== true) {
    const r = await w.reconcile(s); // the wait for fail-fast's first evaluation
    await w.wait((r.plan.requeueAfterMs ?? 0) - SCRAPE);
  }
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
  it('records the scrape interval the pre-flight read, and evaluates at scrape-grid points over a trailing window that begins in the step', async () => {
    const s = failFast();
    const w = await firstStep(s, { offsetMs: 700, raw: true });
    expect(w.status?.failFast).toEqual({ every: '2s' });
    const start = w.clock.now();
    w.checks = [ok()];
    const first = gridCeil(start + EARLY_WINDOW);
    expect(first).toBeGreaterThan(start + EARLY_WINDOW); // the step did not begin on the grid
    const r = await w.reconcile(s);
    expect(r.plan.requeueAfterMs).toBe(first - start);
    await w.wait(first - 1 - start);
    await w.reconcile(s);
    expect(w.called('runChecks')).toEqual([]);
    await w.wait(1);
    const at = await w.reconcile(s);
    expect(at.plan.requeueAfterMs).toBe(SCRAPE);
    await w.wait(SCRAPE / 2);
    await w.reconcile(s); // half a scrape later: still the same window
    await w.wait(SCRAPE / 2);
    await w.reconcile(s);
    expect(checkCalls(w).map((c) => c.until)).toEqual([first, first, first + SCRAPE]);
    for (const c of checkCalls(w)) {
      expect(c.since).toBe(start);
      expect(c.earlyWindowMs).toBe(EARLY_WINDOW);
      expect(c.until - EARLY_WINDOW).toBeGreaterThanOrEqual(c.since);
    }
  });

  it('two canaries whose steps began at different times ask about the same window at the same moment', async () => {
    const s = failFast();
    const a = await firstStep(s, { offsetMs: 300, raw: true });
    const b = await firstStep(s, { offsetMs: 1_900, raw: true });
    const [sinceA, sinceB] = [a.clock.now(), b.clock.now()];
    expect(sinceA).not.toBe(sinceB);
    // Both clocks at the same moment, both steps old enough for a trailing window.
    const at = gridCeil(Math.max(sinceA, sinceB) + EARLY_WINDOW) + 500;
    for (const w of [a, b]) {
      w.checks = [ok()];
      await w.wait(at - w.clock.now());
      await w.reconcile(s);
    }
    const [ca, cb] = [checkCalls(a), checkCalls(b)];
    expect(ca).toHaveLength(1);
    expect(cb).toHaveLength(1);
    expect([ca[0]?.since, cb[0]?.since]).toEqual([sinceA, sinceB]);
    expect([cb[0]?.until, cb[0]?.earlyWindowMs]).toEqual([ca[0]?.until, ca[0]?.earlyWindowMs]);
    expect(ca[0]?.until).toBe(at - 500);
  });

  it('a window never begins before its step, wherever the step began on the scrape grid', async () => {
    const s = failFast();
    for (let offset = 0; offset < SCRAPE; offset += 250) {
      const w = await firstStep(s, { offsetMs: offset, raw: true });
      const since = w.clock.now();
      w.checks = [ok()];
      while (w.clock.now() + 250 < since + s.intervalMs) {
        await w.wait(250);
        await w.reconcile(s);
      }
      const calls = checkCalls(w);
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls) {
        expect(c.since).toBe(since);
        expect(c.until % SCRAPE).toBe(0);
        expect(c.until - (c.earlyWindowMs ?? Infinity)).toBeGreaterThanOrEqual(since);
      }
      expect(calls[0]?.until).toBe(gridCeil(since + EARLY_WINDOW));
    }
  });

  it('rolls back when the same check fails at two successive evaluations, before the interval ends', async () => {
    const s = failFast();
    const w = await firstStep(s, { offsetMs: 700 });
    const first = await scrape(w, s, [bad()]);
    const firstAt = w.clock.now();
    expect(first.plan.statusPatch).not.toBeNull(); // the first failure is recorded
    expect(w.status).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    expect(w.status?.failFast?.failed).toEqual(['success-rate']);
    expect(w.status?.failFast?.failedAt).toBe(new Date(checkCalls(w)[0]?.until ?? 0).toISOString());
    const second = await scrape(w, s, [bad()]);
    expect(w.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(condition(w.status, 'Ready')?.reason).toBe('FailFast');
    expect(second.plan.transition.message).toMatch(/fail-fast: success-rate failed at two/);
    expect(w.routes).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    expect(w.clock.now() - firstAt).toBe(SCRAPE);
    const since = checkCalls(w)[0]?.since ?? 0;
    // Detection: the first grid point with a trailing window in the step, then one scrape.
    expect(w.clock.now()).toBe(gridCeil(since + EARLY_WINDOW) + SCRAPE);
    expect(w.clock.now() - since).toBeLessThan(s.intervalMs);
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
    const w = await firstStep(s, { raw: true });
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
    const w = await firstStep(s, { raw: true });
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
    await w.wait(3_000);
    w.release('rev2');
    await w.reconcile(s);
    await w.reconcile(s);
    expect(w.status?.failFast).toBeUndefined();
    const since = w.clock.now();
    const due = gridCeil(
      since + EARLY_WINDOW_SCRAPES * FAIL_FAST_FALLBACK_MS,
      FAIL_FAST_FALLBACK_MS,
    );
    w.calls = [];
    w.checks = [bad()];
    await w.wait(due - 1 - since);
    const r = await w.reconcile(s);
    expect(w.called('runChecks')).toEqual([]);
    expect(r.plan.requeueAfterMs).toBe(1);
    await w.wait(1);
    await w.reconcile(s);
    expect(checkCalls(w).map((c) => [c.until, c.earlyWindowMs])).toEqual([
      [due, EARLY_WINDOW_SCRAPES * FAIL_FAST_FALLBACK_MS],
    ]);
    await w.wait(FAIL_FAST_FALLBACK_MS);
    await w.reconcile(s);
    expect(w.status?.phase).toBe('Failed');
    expect(w.clock.now() - since).toBeLessThan(MINUTE);
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
