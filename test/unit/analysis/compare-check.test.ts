// Compare checks wired to a Canary: the two range queries (canary and primary), their step and
// {{ interval }}, and the verdict with its evidence. Real MetricSourceFactory over in-memory fakes
// of our own QueryExecutor and PrometheusConfigReader.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Canary, Metric } from '../../../src/api/canary.js';
import { runChecks } from '../../../src/analysis/checks.js';
import { judgeSeries } from '../../../src/analysis/compare-check.js';
import type { ControllerCaches } from '../../../src/canary/caches.js';
import type {
  PrometheusEndpoint,
  QueryExecutor,
  QueryRange,
  RangeSeries,
  Sample,
} from '../../../src/metrics/executor.js';
import { MetricSourceFactory } from '../../../src/metrics/factory.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { METRICS_ERROR_REASONS, MetricsError } from '../../../src/metrics/errors.js';
import type { PrometheusConfigReader } from '../../../src/metrics/scrape-interval.js';
import { FakeExecutor, logSink, targetsIn } from '../metrics/fakes.js';
import { memoryCaches, stopCaches } from '../canary/canary-fixtures.js';

const QUERY =
  'sum(rate(latency_sum{deployment="{{ target }}"}[{{ interval }}])) / sum(rate(latency_count{deployment="{{ target }}"}[{{ interval }}]))';

const compareMetric: Metric = {
  name: 'latency',
  interval: '40s',
  prometheus: { query: QUERY },
  compare: { direction: 'increase' },
};

function canaryWith(metric: Metric, noData?: 'fail' | 'inconclusive' | 'pass'): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { namespace: 'shop', name: 'web' },
    spec: {
      targetRef: { name: 'web' },
      service: { port: 80 },
      analysis: { interval: '30s', metrics: [metric], ...(noData === undefined ? {} : { noData }) },
    },
  };
}

