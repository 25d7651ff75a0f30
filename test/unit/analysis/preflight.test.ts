// Pre-flight over the real MetricSourceFactory and the controller's caches, with in-memory fakes of
// our own QueryExecutor, PrometheusConfigReader and KubeGetTransport: which problem each broken
// check gives, which field it names, and that nothing is remembered between pre-flights.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Canary, Metric, Webhook } from '../../../src/api/canary.js';
import type { ControllerCaches, TemplateJson } from '../../../src/canary/caches.js';
import { preflightReport, runPreflight } from '../../../src/analysis/preflight.js';
import { createUrlPolicy, type UrlPolicy } from '../../../src/outbound/url-policy.js';
import { METRICS_ERROR_REASONS, MetricsError } from '../../../src/metrics/errors.js';
import type { PrometheusEndpoint } from '../../../src/metrics/executor.js';
import { MetricSourceFactory, type TrafficMetricsSetting } from '../../../src/metrics/factory.js';
import type { PrometheusConfigReader } from '../../../src/metrics/scrape-interval.js';
import { SMI_METRICS_BASE } from '../../../src/metrics/traffic-metrics-api.js';
import { FakeExecutor, FakeKube, logSink, type Answer } from '../metrics/fakes.js';
import { memoryCaches, stopCaches } from '../canary/canary-fixtures.js';

/** The local world listens on loopback, blocked unless unblocked (as its controller does). */
const LOOPBACK = createUrlPolicy({ unblockedCidrs: ['127.0.0.0/8'] });

const PROM = 'http://prom:9090';
const ONE_SECOND_SCRAPES =
  'global: {scrape_interval: 1s}\nscrape_configs: [{job_name: mesh, scrape_interval: 1s}]\n';

