// Source selection and Prometheus checks (inline and template, batched and not) over an in-memory
// executor.
import { describe, expect, it } from '@jest/globals';
import type { Metric } from '../../../src/api/canary.js';
import { createUrlPolicy } from '../../../src/outbound/url-policy.js';
import { MetricSourceFactory, type ResolvedTemplate } from '../../../src/metrics/factory.js';
import { BATCH_ANNOTATION } from '../../../src/metrics/prometheus-source.js';
import { batchProblem, groupsBy } from '../../../src/metrics/promql.js';
import { FakeExecutor, FakeKube, logSink, perTarget, targetsIn } from './fakes.js';

const ctx = { namespace: 'shop', target: 'web', window: '1m', since: 0, until: 60_000 };
const DEFAULT = 'http://prometheus.default:9090';

function factory(
  executor: FakeExecutor,
  extra: Partial<ConstructorParameters<typeof MetricSourceFactory>[0]['config']> = {},
) {
  const sink = logSink();
  const f = new MetricSourceFactory({
    config: { prometheusAddress: DEFAULT, trafficMetrics: 'computed', ...extra },
    executor,
    logger: sink.logger,
    batcher: { coalesceMs: 0, newTargetCoalesceMs: 0 },
  });
  return { f, sink };
}

const metric = (m: Omit<Metric, 'thresholdRange'>): Metric => ({
  thresholdRange: { min: 1 },
  ...m,
});

const successRateTemplate: ResolvedTemplate = {
  kind: 'ClusterAnalysisTemplate',
  name: 'linkerd-request-success-rate',
  annotations: { [BATCH_ANNOTATION]: 'deployment' },
  spec: {
    query:
      'sum by (deployment) (rate(response_total{namespace="{{ namespace }}", deployment=~"{{ target }}", classification!="failure", direction="{{ variables.direction }}"}[{{ interval }}])) / sum by (deployment) (rate(response_total{namespace="{{ namespace }}", deployment=~"{{ target }}", direction="{{ variables.direction }}"}[{{ interval }}])) * 100',
    variables: { direction: 'inbound' },
  },
};

