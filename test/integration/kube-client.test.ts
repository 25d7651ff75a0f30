// Our own API client against the real kube-apiserver: every way a kubeconfig or a pod says who we
// are (client certificate, token, rotated token file, exec plugin, in-cluster ServiceAccount) and
// how the server is trusted (CA, tls-server-name, insecure-skip-tls-verify), and watches.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KubeApiError, KubeRequestError } from '../../src/kube/errors.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { createListerWatcher } from '../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath } from '../../src/kube/resources.js';
import { createNamespace, deleteNamespace } from './kube-fixtures.js';
import { rawClient, testCluster } from './helpers/env.js';

const NS = `kube-client-${Date.now().toString(36)}`;
const SA = 'kube-client-reader';
const SA_USER = `system:serviceaccount:${NS}:${SA}`;
let admin: KubeRawClient;
let dir: string;
let token: string;

/** Who the API server says we are (SelfSubjectReview). */
async function whoami(raw: KubeRawClient): Promise<string> {
  const review = await raw.create<{ status: { userInfo: { username: string } } }>(
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  );
  return review.status.userInfo.username;
}

async function statusOf(p: Promise<unknown>): Promise<number | 'no answer'> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof KubeApiError) return err.status;
    if (err instanceof KubeRequestError) return 'no answer';
    throw err;
  }
}

/** A kubeconfig for the test cluster with this cluster and user section. */
function kubeconfig(name: string, user: Record<string, unknown>, cluster = {}): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    stringify({
      clusters: [
        {
          name: 'c',
          cluster: {
            server: testCluster().server,
            'certificate-authority': testCluster().ca.cert,
            ...cluster,
          },
        },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return path;
}

const clientFor = (path: string, now?: () => number): KubeRawClient =>
  new KubeRawClient(loadKubeConfig({ kubeconfigPath: path, ...(now ? { now } : {}) }));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wl-kube-client-'));
  admin = rawClient();
  await createNamespace(admin, NS);
  await admin.create(`/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: SA } });
  const request = await admin.create<{ status: { token: string } }>(
    `/api/v1/namespaces/${NS}/serviceaccounts/${SA}/token`,
    { spec: { expirationSeconds: 3600 } },
  );
  token = request.status.token;
});

afterAll(async () => {
  await deleteNamespace(admin, NS);
  rmSync(dir, { recursive: true, force: true });
});

describe('identities', () => {
  it('authenticates with the client certificates of the local kubeconfigs', async () => {
    expect(await whoami(admin)).toBe('weightlifter-admin');
    expect(await whoami(rawClient(testCluster().controllerKubeconfig))).toBe(
      'system:serviceaccount:weightlifter-system:weightlifter',
    );
  });

  it('authenticates with a bearer token, and a refused one is a 401', async () => {
    expect(await whoami(clientFor(kubeconfig('token', { token })))).toBe(SA_USER);
    expect(await statusOf(whoami(clientFor(kubeconfig('bad', { token: 'not-a-token' }))))).toBe(
      401,
    );
  });

  it('re-reads a tokenFile when the server refuses the token it holds', async () => {
    const file = join(dir, 'token-file');
    writeFileSync(file, 'expired-token\n');
    // Time stands still: only the 401 can make it read the file again.
    const raw = clientFor(kubeconfig('token-file.kubeconfig', { tokenFile: file }), () => 0);
    expect(await statusOf(whoami(raw))).toBe(401);
    writeFileSync(file, `${token}\n`);
    expect(await whoami(raw)).toBe(SA_USER);
  });

  it('runs an exec plugin, and runs it again once when the server refuses its token', async () => {
    // Hands out ./exec-token-<n> on its n-th run; the first is not a valid token.
    const script = join(dir, 'plugin.sh');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `cd "${dir}"`,
        'echo x >> exec-runs',
        'n=$(wc -l < exec-runs | tr -d " ")',
        `printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat exec-token-$n)"`,
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    writeFileSync(join(dir, 'exec-token-1'), 'stale');
    writeFileSync(join(dir, 'exec-token-2'), token);
    const raw = clientFor(
      kubeconfig('exec', {
        exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: script },
      }),
    );
    expect(await whoami(raw)).toBe(SA_USER);
    expect(await whoami(raw)).toBe(SA_USER);
    expect(readFileSync(join(dir, 'exec-runs'), 'utf8')).toBe('x\nx\n');
  });

  it('runs in-cluster from the ServiceAccount directory and the service environment', async () => {
    const sa = join(dir, 'serviceaccount');
    const { hostname, port } = new URL(testCluster().server);
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), token);
    writeFileSync(join(sa, 'ca.crt'), readFileSync(testCluster().ca.cert));
    writeFileSync(join(sa, 'namespace'), NS);
    const kc = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: hostname, KUBERNETES_SERVICE_PORT: port },
      home: dir,
      serviceAccountDir: sa,
    });
    expect(kc.namespace).toBe(NS);
    expect(await whoami(new KubeRawClient(kc))).toBe(SA_USER);
  });
});

