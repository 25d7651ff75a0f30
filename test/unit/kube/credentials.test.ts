// Credentials that change underneath a running controller: token files the kubelet rotates and
// exec plugins (a real script in a temp dir) whose tokens expire. Time is a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isWeightlifterError } from '../../../src/errors/catalogue.js';
import { TOKEN_FILE_CHECK_MS } from '../../../src/kube/credentials.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { ManualClock } from '../../../src/time/manual-clock.js';

let dir: string;
let clock: ManualClock;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-credentials-'));
  clock = new ManualClock(Date.UTC(2030, 0, 1));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function credentialsFor(user: Record<string, unknown>) {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    stringify({
      clusters: [
        {
          name: 'c',
          cluster: {
            server: 'https://api.example:6443',
            'certificate-authority-data': Buffer.from('CA').toString('base64'),
          },
        },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return loadKubeConfig({ kubeconfigPath: path, env: {}, now: () => clock.now() }).credentials;
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isWeightlifterError(err, 'WL_KUBECONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected WL_KUBECONFIG_INVALID');
}

describe('tokenFile', () => {
  it('re-reads the file when it changes (a rotated ServiceAccount token)', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    const creds = credentialsFor({ tokenFile: file });
    expect(await creds.current()).toEqual({ token: 'first' });
    writeFileSync(file, 'second-and-longer\n');
    // Looked at no more than once per TOKEN_FILE_CHECK_MS...
    expect(await creds.current()).toEqual({ token: 'first' });
    await clock.advance(TOKEN_FILE_CHECK_MS);
    expect(await creds.current()).toEqual({ token: 'second-and-longer' });
    // ...except right after the server refused it.
    writeFileSync(file, 'third-and-longest\n');
    expect(creds.invalidate()).toBe(true);
    expect(await creds.current()).toEqual({ token: 'third-and-longest' });
  });

  it('fails clearly when the file is gone', async () => {
    const creds = credentialsFor({ tokenFile: join(dir, 'missing') });
    expect(await rejection(creds.current())).toMatch(/cannot read token file .*missing/);
  });
});

describe('exec credential plugins', () => {
  /**
   * Prints the token in ./token (or, with a cert in ./cert, a client certificate), expiring at
   * ./expiry; counts its runs in ./runs and keeps its args, env and KUBERNETES_EXEC_INFO.
   */
  function plugin(apiVersion = 'client.authentication.k8s.io/v1'): string {
    const script = join(dir, 'plugin.sh');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `cd "${dir}"`,
        'echo x >> runs',
        'printf "%s|%s" "$*" "$PLUGIN_ENV" > seen',
        'printf "%s" "$KUBERNETES_EXEC_INFO" > info',
        'if [ -f fail ]; then echo "login expired" >&2; exit 3; fi',
        'expiry=""; [ -f expiry ] && expiry=",\\"expirationTimestamp\\":\\"$(cat expiry)\\""',
        'if [ -f cert ]; then',
        `  printf '{"apiVersion":"${apiVersion}","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"KEY"%s}}' "$(cat cert)" "$expiry"`,
        'else',
        `  printf '{"apiVersion":"${apiVersion}","kind":"ExecCredential","status":{"token":"%s"%s}}' "$(cat token)" "$expiry"`,
        'fi',
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    return script;
  }
  const runs = (): number => readFileSync(join(dir, 'runs'), 'utf8').split('\n').length - 1;
  const exec = (command: string, more: Record<string, unknown> = {}) => ({
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command,
      args: ['get-token', '--cluster', 'prod'],
      env: [{ name: 'PLUGIN_ENV', value: 'from-kubeconfig' }],
      interactiveMode: 'Never',
      ...more,
    },
  });

  it('runs the command with its args and env, and caches the token until it expires', async () => {
    writeFileSync(join(dir, 'token'), 'tok-1');
    writeFileSync(join(dir, 'expiry'), new Date(clock.now() + 60_000).toISOString());
    const creds = credentialsFor(exec(plugin()));
    const [a, b] = await Promise.all([creds.current(), creds.current()]);
    expect([a, b]).toEqual([{ token: 'tok-1' }, { token: 'tok-1' }]);
    expect(runs()).toBe(1); // concurrent requests share one run
    expect(readFileSync(join(dir, 'seen'), 'utf8')).toBe(
      'get-token --cluster prod|from-kubeconfig',
    );
    expect(JSON.parse(readFileSync(join(dir, 'info'), 'utf8'))).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false },
    });

    writeFileSync(join(dir, 'token'), 'tok-2');
    await clock.advance(59_999);
    expect(await creds.current()).toEqual({ token: 'tok-1' });
    expect(runs()).toBe(1);
    await clock.advance(1);
    expect(await creds.current()).toEqual({ token: 'tok-2' });
    expect(runs()).toBe(2);
  });

  it('without an expiry, keeps the token until the server refuses it (401), then runs again', async () => {
    writeFileSync(join(dir, 'token'), 'tok-1');
    const creds = credentialsFor(
      exec(plugin('client.authentication.k8s.io/v1beta1'), {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
      }),
    );
    expect(await creds.current()).toEqual({ token: 'tok-1' });
    await clock.advance(365 * 86_400_000);
    expect(await creds.current()).toEqual({ token: 'tok-1' });
    writeFileSync(join(dir, 'token'), 'tok-2');
    expect(creds.invalidate()).toBe(true);
    expect(await creds.current()).toEqual({ token: 'tok-2' });
    expect(runs()).toBe(2);
  });

  it('passes cluster info when asked, and takes a client certificate as well as a token', async () => {
    writeFileSync(join(dir, 'cert'), 'CERT PEM');
    const creds = credentialsFor(exec(plugin(), { provideClusterInfo: true }));
    const got = await creds.current();
    expect([got.cert?.toString(), got.key?.toString(), got.token]).toEqual([
      'CERT PEM',
      'KEY',
      undefined,
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'info'), 'utf8'))).toMatchObject({
      spec: {
        interactive: false,
        cluster: {
          server: 'https://api.example:6443',
          'certificate-authority-data': Buffer.from('CA').toString('base64'),
          'insecure-skip-tls-verify': false,
        },
      },
    });
  });

  it('fails clearly: a failing command, a missing one (with its install hint), a wrong answer', async () => {
    writeFileSync(join(dir, 'token'), 'tok');
    writeFileSync(join(dir, 'fail'), '');
    const failing = credentialsFor(exec(plugin()));
    expect(await rejection(failing.current())).toMatch(/exec credential plugin .*plugin.sh failed/);

    const missing = credentialsFor(
      exec(join(dir, 'no-such-plugin'), { installHint: 'install it with: brew install x' }),
    );
    expect(await rejection(missing.current())).toMatch(/failed: install it with: brew install x/);

    rmSync(join(dir, 'fail'));
    const wrongVersion = credentialsFor(exec(plugin('client.authentication.k8s.io/v1beta1')));
    expect(await rejection(wrongVersion.current())).toMatch(/printed no ExecCredential/);
  });
});
