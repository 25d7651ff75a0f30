import { describe, expect, it } from '@jest/globals';
import { MetricRegistry, renderLabels } from '../../../dev/local/emulator/exposition.js';
import {
  LINKERD_LATENCY_BUCKETS_MS,
  ProxyEndpoint,
  defineLinkerdFamilies,
  inboundLabels,
  outboundLabels,
} from '../../../dev/local/emulator/linkerd-metrics.js';

/** One exposition line: name{labels} value, as Prometheus's text parser accepts it. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? \S+$/;

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe('text exposition', () => {
  it('renders counters and cumulative histograms with +Inf, _sum and _count', () => {
    const r = new MetricRegistry();
    r.define('hits_total', 'counter', 'Hits.');
    r.define('lat_ms', 'histogram', 'Latency.', [1, 10]);
    r.counter('hits_total', 'o', { a: 'x' }).inc(3);
    const h = r.histogram('lat_ms', 'o', { a: 'x' });
    h.observe(0.5);
    h.observe(1); // le is inclusive
    h.observe(7, 2); // a weighted bulk observation
    h.observe(100);
    expect(r.render()).toBe(
      [
        '# HELP hits_total Hits.',
        '# TYPE hits_total counter',
        'hits_total{a="x"} 3',
        '# HELP lat_ms Latency.',
        '# TYPE lat_ms histogram',
        'lat_ms_bucket{a="x",le="1"} 2',
        'lat_ms_bucket{a="x",le="10"} 4',
        'lat_ms_bucket{a="x",le="+Inf"} 5',
        'lat_ms_sum{a="x"} 115.5',
        'lat_ms_count{a="x"} 5',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values', () => {
    expect(renderLabels({ a: 'q"b\\s\nn' })).toBe('a="q\\"b\\\\s\\nn"');
  });

  it('returns the same series for the same labels and drops an owner’s series together', () => {
    const r = new MetricRegistry();
    r.define('c', 'counter', 'C.');
    r.counter('c', 'pod-a', { p: 'a' }).inc();
    r.counter('c', 'pod-a', { p: 'a' }).inc();
    r.counter('c', 'pod-b', { p: 'b' }).inc();
    expect(r.render()).toContain('c{p="a"} 2');
    r.removeOwner('pod-a');
    expect(r.render()).not.toContain('p="a"');
    expect(r.render()).toContain('c{p="b"} 1');
    expect(r.seriesCount).toBe(1);
  });

  it('omits families without series', () => {
    const r = new MetricRegistry();
    r.define('c', 'counter', 'C.');
    expect(r.render()).toBe('');
  });

  it('refuses a series of an undeclared or mismatched family', () => {
    const r = new MetricRegistry();
    r.define('c', 'counter', 'C.');
    expect(() => r.histogram('c', 'o', {})).toThrow(TypeError);
    expect(() => r.counter('nope', 'o', {})).toThrow(TypeError);
  });
});

describe('Linkerd proxy metrics', () => {
  const registry = (): MetricRegistry => {
    const r = new MetricRegistry();
    defineLinkerdFamilies(r);
    return r;
  };
  const identity = {
    namespace: 'test',
    deployment: 'podinfo',
    pod: 'podinfo-abc-x',
    podTemplateHash: 'abc',
    authority: 'podinfo.test.svc.cluster.local:9898',
  };

  it('uses Linkerd’s exact latency buckets', () => {
    expect([...LINKERD_LATENCY_BUCKETS_MS]).toEqual([
      1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000,
      10000, 20000, 30000, 40000, 50000,
    ]);
    const r = registry();
    new ProxyEndpoint(r, 'o', inboundLabels(identity)).status(200).latency?.observe(250);
    const les = lines(r.render())
      .filter((l) => l.startsWith('response_latency_ms_bucket'))
      .map((l) => /le="([^"]+)"/.exec(l)?.[1]);
    expect(les).toEqual([...LINKERD_LATENCY_BUCKETS_MS.map(String), '+Inf']);
  });

  it('classifies 5xx as failure and labels inbound series as linkerd-viz does', () => {
    const r = registry();
    const ep = new ProxyEndpoint(r, 'o', inboundLabels(identity));
    ep.requests.inc(10);
    ep.status(200).total.inc(7);
    ep.status(503).total.inc(3);
    ep.status(404).total.inc(0);
    const text = r.render();
    for (const l of lines(text)) {
      if (!l.startsWith('#')) expect(l).toMatch(SAMPLE);
    }
    const base =
      'direction="inbound",authority="podinfo.test.svc.cluster.local:9898",tls="true",' +
      'namespace="test",deployment="podinfo",pod="podinfo-abc-x",pod_template_hash="abc"';
    expect(text).toContain(`request_total{${base}} 10`);
    expect(text).toContain(`response_total{${base},status_code="200",classification="success"} 7`);
    expect(text).toContain(`response_total{${base},status_code="503",classification="failure"} 3`);
    expect(text).toContain(`response_total{${base},status_code="404",classification="success"} 0`);
    // The latency histogram carries status_code but, as in Linkerd, no classification.
    expect(text).toMatch(/response_latency_ms_count\{[^}]*status_code="503"\} 0/);
    expect(text).not.toMatch(/response_latency_ms_\w+\{[^}]*classification/);
  });

  it('the lean style keeps only what canary queries select on', () => {
    const r = registry();
    const inbound = new ProxyEndpoint(r, 'o', inboundLabels(identity, 'lean'), 'lean');
    const outbound = new ProxyEndpoint(
      r,
      'o',
      outboundLabels(
        {
          namespace: 'test',
          deployment: 'lg',
          pod: 'lg-0',
          authority: identity.authority,
          dstNamespace: 'test',
          dstService: 'podinfo-canary',
          dstDeployment: 'podinfo',
        },
        'lean',
      ),
      'lean',
      false,
    );
    inbound.status(200).latency?.observe(3);
    inbound.status(500).latency?.observe(3);
    expect(inbound.status(200).latency).toBe(inbound.status(500).latency);
    expect(outbound.status(200).latency).toBeUndefined();
    outbound.status(200).total.inc();
    const text = r.render();
    expect(text).toContain(
      'response_total{direction="inbound",namespace="test",deployment="podinfo",pod="podinfo-abc-x",status_code="500",classification="failure"} 0',
    );
    expect(text).toContain(
      'response_latency_ms_count{direction="inbound",namespace="test",deployment="podinfo",pod="podinfo-abc-x"} 2',
    );
    expect(text).toContain(
      'response_total{direction="outbound",namespace="test",deployment="lg",pod="lg-0",dst_namespace="test",dst_service="podinfo-canary",dst_deployment="podinfo",status_code="200",classification="success"} 1',
    );
    expect(text).not.toMatch(/authority|tls=|pod_template_hash/);
    expect(text).not.toMatch(/response_latency_ms_\w+\{direction="outbound"/);
  });
});
