// Computed trafficMetrics and batched template checks against the REAL Prometheus of the local
// SMI world, scraping the mesh emulator's Linkerd-format metrics. Deployments behave as their
// emulator annotations say: healthy, 30 % errors, 400 ms latency, and one without traffic.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import type { ClusterAnalysisTemplate } from '../../src/api/analysis-template.js';
import type { TrafficMetricName } from '../../src/api/constants.js';
import type { ControlPlane } from '../../dev/local/control-plane.js';
import { EMULATOR_ANNOTATIONS } from '../../dev/local/emulator/annotations.js';
import { startWorld, type World } from '../../dev/local/world.js';
import { QueryBatcher } from '../../src/metrics/batcher.js';
import { MetricSourceFactory } from '../../src/metrics/factory.js';
import { MESH_QUERIES } from '../../src/metrics/mesh-queries.js';
import { PrometheusQueryExecutor } from '../../src/metrics/prometheus-executor.js';
import { BATCH_ANNOTATION } from '../../src/metrics/prometheus-source.js';
import type { MetricResult } from '../../src/metrics/source.js';
import { ComputedTrafficMetrics } from '../../src/metrics/traffic-metrics-computed.js';
import { kubectl, kubeconfigFor, testCluster } from './helpers/env.js';

const NS = 'metrics-computed';
/** A second namespace, with a Deployment named like one of NS's but failing 30 % of requests. */
const NS2 = 'metrics-computed-b';
const WINDOW = '20s';
const RPS = '40';
const DEADLINE_MS = 120_000;

/** The shared control plane as a ControlPlane handle (the world does not stop one it was given). */
function sharedControlPlane(): ControlPlane {
  const c = testCluster();
  return {
    server: c.server,
    dir: c.dir,
    binDir: c.binDir,
    adminKubeconfig: c.kubeconfig,
    controllerKubeconfig: c.controllerKubeconfig,
    podsRunByKwok: c.podsRunByKwok,
    ca: c.ca,
    logDir: c.dir,
    startupMs: 0,
    notes: [],
    kubeconfigFor: (user, groups) => kubeconfigFor(user, groups),
    kubectl: (args, opts) => kubectl(args, opts),
    stop: () => Promise.resolve(),
  };
}

function workload(
  name: string,
  annotations: Record<string, string>,
  rps = RPS,
  namespace = NS,
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name }, annotations },
            spec: { containers: [{ name: 'app', image: 'emulated/app:1' }] },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace, annotations: { [EMULATOR_ANNOTATIONS.rps]: rps } },
        spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    ],
  });
}

let world: World | undefined;
let executor: PrometheusQueryExecutor;

function prometheusUrl(): string {
  if (world === undefined) throw new Error('the local SMI world did not start');
  return world.prometheusUrl;
}

/** Polls `probe` until `done` holds for its result (a real system warming up), or fails loudly. */
async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not reached within ${DEADLINE_MS} ms; last: ${JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    last = await probe();
  }
  return last;
}

function computed(exec = executor): ComputedTrafficMetrics {
  return new ComputedTrafficMetrics({
    mesh: MESH_QUERIES.linkerd,
    endpoint: { address: prometheusUrl() },
    batcher: new QueryBatcher(exec),
  });
}

const measure = (
  metric: TrafficMetricName,
  target: string,
  source = computed(),
  until = Date.now(),
  namespace = NS,
): Promise<MetricResult> =>
  source.measure(metric, { namespace, target, window: WINDOW, since: 0, until });

/** Traffic has filled the whole window (the rates are stable): most of RPS × window requests. */
const warm = (r: MetricResult): boolean =>
  r.kind === 'value' && (r.requests ?? 0) >= 0.85 * Number(RPS) * 20;

