// The HTTPS server with real TLS (certificates from the local control plane's PKI code) and real
// sockets on 127.0.0.1. Only our own ReviewClient interface is replaced: it records the reviews
// the server asks for and answers them from a table.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createPki, signClientCert, type KeyPair, type Pki } from '../../../dev/local/pki.js';
import { authConfigFrom } from '../../../src/metrics-api/auth-config.js';
import { MetricsLookup } from '../../../src/metrics-api/lookup.js';
import type { ReviewClient } from '../../../src/metrics-api/review-client.js';
import { startMetricsApiServer, type MetricsApiServer } from '../../../src/metrics-api/server.js';
import { SERVER_MESH_QUERIES } from '../../../src/metrics-api/server-queries.js';
import { FakeExecutor } from '../metrics/fakes.js';

const B = '/apis/metrics.smi-spec.io/v1alpha1';

interface Review {
  path: string;
  spec: {
    user?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
    token?: string;
    resourceAttributes?: Record<string, string>;
    nonResourceAttributes?: Record<string, string>;
  };
}

class TableReviews implements ReviewClient {
  readonly reviews: Review[] = [];
  create<T>(path: string, body: unknown): Promise<T> {
    const review = { path, spec: (body as { spec: Review['spec'] }).spec };
    this.reviews.push(review);
    if (path.endsWith('/tokenreviews')) {
      const ok = review.spec.token === 'good-token';
      const status = ok
        ? { authenticated: true, user: { username: 'bob', groups: ['tokens'] } }
        : { authenticated: false };
      return Promise.resolve({ status } as T);
    }
    const allowed = review.spec.user !== 'mallory';
    return Promise.resolve({
      status: { allowed, ...(allowed ? {} : { reason: 'no RBAC rule' }) },
    } as T);
  }
  sars(): Review['spec'][] {
    return this.reviews.filter((r) => r.path.endsWith('/subjectaccessreviews')).map((r) => r.spec);
  }
}

