// The pure parts of pre-flight's window rule: scrapes in a window, Prometheus durations, the
// scrape configuration as /api/v1/status/config prints it, which job's interval decides, the
// metric names a query selects, and the messages.
import { describe, expect, it } from '@jest/globals';
import {
  chooseScrapeInterval,
  formatMs,
  windowTooShortMessage,
} from '../../../src/analysis/preflight-window.js';
import {
  prometheusErrorReason,
  shownQuery,
  templateNotFoundMessage,
} from '../../../src/analysis/preflight-problems.js';
import { METRICS_ERROR_REASONS, MetricsError } from '../../../src/metrics/errors.js';
import { metricNames } from '../../../src/metrics/promql-names.js';
import {
  minimumWindowMs,
  parsePromDuration,
  parseScrapeConfig,
  scrapesInWindow,
} from '../../../src/metrics/scrape-interval.js';

describe('scrapes in a window', () => {
  it.each([
    // window, scrape, scrapes any window of that length is sure to hold
    [1_000, 1_000, 1],
    [1_999, 1_000, 1],
    [2_000, 1_000, 2],
    [30_000, 15_000, 2],
    [29_999, 15_000, 1],
    [60_000, 60_000, 1],
    [120_000, 60_000, 2],
    [10_000, 1_000, 10],
  ])('%i ms over a %i ms scrape interval holds %i', (window, scrape, scrapes) => {
    expect(scrapesInWindow(window, scrape)).toBe(scrapes);
  });

  it('needs two scrape intervals', () => {
    expect(minimumWindowMs(15_000)).toBe(30_000);
    expect(scrapesInWindow(minimumWindowMs(7_000), 7_000)).toBe(2);
    expect(scrapesInWindow(minimumWindowMs(7_000) - 1, 7_000)).toBe(1);
  });
});