/** A seeded generator, so the series are the same at every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const around = (centre: number, n: number, seed: number): number[] => {
  const r = lcg(seed);
  return Array.from({ length: n }, () => centre * (0.9 + 0.2 * r()));
};

class RangeExecutor extends FakeExecutor implements QueryExecutor {
  readonly ranges: { query: string; range: QueryRange }[] = [];
  series: (query: string) => RangeSeries[];

  constructor(series: (query: string) => RangeSeries[]) {
    super();
    this.series = series;
  }

  range(_e: PrometheusEndpoint, query: string, range: QueryRange): Promise<RangeSeries[]> {
    this.ranges.push({ query, range });
    try {
      return Promise.resolve(this.series(query));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

const perSide =
  (canary: number[], primary: number[]) =>
  (query: string): RangeSeries[] => [
    { labels: {}, values: query.includes('"web-primary"') ? primary : canary },
  ];

const scrapeEvery = (interval: string): PrometheusConfigReader => ({
  configYaml: () =>
    Promise.resolve(
      `global:\n  scrape_interval: ${interval}\nscrape_configs:\n  - job_name: mesh\n`,
    ),
});

let caches: ControllerCaches | undefined;
afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

const UNTIL = 1_800_000_000_000;

async function check(
  executor: QueryExecutor,
  metric: Metric = compareMetric,
  opts: {
    noData?: 'fail' | 'inconclusive' | 'pass';
    reader?: PrometheusConfigReader;
    earlyWindowMs?: number;
  } = {},
) {
  caches = await memoryCaches({});
  const clock = new ManualClock(UNTIL);
  const metricSources = new MetricSourceFactory({
    config: { prometheusAddress: 'http://prom:9090', trafficMetrics: 'computed' },
    executor,
    logger: logSink().logger,
    configReader: opts.reader ?? scrapeEvery('2s'),
    clock,
  });
  const running = runChecks(
    { caches, metricSources, controllerNamespace: 'weightlifter-system' },
    canaryWith(metric, opts.noData),
    {
      since: UNTIL - 60_000,
      until: UNTIL,
      ...(opts.earlyWindowMs === undefined ? {} : { earlyWindowMs: opts.earlyWindowMs }),
    },
  );
  // trafficMetrics counts go through the batcher, which waits to coalesce canaries' queries.
  await clock.advance(1_000);
  const [result] = await running;
  if (result === undefined) throw new Error('no result');
  return result;
}

describe('compare checks: the series', () => {
  it('queries both sides over the window, a point every two scrape intervals, {{ interval }} = that step', async () => {
    const executor = new RangeExecutor(perSide(around(50, 10, 1), around(40, 10, 2)));
    await check(executor);
    expect(executor.ranges.map((r) => r.query)).toEqual([
      QUERY.replaceAll('{{ target }}', 'web').replaceAll('{{ interval }}', '4s'),
      QUERY.replaceAll('{{ target }}', 'web-primary').replaceAll('{{ interval }}', '4s'),
    ]);
    // Points at until-36s, ..., until: 10 points whose 4s windows tile the 40s window.
    for (const { range } of executor.ranges) {
      expect(range).toEqual({ start: UNTIL - 36_000, end: UNTIL, stepMs: 4_000 });
    }
  });

  it('is an Error when the executor cannot send range queries', async () => {
    const r = await check(new FakeExecutor());
    expect(r).toMatchObject({
      result: 'Error',
      message: 'compare needs range queries, which this metrics executor cannot send',
    });
  });

  it('is an Error when the server does not say how often it scrapes', async () => {
    const reader: PrometheusConfigReader = {
      configYaml: () =>
        Promise.reject(new MetricsError(METRICS_ERROR_REASONS.queryFailed, 'answered 404')),
    };
    const executor = new RangeExecutor(perSide([1], [1]));
    const r = await check(executor, compareMetric, { reader });
    expect(r).toMatchObject({ result: 'Error', message: 'answered 404' });
    expect(executor.ranges).toEqual([]);
  });

  it('is an Error when a side answers with more than one series', async () => {
    const executor = new RangeExecutor(() => [
      { labels: { pod: 'a' }, values: [1] },
      { labels: { pod: 'b' }, values: [2] },
    ]);
    const r = await check(executor);
    expect(r.result).toBe('Error');
    expect(r.message).toBe('range query for web returned 2 series; one was expected');
  });

  it('is Inconclusive when the window would reach back before the step', async () => {
    const executor = new RangeExecutor(perSide([1], [1]));
    const r = await check(executor, { ...compareMetric, interval: '2m' });
    expect(r.result).toBe('Inconclusive');
    expect(r.message).toMatch(/^too early/);
    expect(executor.ranges).toEqual([]);
  });

  it('is Inconclusive when the window is shorter than one point', async () => {
    const r = await check(new RangeExecutor(perSide([1], [1])), {
      ...compareMetric,
      interval: '3s',
    });
    expect(r).toMatchObject({
      result: 'Inconclusive',
      message: 'window 3s is shorter than one point (4s: 2 scrape intervals)',
    });
  });

  it('is not run by a fail-fast evaluation (Inconclusive never counts towards fail-fast)', async () => {
    const executor = new RangeExecutor(perSide(around(90, 10, 1), around(40, 10, 2)));
    const r = await check(executor, compareMetric, { earlyWindowMs: 4_000 });
    expect(r).toMatchObject({ result: 'Inconclusive', message: 'fail-fast skips compare checks' });
    expect(executor.ranges).toEqual([]);
  });
});

describe('compare checks: the verdict', () => {
  it('fails a 25 % slower canary and records the evidence', async () => {
    const r = await check(new RangeExecutor(perSide(around(50, 10, 1), around(40, 10, 2))));
    expect(r.result).toBe('Failed');
    expect(r.message).toMatch(
      /^canary n=10 median [\d.]+, primary n=10 median [\d.]+; shift \+[\d.]+ \(98% CI \+[\d.]+ to \+[\d.]+\), p [\d.e-]+, mean ratio 1\.2\d*; Failed: p [\d.e-]+ < 0\.02, increase beyond tolerance/,
    );
    const e = r.compare;
    expect(e?.canary.samples).toBe(10);
    expect(e?.primary.samples).toBe(10);
    expect(e?.shift).toBeGreaterThan(0);
    expect(e?.shiftLower).toBeLessThanOrEqual(e?.shift ?? Number.NaN);
    expect(e?.shiftUpper).toBeGreaterThanOrEqual(e?.shift ?? Number.NaN);
    expect(e?.pValue).toBeLessThan(0.02);
    expect(e?.meanRatio).toBeGreaterThan(1.15);
    expect(r.value).toBe(e?.canary.median);
  });

  it('passes a canary drawn like the primary', async () => {
    const r = await check(new RangeExecutor(perSide(around(40, 10, 3), around(40, 10, 4))));
    expect(r.result).toBe('Successful');
    expect(r.message).toMatch(/Successful: no significant shift/);
  });

  it('passes a faster canary with direction increase', async () => {
    const r = await check(new RangeExecutor(perSide(around(30, 10, 1), around(40, 10, 2))));
    expect(r.result).toBe('Successful');
    expect(r.message).toMatch(/but a decrease is not bad \(direction increase\)/);
  });

  it('is Inconclusive below minSamples, naming the side', async () => {
    const r = await check(new RangeExecutor(perSide(around(50, 4, 1), around(40, 10, 2))));
    expect(r.result).toBe('Inconclusive');
    expect(r.message).toMatch(/Inconclusive: samples canary 4 < minSamples 10$/);
    expect(r.value).toBeUndefined();
  });

  it.each([
    ['fail', 'Failed'],
    ['inconclusive', 'Inconclusive'],
    ['pass', 'Successful'],
  ] as const)(
    'applies noData %s when one side has no point (kayenta#799)',
    async (policy, result) => {
      const executor = new RangeExecutor((q) =>
        q.includes('"web-primary"') ? [{ labels: {}, values: around(40, 10, 2) }] : [],
      );
      const r = await check(executor, compareMetric, { noData: policy });
      expect(r).toMatchObject({ result, message: `no data from the canary (noData: ${policy})` });
      expect(r.value).toBeUndefined();
    },
  );

  it('drops NaN points and keeps only finite numbers in the evidence', () => {
    const r = judgeSeries(
      { kind: 'series', canary: [5, Number.NaN], primary: [4], stepMs: 2_000 },
      { metric: 'm', compare: { direction: 'either', minSamples: 1 }, noData: 'fail' },
    );
    // One point a side: p is 1 and the interval is (−∞, +∞), which status cannot hold.
    expect(r.result).toBe('Successful');
    expect(r.compare).toEqual({
      canary: { samples: 1, median: 5 },
      primary: { samples: 1, median: 4 },
      shift: 1,
      pValue: 1,
      meanRatio: 1.25,
    });
  });
});

/** Linkerd's counts query answered per deployment: [successes, failures] in the window. */
const counts =
  (table: Readonly<Record<string, readonly [number, number]>>) =>
  (query: string): Sample[] =>
    targetsIn(query).flatMap((t) => {
      const row = table[t];
      if (row === undefined) return [];
      return [
        { labels: { namespace: 'shop', deployment: t, classification: 'success' }, value: row[0] },
        { labels: { namespace: 'shop', deployment: t, classification: 'failure' }, value: row[1] },
      ];
    });