let dir: string;
let pki: Pki;
let intruder: KeyPair;
let carol: KeyPair;
let server: MetricsApiServer;
let reviews: TableReviews;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function get(
  path: string,
  opts: { cert?: KeyPair; headers?: Record<string, string | string[]>; method?: string } = {},
): Promise<Reply> {
  const [ca, cert, key] = await Promise.all([
    readFile(pki.ca.cert),
    opts.cert === undefined ? undefined : readFile(opts.cert.cert),
    opts.cert === undefined ? undefined : readFile(opts.cert.key),
  ]);
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: opts.method ?? 'GET',
        ca,
        ...(cert === undefined ? {} : { cert, key }),
        headers: opts.headers ?? {},
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const json = text.startsWith('{')
            ? (JSON.parse(text) as Record<string, unknown>)
            : { text };
          resolve({ status: res.statusCode ?? 0, body: json });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const asProxy = (user: string, groups: string[] = [], extra: Record<string, string> = {}) => ({
  cert: pki.proxyClient,
  headers: { 'X-Remote-User': user, 'X-Remote-Group': groups, ...extra },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-metrics-api-unit-'));
  pki = await createPki(join(dir, 'pki'));
  intruder = await signClientCert(dir, 'intruder', pki.frontProxyCa, 'intruder');
  carol = await pki.clientCert('carol', 'carol', ['team']);
  const [frontProxyCa, clientCa, cert, key] = await Promise.all(
    [pki.frontProxyCa.cert, pki.ca.cert, pki.serving.cert, pki.serving.key].map((p) =>
      readFile(p, 'utf8'),
    ),
  );
  // The ConfigMap as kube-apiserver publishes it.
  const auth = authConfigFrom({
    'client-ca-file': clientCa ?? '',
    'requestheader-client-ca-file': frontProxyCa ?? '',
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
  });
  reviews = new TableReviews();
  const executor = new FakeExecutor((query) => {
    const who = { namespace: 'shop', deployment: 'web' };
    if (query.startsWith('histogram_quantile')) return [{ labels: who, value: 20 }];
    return [{ labels: { ...who, classification: 'success' }, value: 10 }];
  });
  server = await startMetricsApiServer({
    port: 0,
    tls: { cert: cert ?? '', key: key ?? '' },
    auth,
    reviews,
    lookup: new MetricsLookup({
      executor,
      endpoint: { address: 'http://prometheus.invalid' },
      mesh: SERVER_MESH_QUERIES.linkerd,
    }),
    logger: pino({ level: 'silent' }),
  });
}, 30_000);

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('metrics API server over TLS', () => {
  it('answers health checks without credentials', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200 });
    expect(await get('/readyz')).toMatchObject({ status: 200 });
  });

  it('refuses requests without credentials with 401 and asks no reviews', async () => {
    const before = reviews.reviews.length;
    const r = await get(`${B}/namespaces/shop/deployments/web`);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    expect(reviews.reviews.length).toBe(before);
  });

  it('serves the user the front proxy vouches for, authorized by a SubjectAccessReview', async () => {
    const r = await get(
      `${B}/namespaces/shop/deployments/web`,
      asProxy('alice', ['dev', 'qa'], { 'X-Remote-Extra-Scopes%2Fa': 'x' }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'TrafficMetrics', resource: { name: 'web' } });
    expect(reviews.sars().at(-1)).toEqual({
      user: 'alice',
      groups: ['dev', 'qa', 'system:authenticated'],
      extra: { 'scopes/a': ['x'] },
      resourceAttributes: {
        verb: 'get',
        group: 'metrics.smi-spec.io',
        version: 'v1alpha1',
        resource: 'deployments',
        namespace: 'shop',
        name: 'web',
      },
    });
  });

  it('asks about the edges subresource, lists, and discovery paths', async () => {
    await get(`${B}/namespaces/shop/deployments/web/edges`, asProxy('alice'));
    expect(reviews.sars().at(-1)?.resourceAttributes).toMatchObject({
      verb: 'get',
      resource: 'deployments',
      subresource: 'edges',
      name: 'web',
    });
    await get(`${B}/deployments`, asProxy('alice'));
    expect(reviews.sars().at(-1)?.resourceAttributes).toEqual({
      verb: 'list',
      group: 'metrics.smi-spec.io',
      version: 'v1alpha1',
      resource: 'deployments',
    });
    const discovery = await get(B, asProxy('system:kube-aggregator'));
    expect(discovery.body).toMatchObject({ kind: 'APIResourceList' });
    expect(reviews.sars().at(-1)?.nonResourceAttributes).toEqual({ path: B, verb: 'get' });
  });

  it('answers 403 when the review denies', async () => {
    const r = await get(`${B}/namespaces/shop/deployments/web`, asProxy('mallory'));
    expect(r.status).toBe(403);
    expect(r.body['message']).toBe(
      'User "mallory" cannot get resource "deployments" in API group "metrics.smi-spec.io" in the namespace "shop": no RBAC rule',
    );
  });

  it('ignores identity headers from a proxy certificate that is not an allowed name', async () => {
    const r = await get(`${B}/namespaces/shop/deployments/web`, {
      cert: intruder,
      headers: { 'X-Remote-User': 'alice' },
    });
    expect(r.status).toBe(401);
  });

  it('a proxy certificate without a user header is not a user', async () => {
    expect((await get(B, { cert: pki.proxyClient })).status).toBe(401);
  });

  it('takes a cluster client certificate as its own identity, never the headers', async () => {
    const r = await get(`${B}/namespaces/shop/deployments/web`, {
      cert: carol,
      headers: { 'X-Remote-User': 'alice' },
    });
    expect(r.status).toBe(200);
    expect(reviews.sars().at(-1)).toMatchObject({
      user: 'carol',
      groups: ['team', 'system:authenticated'],
    });
  });

  it('checks bearer tokens with a TokenReview', async () => {
    const ok = await get(`${B}/namespaces/shop/deployments/web`, {
      headers: { Authorization: 'Bearer good-token' },
    });
    expect(ok.status).toBe(200);
    expect(reviews.sars().at(-1)).toMatchObject({
      user: 'bob',
      groups: ['tokens', 'system:authenticated'],
    });
    const bad = await get(`${B}/namespaces/shop/deployments/web`, {
      headers: { Authorization: 'Bearer forged' },
    });
    expect(bad.status).toBe(401);
  });

  it('is read-only and validates the window', async () => {
    const post = await get(`${B}/namespaces/shop/deployments/web`, {
      ...asProxy('alice'),
      method: 'POST',
    });
    expect(post.status).toBe(405);
    const window = await get(`${B}/namespaces/shop/deployments/web?t=banana`, asProxy('alice'));
    expect(window.status).toBe(400);
    const sized = await get(`${B}/namespaces/shop/deployments/web?t=2m`, asProxy('alice'));
    expect(sized.body['window']).toBe('2m0s');
  });

  it('answers unknown paths 404 to authenticated users', async () => {
    const r = await get(`${B}/namespaces/shop/statefulsets/db`, asProxy('alice'));
    expect(r).toMatchObject({
      status: 404,
      body: { message: 'Unsupported resource: statefulsets' },
    });
  });
});