beforeAll(async () => {
  world = await startWorld({ controlPlane: sharedControlPlane(), scrapeIntervalSeconds: 1 });
  executor = new PrometheusQueryExecutor();
  for (const ns of [NS, NS2]) {
    const created = await kubectl(['create', 'namespace', ns]);
    expect(created.code).toBe(0);
  }
  const apply = await kubectl(['apply', '-f', '-'], {
    input: [
      workload('healthy', {}),
      workload('flaky', { [EMULATOR_ANNOTATIONS.errorRate]: '0.3' }),
      workload('slow', { [EMULATOR_ANNOTATIONS.latencyMs]: '400' }),
      workload('idle', {}, '0'),
      workload('healthy', { [EMULATOR_ANNOTATIONS.errorRate]: '0.3' }, RPS, NS2),
    ].join('\n'),
  });
  expect(apply.code).toBe(0);
  for (const name of ['healthy', 'flaky', 'slow']) {
    await eventually(() => measure('success-rate', name), warm, `traffic for ${name}`);
  }
  await eventually(
    () => measure('success-rate', 'healthy', computed(), Date.now(), NS2),
    warm,
    `traffic for ${NS2}/healthy`,
  );
}, 240_000);

afterAll(async () => {
  await kubectl(['delete', 'namespace', NS, NS2, '--wait=false']);
  await world?.stop();
});

describe('Linkerd trafficMetrics computed from the real Prometheus', () => {
  it('gives ≈100 % success for a healthy Deployment and ≈70 % for error-rate 0.3', async () => {
    const healthy = await measure('success-rate', 'healthy');
    expect(healthy).toMatchObject({ kind: 'value', value: 100 });
    const flaky = await measure('success-rate', 'flaky');
    expect(flaky.kind).toBe('value');
    if (flaky.kind === 'value') {
      expect(flaky.value).toBeGreaterThan(64);
      expect(flaky.value).toBeLessThan(76);
      expect(flaky.requests).toBeGreaterThanOrEqual(0.85 * Number(RPS) * 20);
    }
  });

  it('gives a p99 that reflects latency-ms', async () => {
    const slow = await measure('p99_response_latency', 'slow');
    const healthy = await measure('p99_response_latency', 'healthy');
    // 400 ms ± 10 % jitter: the p99 lands in Linkerd's (400, 500] bucket.
    expect(slow.kind === 'value' && slow.value).toBeGreaterThan(400);
    expect(slow.kind === 'value' && slow.value).toBeLessThanOrEqual(500);
    // 5 ms default: the p99 stays in the (5, 10] bucket.
    expect(healthy.kind === 'value' && healthy.value).toBeLessThanOrEqual(10);
  });

  it('derives request rate and counts consistently', async () => {
    const source = computed();
    // One window end for the three, or they measure windows a few milliseconds apart.
    const until = Date.now();
    const [rate, ok, failed] = await Promise.all([
      measure('request-rate', 'flaky', source, until),
      measure('success_count', 'flaky', source, until),
      measure('failure_count', 'flaky', source, until),
    ]);
    expect(rate.kind === 'value' && ok.kind === 'value' && failed.kind === 'value').toBe(true);
    if (rate.kind !== 'value' || ok.kind !== 'value' || failed.kind !== 'value') return;
    expect(ok.value + failed.value).toBeCloseTo(ok.requests ?? Number.NaN, 6);
    expect(rate.value).toBeCloseTo((ok.requests ?? 0) / 20, 6);
    // 40 rps configured; extrapolation and scrape timing blur it a little.
    expect(rate.value).toBeGreaterThan(30);
    expect(rate.value).toBeLessThan(50);
  });

  it('reports no data for a Deployment without traffic', async () => {
    expect(await measure('success-rate', 'idle')).toMatchObject({ kind: 'noData' });
  });
});

