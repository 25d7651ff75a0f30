// status.history: each step of a run is recorded in the step's own status write (no extra write),
// bounded to the current and last run and to the newest steps of each.
import { describe, expect, it } from '@jest/globals';
import type { MeasurementRecord, RunRecord } from '../../../src/api/canary.js';
import type { StatusPatch } from '../../../src/machine/types.js';
import {
  HISTORY_CHECKS,
  HISTORY_STEPS,
  recordStep,
  startRunHistory,
} from '../../../src/machine/history.js';
import { World, bad, ok, spec } from './harness.js';

const SPEC = spec({
  progression: { stepWeights: [10, 20, 30] },
  intervalMs: 5_000,
  windowMs: 10_000,
  threshold: 1,
});

/** Reconciles until the status changes (or `max` steps), waiting each requeue out. */
async function stepUntil(w: World, done: () => boolean, max = 8): Promise<void> {
  for (let i = 0; i < max && !done(); i++) {
    const r = await w.reconcile(SPEC);
    await w.wait(r.plan.requeueAfterMs ?? SPEC.intervalMs);
  }
}

const statusWrites = (w: World): StatusPatch[] =>
  w
    .called('persistStatus')
    .map((c) => c.input as StatusPatch)
    .filter((p) => Object.keys(p).length > 0);

describe('status.history', () => {
  it('records each step of a promoted run, with the checks, in the step’s own status write', async () => {
    const w = await World.initialized(SPEC);
    w.checks = [ok('success-rate', 99.5), ok('latency', 120)];
    w.release('rev2');
    w.calls = [];
    await w.reconcile(SPEC);
    expect(w.status?.history).toEqual([
      { revision: 'rev2', startedAt: expect.any(String), steps: [] },
    ]);
    await stepUntil(w, () => w.status?.phase === 'Succeeded', 30);
    expect(w.status?.phase).toBe('Succeeded');
    const run = w.status?.history?.[0];
    expect(run).toMatchObject({ revision: 'rev2', result: 'Succeeded' });
    expect(run?.endedAt).toBe(run?.steps.at(-1)?.at);
    // 0 -> 10 (first tick, nothing measured), measured at 10 -> 20, at 20 -> 30, at 30 -> promote
    // (weight stays), Finalising (weight 0), Succeeded (the end).
    expect(run?.steps.map((s) => s.weight)).toEqual([10, 20, 30, 30, 0, 0]);
    expect(run?.steps[0]?.checks).toBeUndefined();
    expect(run?.steps[1]?.checks).toEqual([
      { metric: 'success-rate', result: 'Successful', value: 99.5 },
      { metric: 'latency', result: 'Successful', value: 120 },
    ]);
    // Every status write of the run that recorded a step also changed another field: the
    // history adds no write of its own.
    for (const patch of statusWrites(w)) {
      if (patch['history'] === undefined) continue;
      expect(Object.keys(patch).filter((k) => k !== 'history' && k !== 'conditions')).not.toEqual(
        [],
      );
    }
  });

  it('ends a rolled-back run Failed at weight 0 and keeps it as the last run of the next one', async () => {
    const w = await World.initialized(SPEC);
    w.checks = [bad('success-rate', 80)];
    w.release('rev2');
    await stepUntil(w, () => w.status?.phase === 'Failed', 20);
    expect(w.status?.history?.[0]).toMatchObject({ revision: 'rev2', result: 'Failed' });
    expect(w.status?.history?.[0]?.steps.at(-1)).toMatchObject({
      weight: 0,
      checks: [{ metric: 'success-rate', result: 'Failed', value: 80 }],
    });

    w.checks = [ok()];
    w.release('rev3');
    await w.reconcile(SPEC);
    expect(w.status?.history?.map((r) => [r.revision, r.result ?? null])).toEqual([
      ['rev2', 'Failed'],
      ['rev3', null],
    ]);
    w.release('rev4');
    await stepUntil(w, () => w.status?.revision === 'rev4' && (w.status.canaryWeight ?? 0) > 0, 10);
    expect(w.status?.history?.map((r) => r.revision)).toEqual(['rev3', 'rev4']);
  });
});

describe('recordStep bounds', () => {
  const at = Date.UTC(2026, 5, 1);
  const measured = (n: number): MeasurementRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      metric: `m${i}`,
      result: 'Successful',
      value: i,
      message: 'long text that the history leaves out',
      at: new Date(at).toISOString(),
    }));

  it(`keeps the newest ${HISTORY_STEPS} steps and ${HISTORY_CHECKS} checks per step`, () => {
    let h: readonly RunRecord[] = startRunHistory([], 'rev', at);
    for (let i = 0; i < HISTORY_STEPS + 5; i++) {
      h = recordStep(h, {
        before: { phase: 'Progressing', canaryWeight: i % 100 },
        after: { phase: 'Progressing', canaryWeight: (i + 1) % 100 },
        measured: measured(40),
        now: at + i * 1000,
      });
    }
    const steps = h[0]?.steps ?? [];
    expect(steps).toHaveLength(HISTORY_STEPS);
    expect(steps[0]?.weight).toBe(6);
    expect(steps[0]?.checks).toHaveLength(HISTORY_CHECKS);
    expect(steps[0]?.checks?.[0]).toEqual({ metric: 'm0', result: 'Successful', value: 0 });
  });

  it('leaves the history alone for a step that measured nothing and moved nothing', () => {
    const h = startRunHistory([], 'rev', at);
    const same = { phase: 'Progressing', canaryWeight: 10 } as const;
    expect(recordStep(h, { before: same, after: same, measured: null, now: at })).toBe(h);
  });

  it('never writes to a run that has ended', () => {
    const ended: RunRecord[] = [
      { revision: 'r', startedAt: 'x', endedAt: 'y', result: 'Failed', steps: [] },
    ];
    const change = {
      before: { phase: 'Failed', canaryWeight: 0 },
      after: { phase: 'Failed', canaryWeight: 10 },
      measured: null,
      now: at,
    } as const;
    expect(recordStep(ended, change)).toBe(ended);
  });
});
