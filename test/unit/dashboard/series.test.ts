// The dashboard's series service against an in-memory RangeQuery: the queries it asks (the
// controller's PromQL, for the canary and the primary), the bounded range and step, the figures
// it computes, the cache per run state, and errors as data.
import { describe, expect, it } from '@jest/globals';
import type { Canary, RunRecord } from '../../../src/api/canary.js';
import type { RangeQuery, RangeSeries } from '../../../src/dashboard/prometheus-range.js';
import {
  MAX_POINTS,
  MAX_RANGE_S,
  SeriesService,
  rangeOf,
  type TemplateReader,
} from '../../../src/dashboard/series.js';
import { MESH_QUERIES } from '../../../src/metrics/mesh-queries.js';
import { canary } from '../cli/fixtures.js';

const START = Date.parse('2026-11-24T12:00:00Z');
const S = START / 1000;

interface Asked {
  readonly query: string;
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/** Answers by the first matching substring of the query; records every question. */
class FakeRange implements RangeQuery {
  readonly asked: Asked[] = [];
  constructor(private readonly answers: readonly [string, RangeSeries[] | Error][]) {}
  range(query: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
    this.asked.push({ query, start, end, step });
    const hit = this.answers.find(([k]) => query.includes(k))?.[1] ?? [];
    return hit instanceof Error ? Promise.reject(hit) : Promise.resolve(hit);
  }
}

function run(steps: number, ended = false): RunRecord {
  return {
    revision: 'rev-2',
    startedAt: new Date(START).toISOString(),
    ...(ended ? { endedAt: new Date(START + 60_000).toISOString(), result: 'Succeeded' } : {}),
    steps: Array.from({ length: steps }, (_, i) => ({
      at: new Date(START + (i + 1) * 10_000).toISOString(),
      weight: 10 * (i + 1),
    })),
  };
}

function withRun(
  r: RunRecord,
  metrics?: NonNullable<Canary['spec']['analysis']>['metrics'],
): Canary {
  const c = canary({ history: [r] });
  return metrics === undefined
    ? c
    : { ...c, spec: { ...c.spec, analysis: { ...c.spec.analysis, metrics } } };
}

const counts = (deployment: string, classification: string, values: number[]): RangeSeries => ({
  labels: { deployment, classification },
  points: values.map((v, i) => [S + i, v] as const),
});

const noTemplates: TemplateReader = () => Promise.reject(new Error('no templates here'));

function service(prometheus: RangeQuery, now = START + 5_000, readTemplate = noTemplates) {
  return new SeriesService({
    prometheus,
    mesh: MESH_QUERIES.linkerd,
    readTemplate,
    now: () => now,
  });
}

describe('rangeOf', () => {
  it.each([
    ['an ended run: start to end, 1s steps', run(3, true), START + 999_999, [S, S + 60, 1]],
    ['a run in flight: start to now', run(1), START + 5_500, [S, S + 6, 1]],
    [
      'a long run: the last MAX_RANGE_S, at most MAX_POINTS points',
      run(1),
      START + 10 * 3600_000,
      [S + 10 * 3600 - MAX_RANGE_S, S + 10 * 3600, Math.ceil(MAX_RANGE_S / (MAX_POINTS - 1))],
    ],
  ])('%s', (_what, r, now, [start, end, step]) => {
    expect(rangeOf(r, now)).toEqual({ start, end, step });
    const w = rangeOf(r, now);
    expect(Math.floor((w.end - w.start) / w.step) + 1).toBeLessThanOrEqual(MAX_POINTS);
  });
});

describe('SeriesService', () => {
  it("asks the mesh's query once for both Deployments and computes each one's success rate", async () => {
    const fake = new FakeRange([
      [
        'response_total',
        [
          counts('podinfo', 'success', [99, 100, 0]),
          counts('podinfo', 'failure', [1, 0, 0]),
          counts('podinfo-primary', 'success', [400, 400, 400]),
        ],
      ],
    ]);
    const c = withRun(run(1), [
      { name: 'rate', trafficMetrics: { metric: 'success-rate' }, thresholdRange: { min: 99 } },
    ]);
    const answer = await service(fake, START + 5_000).series(c);
    expect(fake.asked).toHaveLength(1);
    expect(fake.asked[0]?.query).toContain('deployment=~"(?:podinfo|podinfo-primary)"');
    expect(fake.asked[0]?.query).toContain('[30s]');
    expect(answer?.targets).toEqual({ canary: 'podinfo', primary: 'podinfo-primary' });
    expect(answer?.range).toEqual({ start: S, end: S + 5, step: 1 });
    const check = answer?.checks[0];
    expect(check?.t).toEqual([S, S + 1, S + 2, S + 3, S + 4, S + 5]);
    // 0 requests: no success rate (as the check itself says noData), so no point.
    expect(check?.canary).toEqual([99, 100, null, null, null, null]);
    expect(check?.primary).toEqual([100, 100, 100, null, null, null]);
    expect(check?.error).toBeUndefined();
  });

  it("uses --mesh's queries and labels (istio: 5xx are failures)", async () => {
    const fake = new FakeRange([
      [
        'istio_requests_total',
        [
          { labels: { destination_workload: 'podinfo', response_code: '200' }, points: [[S, 9]] },
          { labels: { destination_workload: 'podinfo', response_code: '503' }, points: [[S, 1]] },
          {
            labels: { destination_workload: 'podinfo-primary', response_code: '404' },
            points: [[S, 5]],
          },
        ],
      ],
    ]);
    const c = withRun(run(1), [
      { name: 'rate', trafficMetrics: { metric: 'success-rate' }, thresholdRange: {} },
    ]);
    const s = new SeriesService({
      prometheus: fake,
      mesh: MESH_QUERIES.istio,
      readTemplate: noTemplates,
      now: () => START,
    });
    const check = (await s.series(c))?.checks[0];
    expect(fake.asked[0]?.query).toContain('destination_workload=~"(?:podinfo|podinfo-primary)"');
    expect(check).toMatchObject({ canary: [90], primary: [100] });
  });

  it("takes a latency check's quantile straight from the mesh's latency query", async () => {
    const fake = new FakeRange([
      [
        'histogram_quantile(0.99',
        [
          { labels: { deployment: 'podinfo' }, points: [[S, 12]] },
          {
            labels: { deployment: 'podinfo-primary' },
            points: [
              [S, 8],
              [S + 1, NaN],
            ],
          },
        ],
      ],
    ]);
    const c = withRun(run(1), [
      { name: 'p99', trafficMetrics: { metric: 'p99_response_latency' }, thresholdRange: {} },
    ]);
    const check = (await service(fake, START + 1_000).series(c))?.checks[0];
    expect(check).toMatchObject({ canary: [12, null], primary: [8, null] });
  });

  it('renders a PromQL check with {{ target }} as the canary, then as the primary', async () => {
    const fake = new FakeRange([
      ['"podinfo-primary"', [{ labels: {}, points: [[S, 2]] }]],
      ['"podinfo"', [{ labels: {}, points: [[S, 1]] }]],
    ]);
    const query = 'sum(rate(x{namespace="{{ namespace }}", app="{{ target }}"}[{{ interval }}]))';
    const c = withRun(run(1), [{ name: 'q', prometheus: { query }, thresholdRange: {} }]);
    const check = (await service(fake, START).series(c))?.checks[0];
    expect(fake.asked.map((a) => a.query)).toEqual([
      'sum(rate(x{namespace="test", app="podinfo"}[30s]))',
      'sum(rate(x{namespace="test", app="podinfo-primary"}[30s]))',
    ]);
    expect(check).toMatchObject({ t: [S], canary: [1], primary: [2] });
  });

  it("reads a templateRef's template and merges its variables", async () => {
    const fake = new FakeRange([]);
    const read: TemplateReader = (ns, ref) =>
      Promise.resolve({
        query: `up{ns="{{ namespace }}",t="{{ target }}",k="{{ variables.k }}",ref="${ref.name}@${ns}"}`,
        variables: { k: 'default' },
      });
    const c = withRun(run(1), [
      {
        name: 't',
        templateRef: { name: 'tpl' },
        templateVariables: { k: 'mine' },
        thresholdRange: {},
      },
    ]);
    await service(fake, START, read).series(c);
    expect(fake.asked[0]?.query).toBe('up{ns="test",t="podinfo",k="mine",ref="tpl@test"}');
  });

  it('answers errors as data, per check: Prometheus refusing, a template unread, a query of many series', async () => {
    const fake = new FakeRange([
      ['response_total', new Error('Prometheus at http://p unreachable: ECONNREFUSED')],
      [
        'many',
        [
          { labels: { a: '1' }, points: [] },
          { labels: { a: '2' }, points: [] },
        ],
      ],
    ]);
    const c = withRun(run(1), [
      { name: 'rate', trafficMetrics: { metric: 'success-rate' }, thresholdRange: {} },
      { name: 'tpl', templateRef: { name: 'gone' }, thresholdRange: {} },
      { name: 'many', prometheus: { query: 'many' }, thresholdRange: {} },
    ]);
    const checks = (await service(fake, START).series(c))?.checks;
    expect(checks?.map((x) => [x.metric, x.error])).toEqual([
      ['rate', 'Prometheus at http://p unreachable: ECONNREFUSED'],
      ['tpl', 'template gone: no templates here'],
      ['many', "the query answers 2 series; a check's query answers one"],
    ]);
    expect(checks?.[0]?.canary).toEqual([null]);
  });

  it('asks once per run state: more viewers add no query; a new step or the end asks again', async () => {
    const fake = new FakeRange([]);
    const s = service(fake);
    // Two trafficMetrics checks (one query each) and one PromQL check (canary and primary).
    const perAnswer = 4;
    const before = fake.asked.length;
    await Promise.all([s.series(withRun(run(1))), s.series(withRun(run(1)))]);
    await s.series(withRun(run(1)));
    expect(fake.asked.length - before).toBe(perAnswer);
    await s.series(withRun(run(2)));
    await s.series(withRun(run(2)));
    expect(fake.asked.length - before).toBe(2 * perAnswer);
    await s.series(withRun(run(2, true)));
    await s.series(withRun(run(2, true)));
    expect(fake.asked.length - before).toBe(3 * perAnswer);
  });

  it('has nothing to chart for a Canary without a run', () => {
    expect(service(new FakeRange([])).series(canary())).toBeUndefined();
  });
});