const successRate: Metric = {
  name: 'success-vs-primary',
  interval: '40s',
  trafficMetrics: { metric: 'success-rate' },
  compare: { direction: 'decrease' },
};

describe('compare checks: success-rate counts (Fisher exact)', () => {
  it('fails a canary whose success rate fell: 3 % failures against 1 %', async () => {
    const executor = new FakeExecutor(counts({ web: [2_910, 90], 'web-primary': [2_970, 30] }));
    const r = await check(executor, successRate);
    expect(r.result).toBe('Failed');
    expect(r.message).toMatch(
      /^canary 90\/3000 failed \(3%\), primary 30\/3000 failed \(1%\); Fisher p [\d.e-]+, rate ratio 3; Failed: /,
    );
    expect(r.value).toBeCloseTo(97);
    expect(r.compare).toMatchObject({
      canary: { samples: 3_000, failures: 90 },
      primary: { samples: 3_000, failures: 30 },
      meanRatio: 3,
    });
    expect(r.compare?.shift).toBeCloseTo(0.02);
    expect(r.compare?.pValue).toBeLessThan(0.02);
    // Both sides' counts, from the one source a threshold check would use.
    expect(executor.queries.every((q) => q.query.includes('response_total'))).toBe(true);
  });

  it('rounds the extrapolated counts of increase() to whole requests', async () => {
    const executor = new FakeExecutor(
      counts({ web: [2_909.6, 90.4], 'web-primary': [2_970.2, 29.7] }),
    );
    const r = await check(executor, successRate);
    expect(r.result).toBe('Failed');
    expect(r.compare).toMatchObject({
      canary: { samples: 3_000, failures: 90 },
      primary: { samples: 3_000, failures: 30 },
    });
    expect(r.message).toMatch(/^canary 90\/3000 failed \(3%\), primary 30\/3000 failed \(1%\);/);
  });

  it('passes sparse errors against none (kayenta#426)', async () => {
    const r = await check(
      new FakeExecutor(counts({ web: [998, 2], 'web-primary': [1_000, 0] })),
      successRate,
    );
    expect(r.result).toBe('Successful');
    expect(r.message).toMatch(/Successful: no significant shift/);
  });

  it('passes a canary whose success rate rose (direction decrease)', async () => {
    const r = await check(
      new FakeExecutor(counts({ web: [2_990, 10], 'web-primary': [2_910, 90] })),
      successRate,
    );
    expect(r.result).toBe('Successful');
  });

  it('is Inconclusive below minSamples requests', async () => {
    const r = await check(
      new FakeExecutor(counts({ web: [5, 1], 'web-primary': [1_000, 0] })),
      successRate,
    );
    expect(r.result).toBe('Inconclusive');
    expect(r.message).toMatch(/Inconclusive: requests canary 6 < minSamples 10$/);
  });

  it('applies noData when a side had no requests', async () => {
    const r = await check(
      new FakeExecutor(counts({ web: [100, 0], 'web-primary': [0, 0] })),
      successRate,
      { noData: 'fail' },
    );
    expect(r).toMatchObject({
      result: 'Failed',
      message: 'no requests to the primary (noData: fail)',
    });
  });
});
