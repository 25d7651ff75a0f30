import { describe, expect, it } from '@jest/globals';
import { diffMergePatch } from '../../../src/kube/merge-patch.js';
import { STORED_DEFAULTS } from '../../../src/api/defaults.js';
import { nextConditions } from '../../../src/machine/conditions.js';
import { machineInputFromStatus, statusFromRunState } from '../../../src/machine/resume.js';
import { engineSpecFrom } from '../../../src/machine/spec.js';
import { parseDuration } from '../../../src/time/duration.js';
import type { EngineStatus } from '../../../src/machine/types.js';
import { applyMergePatch } from './harness.js';

describe('resume point', () => {
  it('starts a fresh canary at Initializing with zeroed counters', () => {
    const s = machineInputFromStatus(undefined);
    expect(s).toMatchObject({
      phase: 'Initializing',
      canaryWeight: 0,
      failedChecks: 0,
      fresh: true,
      paused: false,
    });
  });

  it('round-trips every field it owns', () => {
    const status: EngineStatus = {
      observedGeneration: 4,
      phase: 'WaitingPromotion',
      phaseSince: '2026-06-01T10:00:00.000Z',
      canaryWeight: 50,
      stepIndex: 2,
      failedChecks: 1,
      iterations: 0,
      revision: 'b',
      lastPromotedRevision: 'a',
      trackedConfigs: { 'secret/s': 'x' },
      nextWindowStart: '2026-06-02T08:00:00.000Z',
      lastAnalysisAt: '2026-06-01T10:05:00.000Z',
      inconclusiveSince: '2026-06-01T10:04:00.000Z',
      heldSince: '2026-06-01T10:06:00.000Z',
      paused: true,
      targetScaledDown: true,
      operation: {
        request: 'pause:1',
        action: 'pause',
        result: 'Accepted',
        message: 'paused',
        handledAt: '2026-06-01T10:06:00.000Z',
      },
      lastAnalysis: [
        { metric: 'm', result: 'Successful', value: 1, at: '2026-06-01T10:05:00.000Z' },
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Paused',
          message: 'p',
          lastTransitionTime: '2026-06-01T10:06:00.000Z',
        },
      ],
    };
    expect(statusFromRunState(machineInputFromStatus(status))).toEqual(status);
  });

  it('repairs what it cannot read rather than trusting it', () => {
    const s = machineInputFromStatus({
      phase: 'Bogus' as EngineStatus['phase'] & string,
      canaryWeight: 250,
      failedChecks: -3,
      phaseSince: 'yesterday',
    });
    expect(s).toMatchObject({
      phase: 'Initializing',
      canaryWeight: 100,
      failedChecks: 0,
      phaseSince: null,
    });
  });
});

describe('status merge patch (diffMergePatch)', () => {
  it('is undefined when nothing changed', () => {
    expect(diffMergePatch({ a: 1, m: { x: '1' } }, { a: 1, m: { x: '1' } })).toBeUndefined();
  });

  it('sends changed fields, nulls removed ones, patches maps key by key, replaces arrays', () => {
    const before = { a: 1, gone: 'x', m: { keep: '1', drop: '2', change: '3' }, list: [1, 2] };
    const after = { a: 2, m: { keep: '1', change: '4', add: '5' }, list: [1], added: true };
    const patch = diffMergePatch(before, after);
    expect(patch).toEqual({
      a: 2,
      gone: null,
      m: { drop: null, change: '4', add: '5' },
      list: [1],
      added: true,
    });
    expect(applyMergePatch(before, patch)).toEqual(after);
  });
});

describe('conditions', () => {
  const base = { generation: 3, now: '2026-06-01T10:00:00.000Z', message: 'm' };
  it('keeps lastTransitionTime while a status holds and moves it on a flip', () => {
    const first = nextConditions([], {
      ...base,
      phase: 'Progressing',
      health: 'progressing',
      reason: 'Progressing',
    });
    const same = nextConditions(first, {
      ...base,
      now: '2026-06-01T11:00:00.000Z',
      phase: 'Progressing',
      health: 'progressing',
      reason: 'CheckFailed',
    });
    expect(same.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'CheckFailed',
      lastTransitionTime: base.now,
    });
    const flipped = nextConditions(same, {
      ...base,
      now: '2026-06-01T12:00:00.000Z',
      phase: 'Succeeded',
      health: 'settled',
      reason: 'Succeeded',
    });
    expect(flipped.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-06-01T12:00:00.000Z',
    });
    expect(flipped.find((c) => c.type === 'Promoted')).toMatchObject({
      status: 'True',
      observedGeneration: 3,
    });
  });

  it.each([
    ['Initializing', 'progressing', 'True'],
    ['Waiting', 'progressing', 'True'],
    ['Progressing', 'progressing', 'True'],
    ['WaitingPromotion', 'progressing', 'True'],
    ['Promoting', 'progressing', 'True'],
    ['Finalising', 'progressing', 'True'],
    ['Initialized', 'settled', 'False'],
    ['Succeeded', 'settled', 'False'],
    ['Failed', 'stalled', 'False'],
    // e.g. TargetNotFound mid-run: kstatus would read Reconciling=True as InProgress, not Failed
    ['Progressing', 'stalled', 'False'],
  ] as const)('Reconciling for %s (%s) is %s, with the phase as reason', (phase, health, want) => {
    const out = nextConditions([], { ...base, phase, health, reason: 'Why' });
    expect(out.find((c) => c.type === 'Reconciling')).toEqual({
      type: 'Reconciling',
      status: want,
      reason: phase,
      message: 'm',
      lastTransitionTime: base.now,
      observedGeneration: 3,
    });
    if (want === 'True') expect(out.find((c) => c.type === 'Stalled')?.status).toBe('False');
  });

  it('leaves conditions written by others alone', () => {
    const other = {
      type: 'argocd.argoproj.io/Healthy',
      status: 'True' as const,
      reason: 'x',
      message: '',
      lastTransitionTime: base.now,
    };
    const out = nextConditions([other], {
      ...base,
      phase: 'Failed',
      health: 'stalled',
      reason: 'Failed',
    });
    expect(out).toContainEqual(other);
    expect(out.find((c) => c.type === 'Stalled')?.status).toBe('True');
  });
});

describe('engine spec', () => {
  it.each([
    ['30s', 30_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['500ms', 500],
    ['1m', 60_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 's', '1d', '-1s', '1m ', 'abc'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('applies the stored defaults and converts durations', () => {
    const r = engineSpecFrom({
      targetRef: { name: 'podinfo' },
      service: { port: 9898 },
      analysis: { stepWeights: [5, 50] },
    });
    expect(r).toEqual({
      ok: true,
      spec: {
        targetName: 'podinfo',
        intervalMs: 60_000,
        threshold: STORED_DEFAULTS.analysis.threshold,
        errorLimit: 5,
        checks: { metrics: 0, gateHooks: 0 },
        windowMs: 0,
        noDataPasses: false,
        minRequests: 0,
        failFast: true,
        progression: {
          stepWeight: undefined,
          maxWeight: undefined,
          stepWeights: [5, 50],
          iterations: undefined,
          match: false,
        },
        stepWeightPromotion: 0,
        progressDeadlineMs: 600_000,
        skipAnalysis: false,
        suspend: false,
        revertOnDeletion: true,
        schedule: undefined,
      },
    });
  });

  it('rejects an interval below one second', () => {
    const r = engineSpecFrom({
      targetRef: { name: 'p' },
      service: { port: 1 },
      analysis: { interval: '500ms', stepWeight: 10 },
    });
    expect(r.ok).toBe(false);
  });
});
