// `weightlifter dashboard`'s server against the real API server: what an RBAC-limited identity
// sees, the live stream (one shared watch), --read-only, the CSRF token, the Host check, and that
// no credential in a Canary reaches the page.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import type { Canary } from '../../src/api/canary.js';
import { ANNOTATIONS } from '../../src/api/constants.js';
import { CANARY_REF } from '../../src/api/resources.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/start.js';
import { CSRF_HEADER } from '../../src/dashboard/server.js';
import type { CanaryView } from '../../src/dashboard/view.js';
import { createKubeClients } from '../../src/kube/client.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { collectionPath, objectPath } from '../../src/kube/resources.js';
import { canaryManifest, createCanaryEvent } from './cli-harness.js';
import { kubeconfigFor } from './helpers/env.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from './kube-fixtures.js';

jest.setTimeout(60_000);

const TEAM = 'dashboard-team';
const OTHER = 'dashboard-other';
const VIEWER = 'dashboard-viewer';
const logger = pino({ level: 'silent' });
const local = { host: '127.0.0.1', port: 0 };

let admin: KubeRawClient;
let viewer: KubeRawClient;
const running: RunningDashboard[] = [];

async function start(
  raw: KubeRawClient,
  opts: { namespaces?: string[]; contextNamespace?: string; readOnly?: boolean } = {},
): Promise<RunningDashboard> {
  const d = await startDashboard({
    raw,
    logger,
    namespaces: opts.namespaces ?? [],
    contextNamespace: opts.contextNamespace,
    readOnly: opts.readOnly ?? false,
    address: local,
  });
  running.push(d);
  return d;
}

async function createCanary(namespace: string, name: string): Promise<Canary> {
  const manifest = canaryManifest(namespace, name);
  manifest.spec.analysis = {
    ...manifest.spec.analysis,
    webhooks: [
      {
        name: 'load',
        type: 'rollout',
        url: 'https://user:hunter2@hooks.example.com/run?token=s3cr3t',
        metadata: { apiKey: 'k3y' },
      },
    ],
  };
  return admin.create<Canary>(collectionPath(CANARY_REF, namespace), manifest);
}

const annotation = async (namespace: string, name: string): Promise<string | undefined> =>
  (await admin.get<Canary>(objectPath(CANARY_REF, namespace, name))).metadata.annotations?.[
    ANNOTATIONS.operation
  ];

async function post(
  d: RunningDashboard,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: { error?: string; request?: string } }> {
  const res = await fetch(new URL(path, d.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

/** Reads Server-Sent Events from the stream until `until` says stop. */
async function readStream(
  d: RunningDashboard,
  until: (events: { event: string; data: unknown }[]) => boolean,
  during: () => Promise<void> = () => Promise.resolve(),
): Promise<{ event: string; data: unknown }[]> {
  const abort = new AbortController();
  const res = await fetch(new URL('/api/stream', d.url), { signal: abort.signal });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const body = res.body;
  if (body === null) throw new Error('no body');
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const seen: { event: string; data: unknown }[] = [];
  let buffer = '';
  let acted = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) seen.push({ event, data: JSON.parse(data) });
      }
      if (!acted && seen.length > 0) {
        acted = true;
        await during();
      }
      if (until(seen)) return seen;
    }
  } finally {
    abort.abort();
  }
  return seen;
}

