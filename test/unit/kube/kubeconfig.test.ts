// Kubeconfig resolution: which file, which context, every cluster and user field we read, and a
// clear refusal of what we do not implement. Files are real, in a temp dir.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isWeightlifterError } from '../../../src/errors/catalogue.js';
import { loadKubeConfig, type KubeConfig } from '../../../src/kube/kubeconfig.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-kubeconfig-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function write(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : stringify(doc));
  return path;
}

/** A kubeconfig with one context per entry of `users` (context name = user name). */
function config(
  cluster: Record<string, unknown>,
  users: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://api.example:6443', ...cluster } }],
    users: Object.entries(users).map(([name, user]) => ({ name, user })),
    contexts: Object.keys(users).map((name) => ({
      name,
      context: { cluster: 'c', user: name, ...(name === 'ns' ? { namespace: 'shop' } : {}) },
    })),
    'current-context': Object.keys(users)[0],
    ...extra,
  };
}

const load = (path: string, context?: string): KubeConfig =>
  loadKubeConfig({ kubeconfigPath: path, context, env: {}, home: dir });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isWeightlifterError(err, 'WL_KUBECONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected WL_KUBECONFIG_INVALID, nothing was thrown');
}

describe('which kubeconfig', () => {
  const at = (name: string, server: string): string =>
    write(name, config({ server }, { u: { token: 't' } }));

  it('takes --kubeconfig over KUBECONFIG, the first file of KUBECONFIG over ~/.kube/config', () => {
    const flag = at('flag', 'https://flag');
    const first = at('first', 'https://first');
    const second = at('second', 'https://second');
    mkdirSync(join(dir, '.kube'));
    at('.kube/config', 'https://home');
    const env = { KUBECONFIG: `${first}:${second}`, KUBERNETES_SERVICE_HOST: '10.0.0.1' };
    expect(loadKubeConfig({ kubeconfigPath: flag, env, home: dir }).server).toBe('https://flag');
    expect(loadKubeConfig({ env, home: dir }).server).toBe('https://first');
    expect(loadKubeConfig({ env: {}, home: dir }).server).toBe('https://home');
  });

  it('falls back to the in-cluster ServiceAccount, and else says what is missing', () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'sa-token\n');
    writeFileSync(join(sa, 'ca.crt'), 'CA PEM');
    writeFileSync(join(sa, 'namespace'), 'weightlifter-system');
    const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' };
    const kc = loadKubeConfig({ env, home: dir, serviceAccountDir: sa });
    expect(kc).toMatchObject({
      source: 'in-cluster',
      server: 'https://[fd00::1]:6443',
      namespace: 'weightlifter-system',
      tls: { ca: Buffer.from('CA PEM'), insecureSkipVerify: false },
    });
    expect(refusal(() => loadKubeConfig({ env: {}, home: dir }))).toMatch(/no kubeconfig/);
  });
});

describe('a context', () => {
  it('picks current-context, or the one asked for, with its namespace', () => {
    const path = write('cfg', config({}, { plain: { token: 'a' }, ns: { token: 'b' } }));
    expect(load(path)).toMatchObject({ context: 'plain', namespace: undefined });
    expect(load(path, 'ns')).toMatchObject({ context: 'ns', namespace: 'shop' });
    expect(refusal(() => load(path, 'nope'))).toMatch(/no context named "nope"/);
  });

  it('reads the cluster: server, CA from data or a file relative to the kubeconfig, TLS options', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA FROM FILE');
    const fromFile = write('a', config({ 'certificate-authority': 'ca.pem' }, { u: {} }));
    expect(load(fromFile).tls.ca?.toString()).toBe('CA FROM FILE');
    const fromData = write(
      'b',
      config(
        {
          server: 'https://10.1.2.3:443/',
          'certificate-authority-data': b64('CA DATA'),
          'insecure-skip-tls-verify': true,
          'tls-server-name': 'kubernetes.default',
        },
        { u: {} },
      ),
    );
    expect(load(fromData)).toMatchObject({
      server: 'https://10.1.2.3:443',
      tls: { insecureSkipVerify: true, serverName: 'kubernetes.default' },
    });
    expect(load(fromData).tls.ca?.toString()).toBe('CA DATA');
  });

  it('reads client certificates from data and from files', async () => {
    writeFileSync(join(dir, 'u.crt'), 'CERT FILE');
    writeFileSync(join(dir, 'u.key'), 'KEY FILE');
    const path = write(
      'cfg',
      config(
        {},
        {
          data: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
          files: { 'client-certificate': 'u.crt', 'client-key': join(dir, 'u.key') },
          half: { 'client-certificate-data': b64('CERT') },
        },
      ),
    );
    const data = await load(path, 'data').credentials.current();
    expect([data.cert?.toString(), data.key?.toString(), data.token]).toEqual([
      'CERT',
      'KEY',
      undefined,
    ]);
    const files = await load(path, 'files').credentials.current();
    expect([files.cert?.toString(), files.key?.toString()]).toEqual(['CERT FILE', 'KEY FILE']);
    expect(refusal(() => load(path, 'half'))).toMatch(/needs its key/);
  });

  it('takes a token over a tokenFile', async () => {
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const path = write(
      'cfg',
      config({}, { both: { token: 'inline', tokenFile: 'token' }, file: { tokenFile: 'token' } }),
    );
    expect((await load(path, 'both').credentials.current()).token).toBe('inline');
    expect((await load(path, 'file').credentials.current()).token).toBe('from-file');
  });

  it.each([
    ['auth-provider', { 'auth-provider': { name: 'gcp' } }, /auth-provider.*use an exec plugin/],
    ['basic auth', { username: 'u', password: 'p' }, /uses username/],
    ['impersonation', { token: 't', as: 'admin' }, /uses as,/],
    [
      'an old exec API',
      { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } },
      /exec plugin apiVersion "client.authentication.k8s.io\/v1alpha1" is not supported/,
    ],
    [
      'an interactive exec plugin',
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: 'x',
          interactiveMode: 'Always',
        },
      },
      /interactiveMode Always/,
    ],
  ])('refuses %s with a clear error', (_what, user, message) => {
    const path = write('cfg', config({}, { u: user }));
    expect(refusal(() => load(path))).toMatch(message);
  });

  it('refuses a proxy, a missing server and a file that is not YAML', () => {
    expect(refusal(() => load(write('p', config({ 'proxy-url': 'http://p' }, { u: {} }))))).toMatch(
      /proxy-url, not supported/,
    );
    expect(refusal(() => load(write('s', config({ server: '' }, { u: {} }))))).toMatch(/no server/);
    expect(refusal(() => load(write('y', '{ not: [yaml')))).toMatch(/cannot read kubeconfig/);
    expect(refusal(() => load(join(dir, 'missing')))).toMatch(/cannot read kubeconfig/);
  });
});