describe('batching against the real Prometheus', () => {
  /** Prometheus's own count of /api/v1/query requests, from its /metrics (not a query). */
  async function queryRequests(): Promise<number> {
    const text = await (await fetch(`${prometheusUrl()}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) {
      if (
        line.startsWith('prometheus_http_requests_total{') &&
        line.includes('handler="/api/v1/query"')
      ) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  it('answers several canaries of one namespace with ONE query, per-deployment values fanned out', async () => {
    const counting = new PrometheusQueryExecutor();
    const source = computed(counting);
    const before = await queryRequests();
    // Judged at one point, as canaries whose steps end on the same grid point are: asks for
    // different window ends never share a round (each reading Date.now() once gave 4 queries
    // whenever the calls straddled a millisecond, seen in two fresh CI runs).
    const until = Date.now();
    const results = await Promise.all(
      ['healthy', 'flaky', 'slow', 'idle'].map((t) => measure('success-rate', t, source, until)),
    );
    const after = await queryRequests();
    expect(counting.queriesSent).toBe(1);
    expect(after - before).toBe(1);
    const [healthy, flaky, slow, idle] = results;
    expect(healthy).toMatchObject({ kind: 'value', value: 100 });
    expect(flaky?.kind === 'value' && Math.abs(flaky.value - 70)).toBeLessThan(6);
    expect(slow).toMatchObject({ kind: 'value', value: 100 });
    expect(idle).toMatchObject({ kind: 'noData' });
  });

  it("answers canaries of two namespaces with ONE query, each with its own namespace's series", async () => {
    const counting = new PrometheusQueryExecutor();
    const source = computed(counting);
    const before = await queryRequests();
    const until = Date.now();
    // Both namespaces have a Deployment `healthy`; only NS's is healthy.
    const [here, there, flaky] = await Promise.all([
      measure('success-rate', 'healthy', source, until, NS),
      measure('success-rate', 'healthy', source, until, NS2),
      measure('success-rate', 'flaky', source, until, NS),
    ]);
    const after = await queryRequests();
    expect(counting.queriesSent).toBe(1);
    expect(after - before).toBe(1);
    expect(here).toMatchObject({ kind: 'value', value: 100 });
    expect(there.kind === 'value' && Math.abs(there.value - 70)).toBeLessThan(6);
    expect(flaky.kind === 'value' && Math.abs(flaky.value - 70)).toBeLessThan(6);
    // A Deployment asked about in one namespace is not measured in the other: NS2 has no `flaky`.
    const absent = await measure('success-rate', 'flaky', source, until, NS2);
    expect(absent).toMatchObject({ kind: 'noData' });
  });

  it('runs the shipped Linkerd templates batched through the factory', async () => {
    const file = fileURLToPath(new URL('../../analysis-templates/linkerd.yaml', import.meta.url));
    const [rate, p99] = parseAllDocuments(readFileSync(file, 'utf8')).map(
      (d) => d.toJS() as ClusterAnalysisTemplate,
    );
    if (rate === undefined || p99 === undefined)
      throw new Error('linkerd.yaml must hold two templates');
    expect(rate.metadata.annotations?.[BATCH_ANNOTATION]).toBe('deployment');
    const counting = new PrometheusQueryExecutor();
    const factory = new MetricSourceFactory({
      config: { prometheusAddress: prometheusUrl(), trafficMetrics: 'computed' },
      executor: counting,
      logger: pino({ level: 'silent' }),
    });
    // One window for all: checks judged at the same point of the step grid.
    const until = Date.now();
    const ctx = (target: string) => ({ namespace: NS, target, window: WINDOW, since: 0, until });
    const rateMetric = {
      name: 'sr',
      templateRef: { name: rate.metadata.name ?? '', kind: 'ClusterAnalysisTemplate' as const },
      thresholdRange: { min: 99 },
    };
    const p99Metric = {
      name: 'p99',
      templateRef: { name: p99.metadata.name ?? '', kind: 'ClusterAnalysisTemplate' as const },
      thresholdRange: { max: 500 },
    };
    const resolved = (t: ClusterAnalysisTemplate) => ({
      kind: t.kind,
      name: t.metadata.name ?? '',
      spec: t.spec,
      annotations: t.metadata.annotations ?? {},
    });
    const targets = ['healthy', 'flaky', 'slow'];
    const rates = await Promise.all(
      targets.map((t) => factory.forMetric(rateMetric, resolved(rate)).measure(ctx(t))),
    );
    const latencies = await Promise.all(
      targets.map((t) => factory.forMetric(p99Metric, resolved(p99)).measure(ctx(t))),
    );
    expect(counting.queriesSent).toBe(2);
    expect(rates[0]).toMatchObject({ kind: 'value', value: 100 });
    expect(rates[1]?.kind === 'value' && Math.abs(rates[1].value - 70)).toBeLessThan(6);
    expect(latencies[2]?.kind === 'value' && latencies[2].value).toBeGreaterThan(400);
    expect(latencies[0]?.kind === 'value' && latencies[0].value).toBeLessThanOrEqual(10);
  });
});