describe('parsePromDuration', () => {
  it.each([
    ['15s', 15_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['0', 0],
    ['1.5m', null],
    ['soon', null],
    ['', null],
  ])('%s -> %s', (text, ms) => {
    expect(parsePromDuration(text)).toBe(ms);
  });
});

describe('parseScrapeConfig', () => {
  it('reads the global interval and each job, a job without its own inheriting the global', () => {
    const config = parseScrapeConfig(`global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
- job_name: linkerd-proxy
  scrape_interval: 10s
- job_name: slow
  scrape_interval: 2m
- job_name: plain
`);
    expect(config.globalMs).toBe(15_000);
    expect([...config.jobs]).toEqual([
      ['linkerd-proxy', 10_000],
      ['slow', 120_000],
      ['plain', 15_000],
    ]);
  });

  it("uses Prometheus's default of 1m when the global interval is absent", () => {
    expect(parseScrapeConfig('scrape_configs: []\n').globalMs).toBe(60_000);
  });

  it('refuses what is not a configuration, naming the field', () => {
    expect(() => parseScrapeConfig('global: {scrape_interval: often}\n')).toThrow(
      'global.scrape_interval "often" is not a duration',
    );
    expect(() => parseScrapeConfig('global: [unclosed\n')).toThrow(MetricsError);
  });
});

describe('chooseScrapeInterval', () => {
  const config = (jobs: [string, number][], globalMs = 60_000) => ({
    globalMs,
    jobs: new Map(jobs),
  });

  it('takes the global interval when there are no jobs', () => {
    expect(chooseScrapeInterval(config([], 15_000), undefined)).toEqual({
      ms: 15_000,
      whose: 'its global scrape_interval',
    });
  });

  it('takes the common interval of all jobs without asking which one the query reads', () => {
    expect(chooseScrapeInterval(config([['a', 10_000]]), undefined)).toEqual({
      ms: 10_000,
      whose: 'job "a"',
    });
    expect(
      chooseScrapeInterval(
        config([
          ['a', 10_000],
          ['b', 10_000],
        ]),
        undefined,
      ),
    ).toEqual({ ms: 10_000, whose: 'every job' });
  });

  it('takes the slowest of the jobs the query reads when the jobs differ', () => {
    const jobs = config([
      ['fast', 5_000],
      ['mesh', 10_000],
      ['slow', 300_000],
    ]);
    expect(chooseScrapeInterval(jobs, ['fast', 'mesh', 'elsewhere'])).toEqual({
      ms: 10_000,
      whose: 'job "mesh"',
    });
  });

  it('takes the slowest job of all, and says so, when the jobs read are unknown', () => {
    const jobs = config([
      ['fast', 5_000],
      ['slow', 300_000],
    ]);
    for (const read of [undefined, [], ['federated-from-elsewhere']]) {
      expect(chooseScrapeInterval(jobs, read)).toEqual({
        ms: 300_000,
        whose: `its slowest job "slow" (which job scrapes the query's series is unknown)`,
      });
    }
  });
});

describe('messages', () => {
  it('says how short the window is, whose interval it is, and the shortest that works', () => {
    expect(
      windowTooShortMessage('1s', 'http://127.0.0.1:9090', { ms: 1_000, whose: 'job "mesh"' }),
    ).toBe(
      'window 1s holds fewer than 2 scrapes: http://127.0.0.1:9090 scrapes job "mesh" every 1s; use a window of at least 2s',
    );
    expect(windowTooShortMessage('1m', 'http://p', { ms: 45_000, whose: 'every job' })).toBe(
      'window 1m holds fewer than 2 scrapes: http://p scrapes every job every 45s; use a window of at least 90s',
    );
  });

  it.each([
    [1_500, '1500ms'],
    [90_000, '90s'],
    [120_000, '2m'],
    [7_200_000, '2h'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('names a missing template by kind, with the namespace for a namespaced one', () => {
    expect(templateNotFoundMessage('AnalysisTemplate', 'shop', 'rate')).toBe(
      'AnalysisTemplate shop/rate not found',
    );
    expect(templateNotFoundMessage('ClusterAnalysisTemplate', 'shop', 'rate')).toBe(
      'ClusterAnalysisTemplate rate not found',
    );
  });

  it('shows a query on one line, shortened', () => {
    expect(shownQuery('sum(\n  rate(x[1m])\n)')).toBe('sum( rate(x[1m]) )');
    expect(shownQuery('x'.repeat(500))).toHaveLength(160);
  });
});

describe('prometheusErrorReason', () => {
  const R = METRICS_ERROR_REASONS;
  it.each([
    [R.queryFailed, 400, 'QueryInvalid'],
    [R.queryFailed, 422, 'QueryInvalid'],
    [R.badResponse, undefined, 'QueryInvalid'],
    [R.queryFailed, 503, 'MetricsUnavailable'],
    [R.queryFailed, undefined, 'MetricsUnavailable'],
    [R.network, undefined, 'MetricsUnavailable'],
    [R.timeout, undefined, 'MetricsUnavailable'],
    [R.addressNotAllowed, undefined, 'MetricsAddressNotAllowed'],
  ] as const)('%s (HTTP %s) -> %s', (reason, httpStatus, expected) => {
    const e = new MetricsError(reason, 'x', { details: { httpStatus } });
    expect(prometheusErrorReason(e)).toBe(expected);
  });
});

describe('metricNames', () => {
  it.each([
    ['up', ['up']],
    ['rate(http_requests_total{job="api", code=~"5.."}[5m])', ['http_requests_total']],
    [
      'histogram_quantile(0.99, sum by (le, deployment) (rate(response_latency_ms_bucket{namespace="shop"}[1m])))',
      ['response_latency_ms_bucket'],
    ],
    [
      'sum(increase(a_total[1m])) / sum without (pod) (increase(b_total[1m] offset 5m)) * 100',
      ['a_total', 'b_total'],
    ],
    ['x and on (pod) group_left (node) y or z unless bool_thing', ['x', 'y', 'z', 'bool_thing']],
    ['{__name__="ns:requests:rate1m", job="x"}', ['ns:requests:rate1m']],
    ['{__name__=~"a|b"}', []],
    ['label_replace(up, "dst", "$1", "src", "(.*)") # a comment naming not_a_metric', ['up']],
    ['vector(1) + scalar(sum(inf_metric)) @ start()', ['inf_metric']],
    ['sum(rate(x[5m:30s]))', ['x']],
  ])('%s selects %j', (query, names) => {
    expect(metricNames(query)).toEqual(names);
  });
});