describe('trust', () => {
  const user = { token: '' };
  beforeAll(() => {
    user.token = token;
  });

  it('checks the certificate against tls-server-name when set', async () => {
    const named = clientFor(kubeconfig('sni', user, { 'tls-server-name': 'kubernetes.default' }));
    expect(await whoami(named)).toBe(SA_USER);
    const wrong = clientFor(kubeconfig('sni-bad', user, { 'tls-server-name': 'wrong.example' }));
    expect(await statusOf(whoami(wrong))).toBe('no answer');
  });

  it('refuses a server its CA did not sign, unless insecure-skip-tls-verify is set', async () => {
    const noCa = { 'certificate-authority': undefined };
    expect(await statusOf(whoami(clientFor(kubeconfig('no-ca', user, noCa))))).toBe('no answer');
    const insecure = kubeconfig('insecure', user, { ...noCa, 'insecure-skip-tls-verify': true });
    expect(await whoami(clientFor(insecure))).toBe(SA_USER);
  });
});

describe('watches', () => {
  const configMaps = { ...BUILTIN.configMaps };

  it('delivers events in order, and stop() ends the stream as closed', async () => {
    const lw = createListerWatcher<KubeObject>(admin, configMaps, { namespace: NS });
    const { resourceVersion } = await lw.list();
    const seen: string[] = [];
    let arrived: () => void = () => undefined;
    const third = new Promise<void>((resolve) => (arrived = resolve));
    const session = lw.watch(resourceVersion, (type, obj) => {
      seen.push(`${type} ${obj.metadata?.name ?? ''}`);
      if (seen.length === 3) arrived();
    });
    const path = collectionPath(configMaps, NS);
    await admin.create(path, { metadata: { name: 'a' }, data: { v: '1' } });
    await admin.patch(`${path}/a`, { data: { v: '2' } });
    await admin.delete(`${path}/a`);
    await third;
    expect(seen).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    session.stop();
    expect(await session.ended).toEqual({ kind: 'closed' });
  });

  it('ends as closed when the server ends the watch at its timeoutSeconds', async () => {
    const lw = createListerWatcher<KubeObject>(admin, configMaps, {
      namespace: NS,
      watchTimeoutSeconds: [1, 1],
    });
    const { resourceVersion } = await lw.list();
    expect(await lw.watch(resourceVersion, () => undefined).ended).toEqual({ kind: 'closed' });
  });

  it('ends with the API error when the server refuses the watch', async () => {
    const reader = clientFor(kubeconfig('reader', { token }));
    const lw = createListerWatcher<KubeObject>(reader, BUILTIN.secrets, { namespace: NS });
    const end = await lw.watch('0', () => undefined).ended;
    expect(end.kind).toBe('error');
    expect(end.kind === 'error' && end.error).toMatchObject({ status: 403 });
  });
});