class FakeConfig implements PrometheusConfigReader {
  readonly reads: string[] = [];
  constructor(public yaml: (address: string) => string = () => ONE_SECOND_SCRAPES) {}
  configYaml(endpoint: PrometheusEndpoint): Promise<string> {
    this.reads.push(endpoint.address);
    try {
      return Promise.resolve(this.yaml(endpoint.address));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function canaryWith(metrics: Metric[], webhooks: Webhook[] = [], interval = '30s'): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { namespace: 'shop', name: 'web' },
    spec: {
      targetRef: { name: 'web' },
      service: { port: 80 },
      analysis: { interval, stepWeight: 10, metrics, webhooks },
    },
  };
}

const query = (name: string, q: string, extra: Partial<Metric> = {}): Metric => ({
  name,
  prometheus: { query: q },
  thresholdRange: { min: 0 },
  ...extra,
});

interface World {
  executor: FakeExecutor;
  config: FakeConfig;
  kube: FakeKube;
  policy?: UrlPolicy;
  trafficMetrics?: TrafficMetricsSetting;
  templates?: Record<string, TemplateJson['spec']>;
}

function world(answer: Answer = () => []): World {
  return { executor: new FakeExecutor(answer), config: new FakeConfig(), kube: new FakeKube() };
}

function sourcesFor(w: World): MetricSourceFactory {
  return new MetricSourceFactory({
    config: {
      prometheusAddress: PROM,
      trafficMetrics: w.trafficMetrics ?? 'computed',
      ...(w.policy === undefined ? {} : { addressPolicy: w.policy }),
    },
    executor: w.executor,
    configReader: w.config,
    kube: w.kube,
    logger: logSink().logger,
    batcher: { coalesceMs: 0, newTargetCoalesceMs: 0 },
  });
}

function report(w: World, canary: Canary, network = true, metricSources = sourcesFor(w)) {
  return preflightReport(
    {
      metricSources,
      urlPolicy: w.policy ?? LOOPBACK,
      template: (m) => {
        const spec = w.templates?.[m.templateRef?.name ?? ''];
        return Promise.resolve(
          spec === undefined
            ? undefined
            : { kind: 'AnalysisTemplate' as const, name: m.templateRef?.name ?? '', spec },
        );
      },
    },
    canary,
    { network },
  );
}

const httpError = (status: number, message: string) =>
  new MetricsError(
    METRICS_ERROR_REASONS.queryFailed,
    `prometheus query failed (HTTP ${status}): ${message}`,
    {
      details: { address: PROM, httpStatus: status },
    },
  );

describe('pre-flight of prometheus and templateRef checks', () => {
  it('finds nothing wrong when every query runs, even with an empty answer', async () => {
    const w = world(() => []);
    const r = await report(
      w,
      canaryWith([query('q', 'sum(rate(x{ns="{{ namespace }}"}[{{ interval }}]))')]),
    );
    // The scrape interval it read is fail-fast's cadence (machine/phases/fail-fast.ts).
    expect(r).toEqual({ problems: [], notes: [], scrapeMs: 1000 });
    expect(w.executor.queries.map((q) => q.query)).toEqual(['sum(rate(x{ns="shop"}[30s]))']);
    expect(w.config.reads).toEqual([PROM]);
  });

  it('names a missing template by kind and name', async () => {
    const r = await report(
      world(),
      canaryWith([{ name: 'budget', templateRef: { name: 'gone' }, thresholdRange: { min: 1 } }]),
    );
    expect(r.problems).toEqual([
      {
        check: 'budget',
        reason: 'TemplateNotFound',
        field: 'spec.analysis.metrics[0].templateRef.name',
        message: 'AnalysisTemplate shop/gone not found',
      },
    ]);
  });

  it('refuses a template whose query uses an undefined variable, without querying', async () => {
    const w = world();
    w.templates = { rate: { query: 'rate({{ variables.mesh }}_total[{{ interval }}])' } };
    const r = await report(
      w,
      canaryWith([{ name: 'r', templateRef: { name: 'rate' }, thresholdRange: { min: 1 } }]),
    );
    expect(r.problems).toMatchObject([
      {
        check: 'r',
        reason: 'QueryInvalid',
        field: 'spec.analysis.metrics[0].templateVariables',
        message: expect.stringMatching(/unknown template variable\(s\) "\{\{ variables.mesh \}\}"/),
      },
    ]);
    expect(w.executor.queries).toEqual([]);
  });

  it("gives Prometheus's own message for a query it refuses", async () => {
    const w = world(() => {
      throw httpError(400, '1:9: parse error: unclosed left parenthesis');
    });
    const r = await report(w, canaryWith([query('broken', 'sum(rate(x[{{ interval }}])')]));
    expect(r.problems).toEqual([
      {
        check: 'broken',
        reason: 'QueryInvalid',
        field: 'spec.analysis.metrics[0].prometheus.query',
        message:
          'query "sum(rate(x[30s])" on http://prom:9090: prometheus query failed (HTTP 400): 1:9: parse error: unclosed left parenthesis',
      },
    ]);
    expect(w.config.reads).toEqual([]);
  });

  it('says the server is unavailable, not the query wrong, when Prometheus does not answer', async () => {
    const w = world(() => {
      throw new MetricsError(
        METRICS_ERROR_REASONS.network,
        'prometheus query failed: connect ECONNREFUSED',
      );
    });
    const r = await report(w, canaryWith([query('q', 'up')]));
    expect(r.problems).toMatchObject([{ check: 'q', reason: 'MetricsUnavailable' }]);
    expect(r.problems[0]?.message).toContain('ECONNREFUSED');
  });

  it('refuses a query that returns several series where one value is expected', async () => {
    const w = world(() => [
      { labels: { pod: 'a' }, value: 1 },
      { labels: { pod: 'b' }, value: 2 },
    ]);
    const r = await report(w, canaryWith([query('q', 'up')]));
    expect(r.problems).toMatchObject([
      { reason: 'QueryInvalid', message: expect.stringContaining('returned 2 series') },
    ]);
  });

  it('refuses a metrics address outside the policy before sending anything', async () => {
    const w = world();
    w.policy = createUrlPolicy({ allowedCidrs: ['127.0.0.0/8'], unblockedCidrs: ['127.0.0.0/8'] });
    const r = await report(
      w,
      canaryWith([
        query('q', 'up', { prometheus: { query: 'up', address: 'http://10.1.2.3:9090' } }),
      ]),
    );
    expect(r.problems).toMatchObject([
      {
        reason: 'MetricsAddressNotAllowed',
        field: 'spec.analysis.metrics[0].prometheus.address',
        message: expect.stringContaining('metrics address http://10.1.2.3:9090 not allowed'),
      },
    ]);
    expect(w.executor.queries).toEqual([]);
  });

  it('runs nothing over the network when asked for the offline checks only', async () => {
    const w = world();
    const r = await report(w, canaryWith([query('q', 'rate(x[{{ interval }}])')], [], '1s'), false);
    expect(r).toEqual({ problems: [], notes: [] });
    expect(w.executor.queries).toEqual([]);
    expect(w.config.reads).toEqual([]);
  });
});

describe('pre-flight of the window', () => {
  it('refuses a window with fewer than two scrapes, naming the field that sets it', async () => {
    const r = await report(world(), canaryWith([query('q', 'rate(x[{{ interval }}])')], [], '1s'));
    expect(r.problems).toEqual([
      {
        check: 'q',
        reason: 'AnalysisWindowTooShort',
        field: 'spec.analysis.interval',
        message:
          'window 1s holds fewer than 2 scrapes: http://prom:9090 scrapes job "mesh" every 1s; use a window of at least 2s',
      },
    ]);
    const own = await report(
      world(),
      canaryWith([query('q', 'rate(x[{{ interval }}])', { interval: '1500ms' })]),
    );
    expect(own.problems).toMatchObject([
      { reason: 'AnalysisWindowTooShort', field: 'spec.analysis.metrics[0].interval' },
    ]);
  });

  it('refuses a compare window that holds fewer than minSamples points a side', async () => {
    const compare = (interval: string, minSamples?: number): Metric => ({
      name: 'c',
      interval,
      prometheus: { query: 'rate(x[{{ interval }}])' },
      compare: { direction: 'increase', ...(minSamples === undefined ? {} : { minSamples }) },
    });
    // A point every 2s (two 1s scrapes): 19s holds 9 points, fewer than the default 10.
    const r = await report(world(), canaryWith([compare('19s')]));
    expect(r.problems).toEqual([
      {
        check: 'c',
        reason: 'AnalysisWindowTooShort',
        field: 'spec.analysis.metrics[0].interval',
        message:
          'compare window 19s holds 9 points a side, fewer than minSamples 10: a point every 2s (2 scrape intervals: http://prom:9090 scrapes job "mesh" every 1s); use a window of at least 20s',
      },
    ]);
    expect((await report(world(), canaryWith([compare('20s')]))).problems).toEqual([]);
    expect((await report(world(), canaryWith([compare('8s', 4)]))).problems).toEqual([]);
  });

  it('accepts a window of exactly two scrapes', async () => {
    const r = await report(world(), canaryWith([query('q', 'rate(x[{{ interval }}])')], [], '2s'));
    expect(r.problems).toEqual([]);
  });

  it('does not hold a query that does not use {{ interval }} to the window', async () => {
    const w = world();
    const r = await report(w, canaryWith([query('q', 'rate(x[5m])')], [], '1s'));
    expect(r.problems).toEqual([]);
    expect(w.config.reads).toEqual([]);
  });

  it('says so in a note when the scrape interval cannot be read, without holding the run', async () => {
    const w = world();
    w.config.yaml = () => {
      throw new MetricsError(
        METRICS_ERROR_REASONS.queryFailed,
        'GET http://prom:9090/api/v1/status/config answered 404: not found',
        {
          details: { httpStatus: 404 },
        },
      );
    };
    const r = await report(w, canaryWith([query('q', 'rate(x[{{ interval }}])')]));
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([
      {
        check: 'q',
        field: 'spec.analysis.metrics[0]',
        message:
          'window 30s not checked: cannot tell how often http://prom:9090 scrapes: GET http://prom:9090/api/v1/status/config answered 404: not found',
      },
    ]);
  });

  it('holds the window to the job that scrapes the query’s series when the jobs differ', async () => {
    const w = world((q) =>
      q.startsWith('count by (job)') ? [{ labels: { job: 'mesh' }, value: 12 }] : [],
    );
    w.config.yaml = () =>
      'global: {scrape_interval: 1m}\nscrape_configs: [{job_name: mesh, scrape_interval: 5s}, {job_name: nodes, scrape_interval: 1m}]\n';
    const r = await report(
      w,
      canaryWith([query('q', 'sum(rate(response_total[{{ interval }}]))')]),
    );
    expect(r.problems).toEqual([]);
    expect(w.executor.queries.map((q) => q.query)).toContain(
      'count by (job) ({__name__=~"response_total"})',
    );
    // Without series to tell the job, the slowest job decides: 30s < 2 x 1m.
    const unknown = world(() => []);
    unknown.config.yaml = w.config.yaml;
    const refused = await report(
      unknown,
      canaryWith([query('q', 'sum(rate(response_total[{{ interval }}]))')]),
    );
    expect(refused.problems).toMatchObject([
      { reason: 'AnalysisWindowTooShort', message: expect.stringContaining('slowest job "nodes"') },
    ]);
  });

  it('reads the configuration again at every pre-flight: nothing is remembered', async () => {
    const w = world();
    const canary = canaryWith([query('q', 'rate(x[{{ interval }}])')], [], '3s');
    expect((await report(w, canary)).problems).toEqual([]);
    w.config.yaml = () => 'global: {scrape_interval: 2s}\n';
    expect((await report(w, canary)).problems).toMatchObject([
      { reason: 'AnalysisWindowTooShort' },
    ]);
    expect(w.config.reads).toEqual([PROM, PROM]);
  });

  it('asks each server once per pre-flight however many checks use it', async () => {
    const w = world();
    const q = 'rate(x[{{ interval }}])';
    await report(w, canaryWith([query('a', q), query('b', `${q} * 2`)]));
    expect(w.config.reads).toEqual([PROM]);
  });
});

describe('pre-flight of trafficMetrics checks', () => {
  const tm = (name: string, metric: 'success-rate' | 'p99_response_latency'): Metric => ({
    name,
    trafficMetrics: { metric },
    thresholdRange: { min: 0 },
  });

  it('runs the computed queries once each, and checks their window', async () => {
    const w = world();
    const r = await report(
      w,
      canaryWith([tm('sr', 'success-rate'), tm('p99', 'p99_response_latency')]),
    );
    expect(r.problems).toEqual([]);
    const sent = w.executor.queries.map((q) => q.query);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(
      /^sum by \(namespace, deployment, classification\) \(increase\(response_total\{namespace="shop", deployment=~"\(\?:web\)"/,
    );
    expect(sent[1]).toMatch(/^histogram_quantile\(0\.99, /);
    const short = await report(world(), canaryWith([tm('sr', 'success-rate')], [], '1s'));
    expect(short.problems).toMatchObject([{ check: 'sr', reason: 'AnalysisWindowTooShort' }]);
  });

  it('lets the pre-flights of many canaries, in several namespaces, share one query per shape', async () => {
    const w = world();
    const sources = sourcesFor(w);
    const checks = [tm('sr', 'success-rate'), tm('p99', 'p99_response_latency')];
    const fleet = ['shop', 'pay', 'ads'].flatMap((namespace) =>
      ['web', 'api'].map((name) => {
        const c = canaryWith(checks);
        return { ...c, metadata: { namespace, name }, spec: { ...c.spec, targetRef: { name } } };
      }),
    );
    const reports = await Promise.all(fleet.map((c) => report(w, c, true, sources)));
    expect(reports.map((r) => r.problems)).toEqual(fleet.map(() => []));
    expect(w.executor.queries.map((q) => q.query.slice(0, 22))).toEqual([
      'sum by (namespace, dep',
      'histogram_quantile(0.9',
    ]);
    // Evaluated at the latest multiple of 10 s, not at "now".
    for (const { at } of w.executor.queries) expect((at ?? Number.NaN) % 10_000).toBe(0);
  });

  it('reports a computed query Prometheus refuses', async () => {
    const w = world(() => {
      throw httpError(422, 'execution: many-to-many matching not allowed');
    });
    const r = await report(w, canaryWith([tm('sr', 'success-rate')]));
    expect(r.problems).toMatchObject([
      {
        check: 'sr',
        reason: 'QueryInvalid',
        field: 'spec.analysis.metrics[0].trafficMetrics',
        message: expect.stringContaining('many-to-many matching not allowed'),
      },
    ]);
    // The message shows the query written for this Deployment alone, the one that failed.
    const latencyOnly = world((q) => {
      if (q.startsWith('histogram_quantile')) throw httpError(422, 'bad quantile');
      return [];
    });
    const p99 = await report(latencyOnly, canaryWith([tm('p99', 'p99_response_latency')]));
    expect(p99.problems).toMatchObject([
      {
        check: 'p99',
        reason: 'QueryInvalid',
        message: expect.stringContaining(
          'histogram_quantile(0.99, sum by (namespace, deployment, le) (rate(response_latency_ms_bucket{namespace="shop", deployment=~"(?:web)"',
        ),
      },
    ]);
  });

  it('asks the SMI API when it is served, and does not check its window', async () => {
    const w = world();
    w.trafficMetrics = 'auto';
    w.kube.routes.set(SMI_METRICS_BASE, {
      status: 200,
      body: '{"resources":[{"name":"deployments"}]}',
    });
    w.kube.routes.set(`${SMI_METRICS_BASE}/namespaces/shop/deployments/web`, {
      status: 500,
      body: '{"error":"unable to lookup metrics"}',
    });
    const r = await report(w, canaryWith([tm('sr', 'success-rate')], [], '1s'));
    expect(r.problems).toEqual([]);
    expect(r.notes).toMatchObject([
      { check: 'sr', message: expect.stringContaining('window 1s not checked') },
    ]);
    expect(w.executor.queries).toEqual([]);
  });

  it('falls back to the computed queries when the API is not served (auto), or refuses (api)', async () => {
    const auto = world();
    auto.trafficMetrics = 'auto';
    expect((await report(auto, canaryWith([tm('sr', 'success-rate')]))).problems).toEqual([]);
    expect(auto.executor.queries).toHaveLength(1);
    const api = world();
    api.trafficMetrics = 'api';
    expect((await report(api, canaryWith([tm('sr', 'success-rate')]))).problems).toMatchObject([
      {
        reason: 'MetricsUnavailable',
        message: expect.stringMatching(
          /^the SMI TrafficMetrics API is not served \(GET .*404.*\) and --traffic-metrics is api$/,
        ),
      },
    ]);
  });
});

describe('pre-flight of webhooks', () => {
  it('refuses a URL the operator does not allow, naming the hook, the URL and the rule', async () => {
    const w = world();
    w.policy = createUrlPolicy({ allowedCidrs: ['127.0.0.0/8'], unblockedCidrs: ['127.0.0.0/8'] });
    const r = await report(
      w,
      canaryWith(
        [],
        [
          { name: 'load', type: 'rollout', url: 'http://127.0.0.1:8080/' },
          { name: 'meta', type: 'pre-rollout', url: 'http://169.254.169.254/latest' },
        ],
      ),
    );
    expect(r.problems).toEqual([
      {
        check: 'meta',
        reason: 'WebhookAddressNotAllowed',
        field: 'spec.analysis.webhooks[1].url',
        message:
          'http://169.254.169.254/latest not allowed by the address policy: address 169.254.169.254 ' +
          'is in the blocked range 169.254.0.0/16 (rule link-local); the operator can unblock it ' +
          'with --unblock-cidrs',
      },
    ]);
  });

  it('refuses a blocked address with no policy configured', async () => {
    const w = world();
    w.policy = createUrlPolicy({});
    const r = await report(
      w,
      canaryWith([], [{ name: 'local', type: 'rollout', url: 'http://127.0.0.1:8080/' }]),
    );
    expect(r.problems).toMatchObject([
      { check: 'local', reason: 'WebhookAddressNotAllowed', message: /rule loopback/ },
    ]);
  });

  it('refuses a URL that is not absolute http(s)', async () => {
    const r = await report(world(), canaryWith([], [{ name: 'x', url: 'loadtester/' }]));
    expect(r.problems).toMatchObject([
      {
        check: 'x',
        reason: 'WebhookUrlInvalid',
        message: '"loadtester/" is not an absolute http or https URL',
      },
    ]);
  });
});

describe('runPreflight: the controller resolves templates from its caches', () => {
  let caches: ControllerCaches | undefined;
  afterEach(async () => {
    if (caches !== undefined) await stopCaches(caches);
    caches = undefined;
  });

  it('finds a cached template, misses an absent one, and returns problems without fields', async () => {
    caches = await memoryCaches({
      templates: [
        {
          apiVersion: 'weightlifter.io/v1alpha1',
          kind: 'AnalysisTemplate',
          metadata: { namespace: 'shop', name: 'up' },
          spec: { query: 'up{namespace="{{ namespace }}"}' },
        },
      ],
    });
    const executor = new FakeExecutor(() => []);
    const metricSources = new MetricSourceFactory({
      config: { prometheusAddress: PROM, trafficMetrics: 'computed' },
      executor,
      configReader: new FakeConfig(),
      logger: logSink().logger,
    });
    const canary = canaryWith([
      { name: 'found', templateRef: { name: 'up' }, thresholdRange: { min: 1 } },
      {
        name: 'lost',
        templateRef: { name: 'nope', kind: 'ClusterAnalysisTemplate' },
        thresholdRange: { min: 1 },
      },
    ]);
    const outcome = await runPreflight(
      { caches, metricSources, urlPolicy: LOOPBACK, controllerNamespace: 'weightlifter-system' },
      canary,
      logSink().logger,
    );
    expect(outcome).toEqual({
      problems: [
        {
          check: 'lost',
          reason: 'TemplateNotFound',
          message: 'ClusterAnalysisTemplate nope not found',
        },
      ],
    });
    expect(executor.queries.map((q) => q.query)).toEqual(['up{namespace="shop"}']);
  });
});
