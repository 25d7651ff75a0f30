// `status <name>`'s run history: one line per step (time, weight, each check's value and result),
// checks in the spec's order, then any other a step recorded; plain and coloured.
import { describe, expect, it } from '@jest/globals';
import type { RunRecord } from '../../../src/api/canary.js';
import { historyLines } from '../../../src/cli/render/history-view.js';
import { renderStatus } from '../../../src/cli/render/status-view.js';
import { summarize } from '../../../src/cli/render/summary.js';
import { canary, COLOR, CONTROL, NOW, PLAIN } from './fixtures.js';

const SPEC = ['success-rate', 'latency-p99', 'budget'];

const run: RunRecord = {
  revision: '5d8c7f0123456789',
  startedAt: '2026-11-24T12:05:00Z',
  steps: [
    { at: '2026-11-24T12:05:30Z', weight: 5 },
    {
      at: '2026-11-24T12:06:00Z',
      weight: 10,
      checks: [
        { metric: 'latency-p99', result: 'Successful', value: 212.456 },
        { metric: 'success-rate', result: 'Successful', value: 100 },
      ],
    },
    {
      at: '2026-11-24T12:06:30Z',
      weight: 10,
      checks: [
        { metric: 'success-rate', result: 'Successful', value: 99.73 },
        { metric: 'latency-p99', result: 'Failed', value: 612 },
        { metric: 'webhook/rollout', result: 'Error' },
      ],
    },
  ],
};

describe('historyLines', () => {
  it('prints one line per step with its time, weight and each check (plain)', () => {
    expect(historyLines(run, SPEC, PLAIN)).toEqual([
      '',
      'History  run of 5d8c7f01: in flight, started 12:05:00 (UTC)',
      '  TIME      WEIGHT  success-rate      latency-p99        webhook/rollout',
      '  12:05:30      5%  -                 -                  -',
      '  12:06:00     10%  100 Successful    212.46 Successful  -',
      '  12:06:30     10%  99.73 Successful  612 Failed         - Error',
    ]);
  });

  it('says how an ended run ended, and when a run has no step yet', () => {
    const ended: RunRecord = {
      ...run,
      endedAt: '2026-11-24T12:08:00Z',
      result: 'Failed',
      steps: [{ at: '2026-11-24T12:08:00Z', weight: 0 }],
    };
    expect(historyLines(ended, SPEC, PLAIN)).toEqual([
      '',
      'History  run of 5d8c7f01: Failed, started 12:05:00, ended 12:08:00 (UTC)',
      '  TIME      WEIGHT',
      '  12:08:00      0%',
    ]);
    expect(historyLines({ ...run, steps: [] }, SPEC, PLAIN)).toEqual([
      '',
      'History  run of 5d8c7f01: in flight, started 12:05:00 (UTC)',
      '  no step yet',
    ]);
    expect(historyLines(null, SPEC, PLAIN)).toEqual([]);
  });

  it('colours results only when colour is on, and prints no control character from the cluster', () => {
    const coloured = historyLines(run, SPEC, COLOR).join('\n');
    expect(coloured).toContain('\u001b[31mFailed\u001b[39m');
    expect(coloured).toContain('\u001b[32mSuccessful\u001b[39m');
    const hostile: RunRecord = {
      ...run,
      revision: 'abc\u001b[2Jdef',
      steps: [{ at: 'x', weight: 1, checks: [{ metric: 'a\u001b]0;x\u0007', result: 'Failed' }] }],
    };
    expect(historyLines(hostile, SPEC, PLAIN).join('\n')).not.toMatch(CONTROL);
  });
});

describe('status <name>', () => {
  it('shows the newest run of status.history between the metrics and the events', () => {
    const older: RunRecord = { ...run, revision: '0000000011', result: 'Succeeded' };
    const lines = renderStatus(summarize(canary({ history: [older, run] }), [], NOW), PLAIN, NOW);
    const at = lines.indexOf('History  run of 5d8c7f01: in flight, started 12:05:00 (UTC)');
    expect(at).toBeGreaterThan(lines.indexOf('Metrics'));
    expect(at).toBeLessThan(lines.indexOf('Events  none'));
    expect(lines.slice(at + 1, at + 5)).toEqual(historyLines(run, SPEC, PLAIN).slice(2));
    expect(lines.join('\n')).not.toContain('00000000');
  });
});
