// `weightlifter metrics-api` registered with the real kube-apiserver's aggregation layer (an
// APIService whose ExternalName Service names localhost) and computing from the real Prometheus
// that scrapes the mesh emulator. The server runs as its own ServiceAccount identity with exactly
// deploy/metrics-api/rbac.yaml; the client under test is src/metrics (mode 'api', no fallback).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { EMULATOR_ANNOTATIONS as A } from '../../dev/local/emulator/annotations.js';
import { httpGet } from '../../dev/local/http.js';
import {
  serviceAccountKubeconfig,
  startLocalMetricsApi,
  type LocalMetricsApi,
} from '../../dev/local/metrics-api-registration.js';
import { PROXY_CLIENT_NAME } from '../../dev/local/pki.js';
import { startWorld, type World } from '../../dev/local/world.js';
import type { RequestInfo } from '../../src/metrics-api/handler.js';
import { loadKubeConfig } from '../../src/kube/client.js';
import { kubeGetTransport } from '../../src/metrics/kube-transport.js';
import { parseQuantity } from '../../src/metrics/quantity.js';
import { TrafficMetricsApiClient } from '../../src/metrics/traffic-metrics-api.js';
import { TrafficMetricsApiSource } from '../../src/metrics/traffic-metrics-api-source.js';
import {
  apply,
  deploymentYaml,
  docs,
  firstSeen,
  namespaceYaml,
  serviceYaml,
  uniqueNamespace,
  waitForReadyPods,
  waitForSpan,
} from './world-helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const B = '/apis/metrics.smi-spec.io/v1alpha1';
const CONTROLLER_USER = 'system:serviceaccount:weightlifter-system:weightlifter';
const RPS = 200;

let world: World;
let api: LocalMetricsApi;
const served: RequestInfo[] = [];
const ns = uniqueNamespace('mapi');

interface Metric {
  name: string;
  unit?: string;
  value: string;
}
interface TrafficMetricsJson {
  kind: string;
  window: string;
  resource: { kind: string; namespace?: string; name: string };
  edge: {
    direction: string;
    side: string;
    resource: null | { kind: string; namespace?: string; name: string };
  };
  metrics: Metric[];
}
interface ListJson {
  kind: string;
  items: TrafficMetricsJson[];
}

const file = (...parts: string[]) => readFile(join(REPO, ...parts), 'utf8');

async function raw(path: string, kubeconfig?: string) {
  return world.controlPlane.kubectl(
    ['get', '--raw', path],
    kubeconfig === undefined ? {} : { kubeconfig },
  );
}

