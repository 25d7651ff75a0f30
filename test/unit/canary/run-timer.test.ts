import { describe, expect, it } from '@jest/globals';
import { RunTimer } from '../../../src/canary/run-timer.js';

describe('RunTimer', () => {
  it('measures a run from leaving a settled phase to Succeeded or Failed', () => {
    const t = new RunTimer();
    expect(t.transition('ns/a', 'Succeeded', 'Progressing', 1_000)).toBeUndefined();
    expect(t.transition('ns/a', 'Progressing', 'Progressing', 5_000)).toBeUndefined();
    expect(t.transition('ns/a', 'Progressing', 'Promoting', 9_000)).toBeUndefined();
    expect(t.transition('ns/a', 'Finalising', 'Succeeded', 31_000)).toEqual({
      result: 'succeeded',
      seconds: 30,
    });
    expect(t.transition('ns/b', 'Initialized', 'Progressing', 0)).toBeUndefined();
    expect(t.transition('ns/b', 'Progressing', 'Failed', 2_500)).toEqual({
      result: 'failed',
      seconds: 2.5,
    });
  });

  it('does not guess the start of a run it did not see begin (a restart)', () => {
    const t = new RunTimer();
    expect(t.transition('ns/a', 'Progressing', 'Failed', 10_000)).toBeUndefined();
    t.transition('ns/b', 'Waiting', 'Progressing', 0);
    t.forget('ns/b');
    expect(t.transition('ns/b', 'Progressing', 'Succeeded', 1_000)).toBeUndefined();
  });
});