beforeAll(async () => {
  admin = adminClients().raw;
  await createNamespace(admin, TEAM);
  await createNamespace(admin, OTHER);
  await createCanary(TEAM, 'web');
  await createCanary(OTHER, 'hidden');
  // The viewer may read Canaries and Events in TEAM, and nothing else.
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${TEAM}`;
  await admin.create(`${rbac}/roles`, {
    metadata: { name: 'canary-viewer' },
    rules: [
      { apiGroups: ['weightlifter.io'], resources: ['canaries'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
    ],
  });
  await admin.create(`${rbac}/rolebindings`, {
    metadata: { name: 'canary-viewer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'canary-viewer' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: VIEWER }],
  });
  viewer = createKubeClients({ kubeconfigPath: await kubeconfigFor(VIEWER) }).raw;
  await eventually('the viewer RoleBinding to take effect', async () => {
    await viewer.get(collectionPath(CANARY_REF, TEAM));
    return true;
  });
});

afterAll(async () => {
  await Promise.all(running.map((d) => d.stop()));
  await deleteNamespace(admin, TEAM);
  await deleteNamespace(admin, OTHER);
});

describe('an RBAC-limited viewer', () => {
  it('sees only the Canaries of its namespace, and may not operate', async () => {
    // No namespace given: it may not watch Canaries cluster-wide, so its context namespace.
    const d = await start(viewer, { contextNamespace: TEAM });
    expect(d.namespaces).toEqual([TEAM]);
    const list = (await (await fetch(new URL('/api/canaries', d.url))).json()) as {
      canaries: CanaryView[];
    };
    expect(list.canaries.map((c) => `${c.namespace}/${c.name}`)).toEqual([`${TEAM}/web`]);
    const access = (await (await fetch(new URL(`/api/access/${TEAM}`, d.url))).json()) as {
      canOperate: boolean;
    };
    expect(access.canOperate).toBe(false);
    // Even with the page's token, the API server refuses the viewer's write.
    const r = await post(d, `/api/canaries/${TEAM}/web/abort`, { [CSRF_HEADER]: d.csrfToken });
    expect(r.status).toBe(403);
    expect(await annotation(TEAM, 'web')).toBeUndefined();
    // A Canary outside what it watches is not there at all.
    const hidden = await post(d, `/api/canaries/${OTHER}/hidden/abort`, {
      [CSRF_HEADER]: d.csrfToken,
    });
    expect(hidden.status).toBe(404);
  });

  it('is refused a namespace RBAC hides from it, naming it', async () => {
    await expect(start(viewer, { namespaces: [TEAM, OTHER] })).rejects.toMatchObject({
      code: 'WL_DASHBOARD_FORBIDDEN',
      message: expect.stringContaining(OTHER) as unknown,
    });
  });
});

describe('the admin identity', () => {
  let d: RunningDashboard;
  beforeAll(async () => {
    d = await start(admin, { namespaces: [TEAM, OTHER] });
  });

  it('streams a snapshot, then every status change and Event, from one shared watch', async () => {
    const web = await admin.get<Canary>(objectPath(CANARY_REF, TEAM, 'web'));
    const seen = await readStream(
      d,
      (events) =>
        events.some(
          (e) =>
            e.event === 'canary' &&
            (e.data as { canary: CanaryView }).canary.status.phase === 'Progressing',
        ) && events.some((e) => e.event === 'event'),
      async () => {
        await admin.patch(objectPath(CANARY_REF, TEAM, 'web', 'status'), {
          status: { phase: 'Progressing', canaryWeight: 10 },
        });
        await createCanaryEvent(admin, web, {
          name: 'web.dashboard-1',
          type: 'Normal',
          reason: 'Advanced',
          note: 'canary weight 10',
        });
      },
    );
    const snapshot = seen[0]?.data as { canaries: CanaryView[] };
    expect(seen[0]?.event).toBe('snapshot');
    expect(snapshot.canaries.map((c) => c.name).sort()).toEqual(['hidden', 'web']);
    const event = seen.find((e) => e.event === 'event')?.data as {
      event: { canary: string; reason: string; message: string };
    };
    expect(event.event).toMatchObject({
      canary: 'web',
      reason: 'Advanced',
      message: 'canary weight 10',
    });
  });

  it('never sends a credential: webhook URLs lose user info and query, metadata its values', async () => {
    const text = await (await fetch(new URL('/api/canaries', d.url))).text();
    expect(text).not.toMatch(/hunter2|s3cr3t|k3y/);
    const { canaries } = JSON.parse(text) as { canaries: CanaryView[] };
    expect(canaries[0]?.spec.analysis?.webhooks?.[0]).toMatchObject({
      url: 'https://hooks.example.com/run',
      metadata: { apiKey: '…' },
    });
  });

  it('without --prometheus-url has no series: the page is told so and the endpoint answers 404', async () => {
    expect(await (await fetch(d.url)).text()).toContain(
      '<meta name="wl-prometheus" content="false">',
    );
    const res = await fetch(new URL(`/api/series/${TEAM}/web`, d.url));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'the dashboard runs without --prometheus-url' });
  });

  it('refuses an operation without the CSRF token, or with a wrong one', async () => {
    expect((await post(d, `/api/canaries/${TEAM}/web/pause`, {})).status).toBe(403);
    const wrong = await post(d, `/api/canaries/${TEAM}/web/pause`, {
      [CSRF_HEADER]: 'x'.repeat(43),
    });
    expect(wrong).toEqual({ status: 403, body: { error: 'missing or wrong CSRF token' } });
    expect(await annotation(TEAM, 'web')).toBeUndefined();
  });

  it('writes the operation annotation with the token', async () => {
    const r = await post(d, `/api/canaries/${TEAM}/web/pause`, { [CSRF_HEADER]: d.csrfToken });
    expect(r.status).toBe(202);
    expect(r.body.request).toMatch(/^pause:/);
    expect(await annotation(TEAM, 'web')).toBe(r.body.request);
  });

  it('answers only requests addressed to its own host name (DNS rebinding)', async () => {
    const url = new URL('/api/canaries', d.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { host: 'evil.example:80' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});

describe('--read-only', () => {
  it('refuses every operation with 403, even with a token, and the page has none', async () => {
    const d = await start(admin, { namespaces: [TEAM], readOnly: true });
    expect(d.csrfToken).toBe('');
    const html = await (await fetch(d.url)).text();
    expect(html).toContain('<meta name="wl-read-only" content="true">');
    for (const action of ['abort', 'promote']) {
      const r = await post(d, `/api/canaries/${TEAM}/web/${action}`, { [CSRF_HEADER]: 'anything' });
      expect(r.status).toBe(403);
      expect(r.body.error).toMatch(/read-only/);
    }
    const access = (await (await fetch(new URL(`/api/access/${TEAM}`, d.url))).json()) as {
      canOperate: boolean;
    };
    expect(access.canOperate).toBe(false);
  });
});