async function rawJson<T>(path: string): Promise<T> {
  const r = await raw(path);
  if (r.code !== 0) throw new Error(`kubectl get --raw ${path} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function value(obj: TrafficMetricsJson, name: string): number {
  const metric = obj.metrics.find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no ${name} in ${JSON.stringify(obj)}`);
  const parsed = parseQuantity(metric.value);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

const successRate = (obj: TrafficMetricsJson): number => {
  const s = value(obj, 'success_count');
  return (s / (s + value(obj, 'failure_count'))) * 100;
};

beforeAll(async () => {
  world = await startWorld({ logger: pino({ level: 'silent' }) });
  const cp = world.controlPlane;
  // What an operator installs: the namespace, the controller's RBAC, the server's RBAC.
  await apply(world, await file('deploy', 'namespace.yaml'));
  await apply(world, await file('deploy', 'rbac.yaml'));
  await apply(world, await file('deploy', 'metrics-api', 'service-account.yaml'));
  await apply(world, await file('deploy', 'metrics-api', 'rbac.yaml'));
  const identity = await serviceAccountKubeconfig(cp);
  api = await startLocalMetricsApi(cp, {
    prometheusUrl: world.prometheusUrl,
    kubeconfig: identity,
    dir: await mkdtemp(join(tmpdir(), 'wl-metrics-api-')),
    onRequest: (info) => {
      served.push(info);
    },
  });
  await apply(
    world,
    docs(
      namespaceYaml(ns),
      deploymentYaml(ns, 'faulty', { annotations: { [A.errorRate]: '0.3', [A.latencyMs]: '250' } }),
      serviceYaml(ns, 'faulty', { app: 'faulty' }, RPS),
      deploymentYaml(ns, 'healthy', { annotations: { [A.latencyMs]: '35' } }),
      serviceYaml(ns, 'healthy', { app: 'healthy' }, RPS),
      deploymentYaml(ns, 'idle'),
      serviceYaml(ns, 'idle', { app: 'idle' }, 0),
    ),
  );
  await waitForReadyPods(world, ns, { faulty: 1, healthy: 1, idle: 1 });
  const seen = await firstSeen(
    world,
    `count(count(response_total{namespace="${ns}",direction="inbound"}) by (deployment)) == 2`,
  );
  // Every request below asks for ?t=10s: wait until Prometheus holds 10 s for both workloads.
  await waitForSpan(seen, 12);
}, 180_000);

afterAll(async () => {
  // Undefined when beforeAll failed half way.
  await (api as LocalMetricsApi | undefined)?.stop();
  await (world as World | undefined)?.stop();
}, 60_000);

describe('the aggregated API through kube-apiserver', () => {
  it('is Available and discoverable', async () => {
    const r = await world.controlPlane.kubectl([
      'api-resources',
      '--api-group=metrics.smi-spec.io',
    ]);
    expect(r.code).toBe(0);
    for (const resource of ['deployments', 'pods', 'namespaces']) {
      expect(r.stdout).toMatch(new RegExp(`^${resource}\\s.*TrafficMetrics`, 'm'));
    }
  });

  it('kubectl get --raw a Deployment: success rate ≈ 70 % for error-rate 0.3, p99 in the 250 ms bucket', async () => {
    const obj = await rawJson<TrafficMetricsJson>(`${B}/namespaces/${ns}/deployments/faulty?t=10s`);
    expect(obj).toMatchObject({
      kind: 'TrafficMetrics',
      window: '10s',
      resource: { kind: 'Deployment', namespace: ns, name: 'faulty' },
      edge: { direction: 'from', resource: null },
    });
    expect(obj.metrics.map((m) => [m.name, m.unit])).toEqual([
      ['p99_response_latency', 'ms'],
      ['p90_response_latency', 'ms'],
      ['p50_response_latency', 'ms'],
      ['success_count', undefined],
      ['failure_count', undefined],
    ]);
    // ~2000 requests in 10 s: one standard deviation of the rate is about 1 point.
    expect(successRate(obj)).toBeGreaterThan(65);
    expect(successRate(obj)).toBeLessThan(75);
    const total = value(obj, 'success_count') + value(obj, 'failure_count');
    expect(total).toBeGreaterThan(RPS * 10 * 0.8);
    expect(total).toBeLessThan(RPS * 10 * 1.2);
    // 250 ms ± 10 % lies in Linkerd's (200, 300] bucket.
    expect(value(obj, 'p99_response_latency')).toBeGreaterThan(200);
    expect(value(obj, 'p99_response_latency')).toBeLessThanOrEqual(300);
    // Values are milli-Quantities as smi-metrics writes them.
    for (const m of obj.metrics) expect(m.value).toMatch(/^\d+(m|k)?$/);
  });

  it('a healthy Deployment has no failures and its own latency', async () => {
    const obj = await rawJson<TrafficMetricsJson>(
      `${B}/namespaces/${ns}/deployments/healthy?t=10s`,
    );
    expect(obj.metrics.find((m) => m.name === 'failure_count')?.value).toBe('0');
    expect(successRate(obj)).toBe(100);
    expect(value(obj, 'p99_response_latency')).toBeGreaterThan(30);
    expect(value(obj, 'p99_response_latency')).toBeLessThanOrEqual(40);
  });

  it('/edges lists the caller (the load generator) with its own figures', async () => {
    const list = await rawJson<ListJson>(`${B}/namespaces/${ns}/deployments/faulty/edges?t=10s`);
    expect(list.kind).toBe('TrafficMetricsList');
    const callers = list.items.filter((i) => i.edge.direction === 'from');
    expect(callers.map((i) => i.edge.resource)).toEqual([
      { kind: 'Deployment', namespace: ns, name: 'weightlifter-loadgen' },
    ]);
    const [caller] = callers;
    if (caller === undefined) throw new Error('no caller');
    expect(caller.resource).toEqual({ kind: 'Deployment', namespace: ns, name: 'faulty' });
    expect(caller.edge.side).toBe('client');
    expect(successRate(caller)).toBeGreaterThan(65);
    expect(successRate(caller)).toBeLessThan(75);
    // The load generator's own edges: it calls both workloads.
    const loadgen = await rawJson<ListJson>(
      `${B}/namespaces/${ns}/deployments/weightlifter-loadgen/edges?t=10s`,
    );
    expect(
      loadgen.items
        .filter((i) => i.edge.direction === 'to')
        .map((i) => i.edge.resource?.name)
        .sort(),
    ).toEqual(['faulty', 'healthy']);
  });

  it('lists Deployments and Pods of a namespace and the namespace itself', async () => {
    const deployments = await rawJson<ListJson>(`${B}/namespaces/${ns}/deployments?t=10s`);
    expect(deployments.items.map((i) => i.resource.name)).toEqual(['faulty', 'healthy']);
    const pods = await rawJson<ListJson>(`${B}/namespaces/${ns}/pods?t=10s`);
    expect(pods.items).toHaveLength(2);
    expect(pods.items.every((i) => i.resource.kind === 'Pod')).toBe(true);
    const namespace = await rawJson<TrafficMetricsJson>(`${B}/namespaces/${ns}?t=10s`);
    expect(namespace.resource).toEqual({ kind: 'Namespace', name: ns });
    expect(successRate(namespace)).toBeGreaterThan(80);
    expect(successRate(namespace)).toBeLessThan(90);
  });

  it('a Deployment without traffic is a 500 "unable to lookup metrics"', async () => {
    const r = await raw(`${B}/namespaces/${ns}/deployments/idle?t=10s`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unable to lookup metrics');
    expect(
      served.some((s) => s.status === 500 && s.path === `${B}/namespaces/${ns}/deployments/idle`),
    ).toBe(true);
  });
});

describe('authentication and authorization', () => {
  it('refuses a request without credentials at the kube-apiserver', async () => {
    const r = await httpGet(
      `${world.controlPlane.server}${B}/namespaces/${ns}/deployments/faulty`,
      {
        ca: world.controlPlane.ca.cert,
      },
    );
    expect([401, 403]).toContain(r.status);
  });

  it('refuses a request without credentials sent straight to the server', async () => {
    const r = await httpGet(`${api.server.url}${B}/namespaces/${ns}/deployments/faulty`, {
      ca: api.certificate.ca.cert,
    });
    expect(r.status).toBe(401);
  });

  it('refuses a user without RBAC on metrics.smi-spec.io (403), serves one with the reader role', async () => {
    const cp = world.controlPlane;
    const nobody = await cp.kubeconfigFor('nobody');
    const denied = await raw(`${B}/namespaces/${ns}/deployments/faulty`, nobody);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Forbidden|forbidden/);
    await apply(
      world,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: metrics-reader, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: 'weightlifter-metrics-api:reader'}
subjects: [{kind: User, name: reader, apiGroup: rbac.authorization.k8s.io}]
`,
    );
    const reader = await cp.kubeconfigFor('reader');
    const allowed = await raw(`${B}/namespaces/${ns}/deployments/faulty/edges?t=10s`, reader);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    // The server asked the API server too, and answered the proxied user.
    expect(served.some((s) => s.user === 'reader' && s.status === 200)).toBe(true);
    // Bound in one namespace only: another namespace stays forbidden.
    const elsewhere = await raw(`${B}/namespaces/default/deployments/faulty`, reader);
    expect(elsewhere.stderr).toMatch(/[Ff]orbidden/);
  });

  it('the server itself refuses a proxied user its SubjectAccessReview denies', async () => {
    // The aggregator's own client certificate, as the control plane created it.
    const pki = join(world.controlPlane.dir, 'pki');
    const cert = join(pki, `${PROXY_CLIENT_NAME}.crt`);
    const key = join(pki, `${PROXY_CLIENT_NAME}.key`);
    expect(existsSync(cert) && existsSync(key)).toBe(true);
    const [ca, certPem, keyPem] = await Promise.all(
      [api.certificate.ca.cert, cert, key].map((p) => readFile(p)),
    );
    const get = (user: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${api.server.url}${B}/namespaces/${ns}/deployments/faulty?t=10s`,
          {
            ca,
            cert: certPem,
            key: keyPem,
            agent: false,
            headers: { 'X-Remote-User': user, 'X-Remote-Group': 'system:authenticated' },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              resolve(res.statusCode ?? 0);
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await get('nobody')).toBe(403);
    expect(await get(CONTROLLER_USER)).toBe(200);
  });
});

describe('the weightlifter client reads it (mode api, no fallback)', () => {
  it('reports the API as served and measures success rate and p99 through it', async () => {
    const kc = loadKubeConfig({ kubeconfigPath: world.controlPlane.controllerKubeconfig });
    const source = new TrafficMetricsApiSource({
      client: new TrafficMetricsApiClient(kubeGetTransport(kc)),
      logger: pino({ level: 'silent' }),
    });
    const ctx = { namespace: ns, target: 'faulty', window: '10s', since: 0, until: Date.now() };
    const rate = await source.measure('success-rate', ctx);
    expect(source.status().mode).toBe('api');
    expect(rate.kind).toBe('value');
    if (rate.kind === 'value') {
      expect(rate.value).toBeGreaterThan(65);
      expect(rate.value).toBeLessThan(75);
      expect(rate.requests).toBeGreaterThan(RPS * 10 * 0.8);
    }
    const p99 = await source.measure('p99_response_latency', ctx);
    expect(p99.kind).toBe('value');
    if (p99.kind === 'value') {
      expect(p99.value).toBeGreaterThan(200);
      expect(p99.value).toBeLessThanOrEqual(300);
    }
    const idle = await source.measure('success-rate', { ...ctx, target: 'idle' });
    expect(idle.kind).toBe('noData');
    // The controller's identity went through the aggregator to this server.
    expect(
      served.some(
        (s) =>
          s.user === CONTROLLER_USER &&
          s.path === `${B}/namespaces/${ns}/deployments/faulty` &&
          s.query === '?t=10s' &&
          s.status === 200,
      ),
    ).toBe(true);
  });
});