describe('MetricSourceFactory', () => {
  it('runs an inline query against the metric address or the default one, expecting one value', async () => {
    const executor = new FakeExecutor(() => [{ labels: {}, value: 99.5 }]);
    const { f } = factory(executor);
    const inline = f.forMetric(
      metric({
        name: 'x',
        prometheus: { query: 'up{namespace="{{ namespace }}", job="{{ target }}"}' },
      }),
    );
    expect(await inline.measure(ctx)).toEqual({ kind: 'value', value: 99.5 });
    expect(executor.queries[0]).toEqual({
      endpoint: { address: DEFAULT },
      query: 'up{namespace="shop", job="web"}',
      at: ctx.until,
    });
    await f
      .forMetric(
        metric({ name: 'y', prometheus: { query: 'vector(1)', address: 'http://other:9090' } }),
      )
      .measure(ctx);
    expect(executor.queries[1]?.endpoint.address).toBe('http://other:9090');
  });

  it('applies Flagger’s single-value rule: none is no data, NaN is no data, several is an error', async () => {
    const executor = new FakeExecutor(() => []);
    const { f } = factory(executor);
    const source = f.forMetric(metric({ name: 'x', prometheus: { query: 'q' } }));
    expect(await source.measure(ctx)).toMatchObject({
      kind: 'noData',
      reason: 'query returned no series',
    });
    executor.answer = () => [{ labels: {}, value: Number.NaN }];
    expect(await source.measure(ctx)).toMatchObject({ kind: 'noData' });
    executor.answer = () => [
      { labels: { pod: 'a' }, value: 1 },
      { labels: { pod: 'b' }, value: 2 },
    ];
    const several = await source.measure(ctx);
    expect(several.kind === 'error' && several.error.message).toContain('2 series');
  });

  it('reports a template rendering problem as an error result', async () => {
    const { f } = factory(new FakeExecutor());
    const result = await f
      .forMetric(metric({ name: 'x', prometheus: { query: 'q{a="{{ variables.missing }}"}' } }))
      .measure(ctx);
    expect(result.kind === 'error' && result.error.code).toBe('WL_TEMPLATE_RENDER_FAILED');
  });

  it('batches a template that declares it: several canaries, one query, each its own value', async () => {
    const executor = new FakeExecutor(perTarget('deployment', { web: 99.9, api: 97, cart: 100 }));
    const { f } = factory(executor);
    const m = metric({
      name: 'sr',
      templateRef: { name: 'linkerd-request-success-rate', kind: 'ClusterAnalysisTemplate' },
    });
    const results = await Promise.all(
      ['web', 'api', 'cart'].map((target) =>
        f.forMetric(m, successRateTemplate).measure({ ...ctx, target }),
      ),
    );
    expect(results).toEqual([
      { kind: 'value', value: 99.9 },
      { kind: 'value', value: 97 },
      { kind: 'value', value: 100 },
    ]);
    expect(executor.queries).toHaveLength(1);
    expect(targetsIn(executor.queries[0]?.query ?? '')).toEqual(['api', 'cart', 'web']);
    expect(executor.queries[0]?.query).toContain('direction="inbound"');
  });

  it('queries per canary when batching is off or the template is not batchable (and says why once)', async () => {
    const executor = new FakeExecutor(() => [{ labels: {}, value: 1 }]);
    const { f, sink } = factory(executor);
    const unbatchable: ResolvedTemplate = {
      ...successRateTemplate,
      spec: { query: 'sum(rate(x{deployment="{{ target }}"}[{{ interval }}]))' },
    };
    const m = metric({ name: 'sr', templateRef: { name: 't' } });
    await Promise.all(
      ['a', 'b'].map((target) => f.forMetric(m, unbatchable).measure({ ...ctx, target })),
    );
    await f.forMetric(m, unbatchable).measure(ctx);
    expect(executor.queries.map((q) => q.query)).toEqual([
      'sum(rate(x{deployment="a"}[1m]))',
      'sum(rate(x{deployment="b"}[1m]))',
      'sum(rate(x{deployment="web"}[1m]))',
    ]);
    expect(
      sink.records.filter((r) => r['msg'] === 'template cannot be batched; querying it per canary'),
    ).toHaveLength(1);

    const offExecutor = new FakeExecutor(() => [{ labels: { deployment: 'x' }, value: 1 }]);
    const off = factory(offExecutor, { batching: false });
    const offResults = await Promise.all(
      ['a', 'b'].map((target) =>
        off.f.forMetric(m, successRateTemplate).measure({ ...ctx, target }),
      ),
    );
    // Unbatched, the template's own `by (deployment)` still yields one series per query.
    expect(offResults).toEqual([
      { kind: 'value', value: 1 },
      { kind: 'value', value: 1 },
    ]);
    expect(
      offExecutor.queries.map(
        (q) => q.query.includes('deployment=~"a"') || q.query.includes('deployment=~"b"'),
      ),
    ).toEqual([true, true]);
  });

  it('uses the template address and credentials, subject to the address policy', async () => {
    const executor = new FakeExecutor(() => [{ labels: {}, value: 1 }]);
    const policy = createUrlPolicy({ allowedHosts: ['prometheus.monitoring'] }, (host) =>
      Promise.resolve(host === 'prometheus.monitoring' ? ['10.0.0.5'] : []),
    );
    const { f } = factory(executor, { addressPolicy: policy });
    const m = metric({ name: 'x', templateRef: { name: 't' } });
    const allowed: ResolvedTemplate = {
      kind: 'AnalysisTemplate',
      name: 't',
      spec: { query: 'vector(1)', provider: { address: 'http://prometheus.monitoring:9090' } },
      auth: { bearerToken: 'secret' },
    };
    expect(await f.forMetric(m, allowed).measure(ctx)).toEqual({ kind: 'value', value: 1 });
    // The chosen address connects through the policy's lookup; the operator's own does not.
    expect(executor.queries[0]?.endpoint).toEqual({
      address: 'http://prometheus.monitoring:9090',
      auth: { bearerToken: 'secret' },
      lookup: expect.any(Function),
    });
    const elsewhere = {
      ...allowed,
      spec: { ...allowed.spec, provider: { address: 'http://169.254.169.254/' } },
    };
    const blocked = await f.forMetric(m, elsewhere).measure(ctx);
    expect(blocked.kind === 'error' && blocked.error.message).toContain(
      'not allowed by the address policy',
    );
    expect(executor.queries).toHaveLength(1);
  });

  it('turns a missing template or a metric without a source into an error source', async () => {
    const { f } = factory(new FakeExecutor());
    const missing = await f
      .forMetric(metric({ name: 'x', templateRef: { name: 'nope' } }))
      .measure(ctx);
    expect(missing.kind === 'error' && missing.error.message).toBe(
      'AnalysisTemplate nope not found',
    );
    const none = await f.forMetric(metric({ name: 'x' })).measure(ctx);
    expect(none.kind === 'error' && none.error.message).toContain('has no source');
  });

  it('computes trafficMetrics from Prometheus with the configured mesh', async () => {
    const executor = new FakeExecutor(() => []);
    const { f } = factory(executor, { mesh: 'istio' });
    const source = f.forMetric(metric({ name: 'sr', trafficMetrics: { metric: 'success-rate' } }));
    expect(source.kind).toBe('traffic-metrics-computed:istio');
    await source.measure(ctx);
    expect(executor.queries[0]?.query).toContain('istio_requests_total');
    expect(f.trafficMetricsStatus().mode).toBe('computed');
  });

  it('reads trafficMetrics from the SMI API in auto mode, computing them while it is not served', async () => {
    const executor = new FakeExecutor(() => []);
    const kube = new FakeKube();
    const f = new MetricSourceFactory({
      config: { prometheusAddress: DEFAULT },
      executor,
      kube,
      logger: logSink().logger,
      batcher: { coalesceMs: 0, newTargetCoalesceMs: 0 },
    });
    const source = f.forMetric(metric({ name: 'sr', trafficMetrics: { metric: 'success-rate' } }));
    expect(source.kind).toBe('traffic-metrics-api');
    expect(await source.measure(ctx)).toMatchObject({ kind: 'noData' });
    expect(executor.queries[0]?.query).toContain('response_total');
    expect(f.trafficMetricsStatus().mode).toBe('computed');
  });
});

describe('batchable templates', () => {
  it.each<[string, string | undefined]>([
    ['sum by (deployment) (x{deployment=~"{{ target }}"})', undefined],
    ['sum(x{deployment=~"{{ target }}"}) by (deployment, le)', undefined],
    [
      'sum by (pod) (label_replace(x{pod=~"{{ target }}-[a-z0-9]+-[a-z0-9]+"}, "deployment", "$1", "pod", "(.+)")) by (deployment)',
      undefined,
    ],
    [
      'sum(x{deployment="{{ target }}"}) by (deployment)',
      '{{ target }} is used outside a regex matcher (=~"...")',
    ],
    ['sum(x{deployment=~"{{ target }}"})', 'the query does not aggregate by (deployment)'],
    ['sum by (deployment) (x)', 'the query does not use {{ target }}'],
  ])('%s', (query, problem) => {
    expect(batchProblem(query, 'deployment')).toBe(problem);
  });

  it('finds grouping labels in either position', () => {
    expect(groupsBy('sum by(le, deployment) (x)', 'deployment')).toBe(true);
    expect(groupsBy('sum(x) by (deployments)', 'deployment')).toBe(false);
  });
});
