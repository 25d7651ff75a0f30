// The detailed view and the list/one-line forms, plain and coloured.
import { describe, expect, it } from '@jest/globals';
import { renderList, summaryLine } from '../../../src/cli/render/list-view.js';
import { renderStatus } from '../../../src/cli/render/status-view.js';
import { summarize, type CanaryEvent } from '../../../src/cli/render/summary.js';
import { canary, COLOR, CONTROL, NOW, PLAIN } from './fixtures.js';

const events: CanaryEvent[] = [
  {
    type: 'Normal',
    reason: 'Advanced',
    message: 'canary weight 10',
    count: 1,
    lastSeen: '2026-11-24T12:07:47Z',
  },
  {
    type: 'Warning',
    reason: 'CheckFailed',
    message: 'latency-p99 612 > 500',
    count: 3,
    lastSeen: '2026-11-24T12:09:30Z',
  },
];

describe('renderStatus', () => {
  it('shows phase, time in phase, progress, checks, metrics against thresholds and events (plain)', () => {
    expect(renderStatus(summarize(canary(), events, NOW), PLAIN, NOW)).toEqual([
      'Canary     test/podinfo',
      'Phase      Progressing for 2m13s',
      'Status     CheckFailed: failed check 1/5: latency-p99 612 > 500',
      'Revision   5d8c7f01 (promoted: 91ab02cd)',
      'Progress   [######------------------------] 10% of 50%, step 2/4 (5 [10] 25 50)',
      'Checks     1/5 failed checks',
      '',
      'Metrics',
      '  METRIC           VALUE  THRESHOLD  RESULT      NOTE',
      '  success-rate     99.73  >= 99      Successful',
      '  latency-p99        612  <= 500     Failed      612 > 500',
      '  budget               -  1..2       Pending',
      '  webhook/rollout      -  -          Failed      HTTP 503',
      '',
      'Events',
      '    AGE  TYPE     REASON       MESSAGE',
      '  2m13s  Normal   Advanced     canary weight 10',
      '    30s  Warning  CheckFailed  latency-p99 612 > 500 (x3)',
    ]);
  });

  it('shows an A/B release: its match and the matching requests on the canary', () => {
    const base = canary({ canaryWeight: 100, iterations: 2 });
    const ab = {
      ...base,
      spec: {
        ...base.spec,
        analysis: {
          interval: '30s',
          iterations: 5,
          match: [
            { headers: { 'x-canary': { exact: 'insider' } } },
            {
              headers: { cookie: { regex: '^(.*;\\s*)?insider=1(;.*)?$' } },
              methods: ['GET' as const],
            },
            { headers: { 'user-agent': { prefix: 'curl/' } }, pathRegex: '/api/.*' },
          ],
        },
      },
    };
    const lines = renderStatus(summarize(ab, [], NOW), { ...PLAIN, width: 200 }, NOW);
    expect(lines).toContain(
      'Match      x-canary = "insider" or cookie ~ "^(.*;\\\\s*)?insider=1(;.*)?$" and method GET or user-agent starts with "curl/" and path ~ "/api/.*"',
    );
    expect(lines).toContain(
      'Progress   [############------------------] iteration 2/5, 100% of matching requests on the canary',
    );
    expect(renderStatus(summarize(canary(), [], NOW), PLAIN, NOW).join('\n')).not.toContain(
      'Match',
    );
  });

  it('shows a compare check against the primary and its whole verdict', () => {
    const verdict =
      'canary n=10 median 50.1, primary n=10 median 40.2; shift +9.9 (98% CI +9.1 to +10.7), ' +
      'p 1.8e-4, mean ratio 1.25; Failed: p 1.8e-4 < 0.02, increase beyond tolerance ±4.02 (0.1 × 40.2)';
    const c = canary({
      lastAnalysis: [
        {
          metric: 'latency-vs-primary',
          result: 'Failed',
          value: 50.1,
          message: verdict,
          at: '2026-11-24T12:09:30Z',
          compare: {
            canary: { samples: 10, median: 50.1 },
            primary: { samples: 10, median: 40.2 },
          },
        },
      ],
    });
    c.spec.analysis = {
      ...c.spec.analysis,
      metrics: [
        {
          name: 'latency-vs-primary',
          prometheus: { query: 'x' },
          compare: { direction: 'increase' },
        },
      ],
    };
    const lines = renderStatus(summarize(c, [], NOW), PLAIN, NOW);
    const at = lines.indexOf('Metrics');
    expect(lines.slice(at, at + 6)).toEqual([
      'Metrics',
      '  METRIC              VALUE  THRESHOLD              RESULT  NOTE',
      `  latency-vs-primary   50.1  vs primary (increase)  Failed  ${verdict.slice(0, 57)}...`,
      '',
      'Compared with the primary',
      `  latency-vs-primary: ${verdict}`,
    ]);
  });

  it('names the baseline as the control side when the Canary runs one', () => {
    const c = canary({
      lastAnalysis: [
        {
          metric: 'latency',
          result: 'Successful',
          value: 40.1,
          message: 'canary n=10 median 40.1, baseline n=10 median 40.2; Successful',
          at: '2026-11-24T12:09:30Z',
        },
      ],
    });
    c.spec.analysis = {
      ...c.spec.analysis,
      baseline: true,
      metrics: [
        { name: 'latency', prometheus: { query: 'x' }, compare: { direction: 'increase' } },
      ],
    };
    const lines = renderStatus(summarize(c, [], NOW), PLAIN, NOW);
    expect(lines.some((l) => l.includes('vs baseline (increase)'))).toBe(true);
    expect(lines).toContain('Compared with the baseline');
    expect(lines).not.toContain('Compared with the primary');
  });

  it('colours phase and results only when colour is on', () => {
    const coloured = renderStatus(summarize(canary(), events, NOW), COLOR, NOW).join('\n');
    expect(coloured).toContain('\u001b[36mProgressing\u001b[39m');
    expect(coloured).toContain('\u001b[31mFailed\u001b[39m');
    expect(coloured).toContain('\u001b[32mSuccessful\u001b[39m');
  });

  it('never prints control characters from the cluster in plain output', () => {
    const hostile = canary({
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'X',
          message: 'a\u001b[2Jb\r\nc',
          lastTransitionTime: '2026-11-24T12:00:00Z',
        },
      ],
    });
    const bad: CanaryEvent[] = [
      {
        type: 'Warning',
        reason: 'R\u0007',
        message: '\u001b]0;title\u0007x',
        count: 1,
        lastSeen: null,
      },
    ];
    for (const line of renderStatus(summarize(hostile, bad, NOW), PLAIN, NOW))
      expect(line).not.toMatch(CONTROL);
  });

  it('notes a stale status, a pause, suspend and the last operation', () => {
    const c = canary({
      observedGeneration: 2,
      paused: true,
      operation: {
        request: 'pause:t1',
        action: 'pause',
        result: 'Accepted',
        message: 'paused',
        handledAt: '2026-11-24T12:09:00Z',
      },
    });
    c.spec.suspend = true;
    const lines = renderStatus(summarize(c, [], NOW), PLAIN, NOW);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Suspended  spec.suspend is true: the controller changes nothing',
        'Paused     by an operator; run `weightlifter resume podinfo`',
        'Stale      generation 3 not observed yet (status is from 2)',
        'Operation  pause:t1 Accepted: paused (1m ago)',
        'Events  none',
      ]),
    );
  });
});

