import { describe, expect, it } from '@jest/globals';
import { elapsedLabel, frameOf, narrate } from '../../../dev/demo/narrator.js';
import { COLOR, CONTROL, PLAIN, T0, analysed, at, demoCanary } from './fixtures.js';

describe('narrate', () => {
  it('says nothing before the controller has written a status', () => {
    expect(narrate(undefined, demoCanary(), PLAIN, T0, T0)).toEqual([]);
  });

  it('prints the analysis that landed, then the weight it moved to, with time since the release', () => {
    const before = frameOf(demoCanary(analysed(5, 100, 9.95)));
    const now = demoCanary(analysed(10, 100, 9.95, { canaryWeight: 25 }));
    expect(narrate(before, now, PLAIN, T0 + 12_000, T0)).toEqual([
      '  +12s   analysis          success-rate 100 (>= 99) Successful | latency-p99 9.95 (<= 100) Successful | failed checks 0/2',
      '  +12s   Progressing       [##########----------] 25% of 50%, step 2/3 (10 [25] 50)',
    ]);
  });

  it('prints a failed check without repeating an unchanged weight', () => {
    const before = frameOf(demoCanary(analysed(5, 100, 9.95)));
    const now = demoCanary(analysed(10, 72.5, 9.95, { failedChecks: 1 }));
    const lines = narrate(before, now, PLAIN, T0 + 10_000, T0);
    expect(lines).toEqual([
      '  +10s   analysis          success-rate 72.5 (>= 99) Failed | latency-p99 9.95 (<= 100) Successful | failed checks 1/2',
    ]);
  });

  it('prints a fail-fast evaluation within a step (newer records, same lastAnalysisAt) as such', () => {
    const before = frameOf(demoCanary(analysed(5, 100, 9.95)));
    const early = analysed(7, 70, 9.95, { lastAnalysisAt: at(5) });
    const now = demoCanary(early);
    expect(frameOf(now).analysisAt).toBe(at(7));
    expect(narrate(before, now, PLAIN, T0 + 7_000, T0)).toEqual([
      '  +7s    fail-fast         success-rate 70 (>= 99) Failed | latency-p99 9.95 (<= 100) Successful | failed checks 0/2',
    ]);
  });

  it('prints nothing when a read brings no news', () => {
    const c = demoCanary(analysed(5, 100, 9.95));
    expect(narrate(frameOf(c), c, PLAIN, T0 + 6_000, T0)).toEqual([]);
  });

  it("gives a phase change without weight the controller's sentence", () => {
    const c = demoCanary({
      phase: 'Failed',
      canaryWeight: 0,
      failedChecks: 2,
      revision: 'rev-3',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Failed',
          message: 'rolled back revision rev-3',
          lastTransitionTime: at(11),
        },
      ],
    });
    const before = frameOf(demoCanary(analysed(5, 72.5, 9.95, { failedChecks: 1 })));
    expect(narrate(before, c, PLAIN, T0 + 61_000, T0)).toEqual([
      '  +1m1s  Failed            rolled back revision rev-3',
    ]);
  });

  it('colours only with a colour style, and strips control characters from cluster text', () => {
    const evil = demoCanary({
      phase: 'Initializing',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Waiting',
          message: 'primary \u001b[2Jnot ready',
          lastTransitionTime: at(1),
        },
      ],
    });
    const plain = narrate(undefined, evil, PLAIN, T0, T0);
    expect(plain.join('\n')).not.toMatch(CONTROL);
    expect(plain.join('\n')).not.toContain('\u001b');
    expect(narrate(undefined, evil, COLOR, T0, T0).join('\n')).toContain('\u001b[36mInitializing');
    const done = demoCanary({ phase: 'Succeeded', revision: 'r2', lastPromotedRevision: 'r2' });
    expect(narrate(undefined, done, COLOR, T0, T0)).toEqual([
      '  +0s    \u001b[32mSucceeded\u001b[39m',
    ]);
  });
});

describe('elapsedLabel', () => {
  it.each([
    [0, '+0s    '],
    [59_999, '+59s   '],
    [72_000, '+1m12s '],
  ])('%d ms -> %j', (ms, label) => {
    expect(elapsedLabel(ms)).toBe(label);
  });
});
