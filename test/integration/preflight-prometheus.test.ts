// Pre-flight (issue 12 items 2 and 6) against a REAL Prometheus scraping every 2 s: the query
// runs through the controller's executor and Prometheus's own parse error comes back, the scrape
// interval is read from the server's /api/v1/status/config, a server that does not answer is told
// apart from a broken query, and `weightlifter validate --prometheus-url` (real API server) runs
// the same checks.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { stringify } from 'yaml';
import type { Canary, Metric } from '../../src/api/canary.js';
import { preflightReport } from '../../src/analysis/preflight.js';
import { createUrlPolicy } from '../../src/outbound/url-policy.js';
import { freePort } from '../../dev/local/ports.js';
import { startPrometheus, type Prometheus } from '../../dev/local/prometheus.js';
import { MetricSourceFactory } from '../../src/metrics/factory.js';
import { PrometheusQueryExecutor } from '../../src/metrics/prometheus-executor.js';
import { deployment, runCli } from './cli-harness.js';

/** The local world listens on loopback, blocked unless unblocked (as its controller does). */
const LOOPBACK = createUrlPolicy({ unblockedCidrs: ['127.0.0.0/8'] });

jest.setTimeout(60_000);

let prom: Prometheus;

beforeAll(async () => {
  // Its one job scrapes a port nobody listens on: the interval is what matters, not the data.
  prom = await startPrometheus({
    targets: [`127.0.0.1:${String(await freePort())}`],
    scrapeIntervalSeconds: 2,
  });
});

afterAll(async () => {
  await prom.stop();
});

const silent = pino({ level: 'silent' });

function canaryWith(metrics: Metric[]): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { namespace: 'shop', name: 'web' },
    spec: {
      targetRef: { name: 'web' },
      service: { port: 80 },
      analysis: { interval: '30s', stepWeight: 10, metrics },
    },
  } as unknown as Canary;
}

const inline = (name: string, query: string, interval: string, address?: string): Metric => ({
  name,
  interval,
  prometheus: { query, ...(address === undefined ? {} : { address }) },
  thresholdRange: { min: 0 },
});

const RATE = 'sum(rate(response_total{namespace="{{ namespace }}"}[{{ interval }}]))';

function preflight(metrics: Metric[]) {
  const metricSources = new MetricSourceFactory({
    config: { prometheusAddress: prom.url, trafficMetrics: 'computed', addressPolicy: LOOPBACK },
    executor: new PrometheusQueryExecutor({ logger: silent, timeoutMs: 5_000 }),
    logger: silent,
  });
  return preflightReport(
    { metricSources, urlPolicy: LOOPBACK, template: () => Promise.resolve(undefined) },
    canaryWith(metrics),
  );
}

describe('pre-flight against a real Prometheus', () => {
  it('passes queries that run, with an empty answer, over windows of two scrapes', async () => {
    const r = await preflight([
      inline('rate', RATE, '4s'),
      {
        name: 'p99',
        interval: '4s',
        trafficMetrics: { metric: 'p99_response_latency' },
        thresholdRange: { max: 1 },
      },
    ]);
    // The slowest scrape interval read from Prometheus's config: fail-fast's cadence.
    expect(r).toEqual({ problems: [], notes: [], scrapeMs: 2000 });
  });

  it("reports Prometheus's own parse error for a PromQL syntax error", async () => {
    const r = await preflight([inline('broken', 'sum(rate(up[{{ interval }}])', '4s')]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ check: 'broken', reason: 'QueryInvalid' });
    expect(r.problems[0]?.message).toMatch(
      new RegExp(
        `^query "sum\\(rate\\(up\\[4s\\]\\)" on ${prom.url}: prometheus query failed \\(HTTP 400\\): .*parse error`,
      ),
    );
  });

  it("refuses windows of fewer than 2 scrapes, with the server's own scrape interval", async () => {
    const r = await preflight([
      inline('rate', RATE, '3s'),
      {
        name: 'sr',
        interval: '3s',
        trafficMetrics: { metric: 'success-rate' },
        thresholdRange: { min: 99 },
      },
    ]);
    const message = `window 3s holds fewer than 2 scrapes: ${prom.url} scrapes job "linkerd-proxy" every 2s; use a window of at least 4s`;
    expect(r.problems).toEqual([
      {
        check: 'rate',
        reason: 'AnalysisWindowTooShort',
        field: 'spec.analysis.metrics[0].interval',
        message,
      },
      {
        check: 'sr',
        reason: 'AnalysisWindowTooShort',
        field: 'spec.analysis.metrics[1].interval',
        message,
      },
    ]);
  });

  it('tells a server that does not answer apart from a broken query', async () => {
    const down = `http://127.0.0.1:${String(await freePort())}`;
    const r = await preflight([inline('elsewhere', RATE, '4s', down)]);
    expect(r.problems).toMatchObject([{ check: 'elsewhere', reason: 'MetricsUnavailable' }]);
    expect(r.problems[0]?.message).toContain('ECONNREFUSED');
  });
});

describe('weightlifter validate --prometheus-url (real API server and Prometheus)', () => {
  const file = (...docs: unknown[]): string => docs.map((d) => stringify(d)).join('---\n');
  const canary = (name: string, metrics: Metric[]) => ({
    ...canaryWith(metrics),
    metadata: { namespace: 'default', name },
    spec: { ...canaryWith(metrics).spec, targetRef: { name } },
  });

  it('runs the same pre-flight: the server refuses the query, the window is too short', async () => {
    const text = file(
      deployment('default', 'pf'),
      canary('pf', [
        inline('broken', 'sum(rate(up[{{ interval }}])', '4s'),
        inline('short', RATE, '3s'),
      ]),
    );
    const r = await runCli(['validate', '-f', 'pf.yaml', '--prometheus-url', prom.url], {
      files: { 'pf.yaml': text },
    });
    expect(r.exitCode).toBe(1);
    const problems = r.stdout.split('\n').filter((l) => l.startsWith('  x '));
    expect(problems).toEqual([
      expect.stringMatching(
        /^ {2}x spec\.analysis\.metrics\[0\]\.prometheus\.query: query "sum\(rate\(up\[4s\]\)" on .*HTTP 400.*parse error.* \(controller\)$/,
      ),
      `  x spec.analysis.metrics[1].interval: window 3s holds fewer than 2 scrapes: ${prom.url} scrapes job "linkerd-proxy" every 2s; use a window of at least 4s (controller)`,
    ]);
  });

  it('sends nothing without --prometheus-url, and warns about a Canary that promotes blind', async () => {
    const text = file(
      deployment('default', 'blind'),
      canary('blind', []),
      canary('short', [inline('short', RATE, '3s')]),
    );
    const r = await runCli(['validate', '-f', 'b.yaml'], { files: { 'b.yaml': text } });
    expect(r.stdout).toContain(
      'b.yaml: document 2 (Canary default/blind): warning: promotes blind: no metrics and no gate webhooks',
    );
    // Without a server, the 3s window cannot be held to a scrape interval: only the missing
    // target Deployment of the third document is a problem.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('  x '))).toEqual([
      '  x spec.targetRef.name: Deployment default/short not found (in the cluster or in this file) (controller)',
    ]);
  });
});