describe('the route line', () => {
  const routeLine = (routes: Parameters<typeof summarize>[4]) =>
    renderStatus(summarize(canary(), [], NOW, null, routes), PLAIN, NOW).filter((l) =>
      l.startsWith('Route'),
    );

  it('names the route kind and object after the revision', () => {
    const lines = renderStatus(
      summarize(canary(), [], NOW, null, {
        objects: [{ kind: 'HTTPRoute', name: 'podinfo' }],
        error: null,
      }),
      PLAIN,
      NOW,
    );
    expect(lines.slice(3, 5)).toEqual([
      'Revision   5d8c7f01 (promoted: 91ab02cd)',
      'Route      HTTPRoute/podinfo',
    ]);
    expect(routeLine({ objects: [{ kind: 'TrafficSplit', name: 'web' }], error: null })).toEqual([
      'Route      TrafficSplit/web',
    ]);
  });

  it('names both objects while a Canary moves between providers, and says when there is none', () => {
    expect(
      routeLine({
        objects: [
          { kind: 'TrafficSplit', name: 'podinfo' },
          { kind: 'HTTPRoute', name: 'podinfo' },
        ],
        error: null,
      }),
    ).toEqual(['Route      TrafficSplit/podinfo, HTTPRoute/podinfo']);
    expect(routeLine({ objects: [], error: null })).toEqual(['Route      none']);
  });

  it('says why the route could not be read, and prints no line when it was not looked up', () => {
    expect(routeLine({ objects: [], error: 'httproutes is forbidden' })).toEqual([
      'Route      unavailable: httproutes is forbidden',
    ]);
    expect(routeLine(null)).toEqual([]);
  });
});

describe('list and one-line forms', () => {
  it('lists canaries in a table, with a namespace column for -A', () => {
    const s = summarize(canary(), [], NOW);
    expect(renderList([s], PLAIN, true)).toEqual([
      'NAMESPACE  NAME     PHASE        WEIGHT            STEP  FAILED  IN PHASE  MESSAGE',
      'test       podinfo  Progressing  [##--------] 10%  2/4   1/5     2m13s     failed check 1/5: latency-p99 612 > 500',
    ]);
    expect(renderList([], PLAIN, false)).toEqual(['No canaries found.']);
  });

  it('prints one line without ticking values, so it changes only when the canary does', () => {
    const a = summaryLine(summarize(canary(), [], NOW));
    expect(a).toBe(
      'test/podinfo phase=Progressing weight=10% step=2/4 failed=1/5 success-rate=99.73(Successful) latency-p99=612(Failed) webhook/rollout=-(Failed) - failed check 1/5: latency-p99 612 > 500',
    );
    expect(summaryLine(summarize(canary(), [], NOW + 60_000))).toBe(a);
    expect(summaryLine(summarize(canary({ canaryWeight: 25 }), [], NOW))).not.toBe(a);
  });
});
