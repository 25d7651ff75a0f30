// The facts `status` prints: metrics joined with thresholds, steps from the spec, time in phase,
// the last events.
import { describe, expect, it } from '@jest/globals';
import { summarize, type CanaryEvent } from '../../../src/cli/render/summary.js';
import { canary, NOW } from './fixtures.js';

const event = (reason: string, lastSeen: string | null): CanaryEvent => ({
  type: 'Normal',
  reason,
  message: reason,
  count: 1,
  lastSeen,
});

describe('summarize', () => {
  it('joins each spec metric with its last measurement and threshold', () => {
    const s = summarize(canary(), [], NOW);
    expect(s.metrics).toEqual([
      {
        name: 'success-rate',
        value: 99.734,
        min: 99,
        max: null,
        compare: null,
        result: 'Successful',
        message: null,
        at: '2026-11-24T12:09:30Z',
      },
      {
        name: 'latency-p99',
        value: 612,
        min: null,
        max: 500,
        compare: null,
        result: 'Failed',
        message: '612 > 500',
        at: '2026-11-24T12:09:30Z',
      },
      // Declared but not measured yet in this run.
      {
        name: 'budget',
        value: null,
        min: 1,
        max: 2,
        compare: null,
        result: 'Pending',
        message: null,
        at: null,
      },
      // Recorded results that are not spec metrics (a refusing rollout webhook) are shown too.
      {
        name: 'webhook/rollout',
        value: null,
        min: null,
        max: null,
        compare: null,
        result: 'Failed',
        message: 'HTTP 503',
        at: '2026-11-24T12:09:30Z',
      },
    ]);
  });

  it('resolves the steps, counters, time in phase and the Ready message', () => {
    const s = summarize(canary(), [], NOW);
    expect(s).toMatchObject({
      namespace: 'test',
      name: 'podinfo',
      phase: 'Progressing',
      inPhaseSeconds: 133,
      canaryWeight: 10,
      strategy: { kind: 'canary', weights: [5, 10, 25, 50] },
      failedChecks: 1,
      threshold: 5,
      reason: 'CheckFailed',
      message: 'failed check 1/5: latency-p99 612 > 500',
      generation: 3,
      observedGeneration: 3,
      paused: false,
      suspended: false,
    });
  });

  it('uses the stored default threshold and Pending for a Canary without status', () => {
    const c = canary();
    delete c.status;
    if (c.spec.analysis) delete c.spec.analysis.threshold;
    const s = summarize(c, [], NOW);
    expect(s).toMatchObject({
      phase: 'Pending',
      threshold: 5,
      canaryWeight: 0,
      inPhaseSeconds: null,
      message: null,
    });
  });

  it('keeps the eight most recent events, oldest first', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      event(`E${i}`, `2026-11-24T12:0${i}:00Z`),
    ).reverse();
    const s = summarize(canary(), [event('undated', null), ...events], NOW);
    expect(s.events.map((e) => e.reason)).toEqual(['E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9']);
  });
});
