import { describe, expect, it } from '@jest/globals';
import {
  NO_IDLE_SCALE_HISTORY,
  decideIdleScale,
  type IdleScaleHistory,
  type IdleScaleInput,
} from '../../../src/workload/gitops-scale.js';

const base: IdleScaleInput = {
  phase: 'Succeeded',
  canaryWeight: 0,
  targetReplicas: 2,
  targetRevision: 'r1',
  lastPromotedRevision: 'r1',
  lastSeenRevision: 'r1',
  primaryReplicas: 2,
  history: NO_IDLE_SCALE_HISTORY,
  now: 1_000_000,
};
const policy = { maxAttempts: 3, baseDelayMs: 60_000, factor: 2 };
const decide = (over: Partial<IdleScaleInput>) => decideIdleScale({ ...base, ...over }, policy);

describe('decideIdleScale', () => {
  it.each([
    ['a run is active', { phase: 'Progressing' as const }],
    ['promotion is running', { phase: 'Promoting' as const }],
    ['the target carries traffic', { canaryWeight: 100 }],
    ['the target is already at 0', { targetReplicas: 0 }],
    ['the revision is new (the engine starts a run)', { targetRevision: 'r2' }],
    ['the Canary was never initialized', { phase: undefined }],
    ['we already gave up', { history: { attempts: 3, gaveUp: true } }],
  ])('does nothing when %s', (_what, over) => {
    expect(decide(over)).toEqual({ kind: 'none' });
  });

  it('scales an idle target at the promoted revision to 0, the first time quietly', () => {
    expect(decide({})).toEqual({
      kind: 'scaleToZero',
      history: { attempts: 1, lastAttemptAt: 1_000_000 },
      event: { type: 'Normal', reason: 'TargetScaledDown', message: expect.any(String) as unknown },
    });
  });

  it('also handles a Failed revision (known, not new) re-scaled by GitOps', () => {
    expect(decide({ phase: 'Failed', targetRevision: 'bad', lastSeenRevision: 'bad' }).kind).toBe(
      'scaleToZero',
    );
  });

  it('waits with growing pauses between repeated attempts', () => {
    const h1: IdleScaleHistory = { attempts: 1, lastAttemptAt: 1_000_000 };
    expect(decide({ history: h1, now: 1_010_000 })).toEqual({ kind: 'wait', retryAfterMs: 50_000 });
    const second = decide({ history: h1, now: 1_060_000 });
    expect(second).toMatchObject({
      kind: 'scaleToZero',
      history: { attempts: 2, lastAttemptAt: 1_060_000 },
      event: { type: 'Warning', message: expect.stringMatching(/ignoreDifferences/) as unknown },
    });
    const h2: IdleScaleHistory = { attempts: 2, lastAttemptAt: 1_060_000 };
    expect(decide({ history: h2, now: 1_100_000 })).toEqual({ kind: 'wait', retryAfterMs: 80_000 });
  });

  it('gives up after maxAttempts with a condition instead of fighting on', () => {
    const out = decide({ history: { attempts: 3, lastAttemptAt: 0 } });
    expect(out).toMatchObject({
      kind: 'giveUp',
      history: { attempts: 3, gaveUp: true },
      event: { type: 'Warning', reason: 'ScaleContested' },
      condition: { type: 'TargetScaledDown', status: 'False', reason: 'ScaleContested' },
    });
  });

  it('reports a replica count from Git that differs from the primary', () => {
    expect(decide({ targetReplicas: 5 })).toMatchObject({
      kind: 'scaleToZero',
      primaryReplicas: 5,
    });
  });
});
