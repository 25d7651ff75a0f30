// The SMI TrafficMetrics client against the real kube-apiserver. No weightlifter metrics server
// is registered here (that is a later issue), so this covers what a cluster without the API does:
// discovery says 404, trafficMetrics checks fall back to the computed source (logged once); and a
// registered APIService whose backend is missing is an error, not a silent fallback.
import { afterAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { kubeGetTransport } from '../../src/metrics/kube-transport.js';
import { valueResult, type MetricSource } from '../../src/metrics/source.js';
import {
  SMI_METRICS_BASE,
  TrafficMetricsApiClient,
} from '../../src/metrics/traffic-metrics-api.js';
import { TrafficMetricsApiSource } from '../../src/metrics/traffic-metrics-api-source.js';
import { kubeConfig, kubectl, testCluster } from './helpers/env.js';

const ctx = { namespace: 'default', target: 'web', window: '30s', since: 0, until: Date.now() };
const APISERVICE = 'v1alpha1.metrics.smi-spec.io';

function logRecords(): { logger: pino.Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (l: string) => records.push(JSON.parse(l) as Record<string, unknown>) },
  );
  return { logger, records };
}

function recordingFallback(): { calls: string[]; fallback: (m: string) => MetricSource } {
  const calls: string[] = [];
  return {
    calls,
    fallback: (metric) => ({
      kind: 'computed',
      measure: () => {
        calls.push(metric);
        return Promise.resolve(valueResult(99.5, 1000));
      },
    }),
  };
}

afterAll(async () => {
  await kubectl(['delete', 'apiservice', APISERVICE, '--ignore-not-found']);
});

describe('SMI TrafficMetrics API on a cluster that does not serve it', () => {
  it.each([
    ['the admin', () => testCluster().kubeconfig],
    ['the controller', () => testCluster().controllerKubeconfig],
  ])('is reported as not served to %s identity', async (_who, path) => {
    const client = new TrafficMetricsApiClient(kubeGetTransport(kubeConfig(path())));
    expect(await client.discover()).toMatchObject({ kind: 'notServed' });
  });

  it('answers a workload GET with 404 -> not served', async () => {
    const client = new TrafficMetricsApiClient(kubeGetTransport(kubeConfig()));
    const answer = await client.get('default', 'deployments', 'web', '30s');
    expect(answer.kind).toBe('notServed');
    if (answer.kind === 'notServed')
      expect(answer.reason).toContain(`${SMI_METRICS_BASE}/namespaces/default/deployments/web`);
  });

  it('falls back to the computed source for every check, logging it once', async () => {
    const { logger, records } = logRecords();
    const { calls, fallback } = recordingFallback();
    const source = new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(
        kubeGetTransport(kubeConfig(testCluster().controllerKubeconfig)),
      ),
      logger,
      fallback,
    });
    expect(await source.measure('success-rate', ctx)).toEqual({
      kind: 'value',
      value: 99.5,
      requests: 1000,
    });
    expect(await source.measure('p99_response_latency', ctx)).toEqual({
      kind: 'value',
      value: 99.5,
      requests: 1000,
    });
    expect(calls).toEqual(['success-rate', 'p99_response_latency']);
    expect(source.status().mode).toBe('computed');
    expect(
      records.filter(
        (r) =>
          r['msg'] === 'SMI TrafficMetrics API not served; trafficMetrics computed from Prometheus',
      ),
    ).toHaveLength(1);
  });
});

describe('SMI TrafficMetrics API registered without a working backend', () => {
  it('is an error, not a silent fallback', async () => {
    const apply = await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: APISERVICE },
        spec: {
          group: 'metrics.smi-spec.io',
          version: 'v1alpha1',
          service: { namespace: 'default', name: 'no-such-metrics-server', port: 443 },
          insecureSkipTLSVerify: true,
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      }),
    });
    expect(apply.code).toBe(0);
    try {
      const { calls, fallback } = recordingFallback();
      const source = new TrafficMetricsApiSource({
        client: new TrafficMetricsApiClient(kubeGetTransport(kubeConfig())),
        logger: pino({ level: 'silent' }),
        fallback,
      });
      // The aggregator answers 503 for the group once it has seen the APIService (poll briefly).
      const deadline = Date.now() + 30_000;
      let result = await source.measure('success-rate', ctx);
      while (result.kind !== 'error' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        result = await new TrafficMetricsApiSource({
          client: new TrafficMetricsApiClient(kubeGetTransport(kubeConfig())),
          logger: pino({ level: 'silent' }),
          fallback,
        }).measure('success-rate', ctx);
      }
      expect(result.kind).toBe('error');
      if (result.kind === 'error') expect(result.error.message).toMatch(/503/);
      expect(calls).toEqual([]);
    } finally {
      await kubectl(['delete', 'apiservice', APISERVICE, '--ignore-not-found']);
    }
  });
});
