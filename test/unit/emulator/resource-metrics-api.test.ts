import { describe, expect, it } from '@jest/globals';
import {
  resourceMetricsAnswer,
  type PodMetricsSource,
} from '../../../dev/local/emulator/resource-metrics-api.js';
import type { PodMetricsJson } from '../../../dev/local/emulator/resource-usage.js';

const BASE = '/apis/metrics.k8s.io/v1beta1';

function metrics(namespace: string, name: string, labels: Record<string, string>): PodMetricsJson {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name, namespace, labels, creationTimestamp: '2026-12-05T00:00:00Z' },
    timestamp: '2026-12-05T00:00:00Z',
    window: '5s',
    containers: [{ name: 'app', usage: { cpu: '1000000n', memory: '16Mi' } }],
  };
}

const ALL = [
  metrics('shop', 'web-1', { app: 'web' }),
  metrics('shop', 'api-1', { app: 'api' }),
  metrics('bank', 'web-1', { app: 'web' }),
];
const source: PodMetricsSource = {
  podMetrics: (ns) => ALL.filter((m) => ns === undefined || m.metadata.namespace === ns),
};

const answer = (path: string, query = '') =>
  resourceMetricsAnswer(path, new URLSearchParams(query), source);
const names = (body: object): string[] =>
  (body as { items: PodMetricsJson[] }).items.map(
    (m) => `${m.metadata.namespace}/${m.metadata.name}`,
  );

describe('the emulated resource metrics API', () => {
  it('answers discovery for metrics.k8s.io/v1beta1: pods and nodes', () => {
    expect(answer('/apis').body).toMatchObject({
      kind: 'APIGroupList',
      groups: [{ name: 'metrics.k8s.io', preferredVersion: { version: 'v1beta1' } }],
    });
    expect(answer('/apis/metrics.k8s.io/').body).toMatchObject({ kind: 'APIGroup' });
    expect(answer(BASE).body).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'metrics.k8s.io/v1beta1',
      resources: [
        { name: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
        { name: 'pods', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
      ],
    });
    expect(answer('/openapi/v2')).toMatchObject({ code: 200, body: { swagger: '2.0' } });
  });

  it('lists PodMetrics of a namespace, or of all, filtered by labelSelector', () => {
    expect(names(answer(`${BASE}/namespaces/shop/pods`).body)).toEqual([
      'shop/web-1',
      'shop/api-1',
    ]);
    expect(names(answer(`${BASE}/pods`).body)).toHaveLength(3);
    expect(names(answer(`${BASE}/pods`, 'labelSelector=app%3Dweb').body)).toEqual([
      'shop/web-1',
      'bank/web-1',
    ]);
    expect(
      names(answer(`${BASE}/namespaces/shop/pods`, 'labelSelector=app+in+(api,db)').body),
    ).toEqual(['shop/api-1']);
    expect(answer(`${BASE}/namespaces/shop/pods`).body).toMatchObject({
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
    });
  });

  it('gets one PodMetrics by name, 404 for a pod it has none of', () => {
    expect(answer(`${BASE}/namespaces/bank/pods/web-1`)).toMatchObject({
      code: 200,
      body: { metadata: { namespace: 'bank', name: 'web-1' } },
    });
    expect(answer(`${BASE}/namespaces/bank/pods/api-1`)).toMatchObject({
      code: 404,
      body: { kind: 'Status', reason: 'NotFound' },
    });
  });

  it('lists no NodeMetrics', () => {
    expect(answer(`${BASE}/nodes`)).toEqual({
      code: 200,
      body: {
        kind: 'NodeMetricsList',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {},
        items: [],
      },
    });
    expect(answer(`${BASE}/nodes/kwok-node-0`).code).toBe(404);
  });

  it('refuses a bad labelSelector and any fieldSelector with 400', () => {
    expect(answer(`${BASE}/pods`, 'labelSelector=app+in+(').body).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
    expect(answer(`${BASE}/pods`, 'fieldSelector=metadata.name%3Dweb-1').code).toBe(400);
  });

  it('finds nothing elsewhere', () => {
    for (const path of [
      '/api/v1/pods',
      `${BASE}/namespaces/shop`,
      `${BASE}/namespaces/shop/deployments`,
      `${BASE}/namespaces/shop/pods/web-1/edges`,
      '/apis/metrics.smi-spec.io/v1alpha1',
    ]) {
      expect([path, answer(path).code]).toEqual([path, 404]);
    }
  });
});
