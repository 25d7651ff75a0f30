// Runs the real openssl CLI (a Debian base package; hack/setup.sh installs it if missing).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mintKubeconfig } from '../../../dev/local/kubeconfig.js';
import { createPki, signClientCert, subjectPart, type Pki } from '../../../dev/local/pki.js';

let dir: string;
let pki: Pki;
const cert = async (path: string) => new X509Certificate(await readFile(path));
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-pki-'));
  pki = await createPki(join(dir, 'pki'));
}, 30_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('subjectPart', () => {
  it.each([
    ['CN', 'weightlifter-admin', '/CN=weightlifter-admin'],
    [
      'O',
      'system:serviceaccounts:weightlifter-system',
      '/O=system:serviceaccounts:weightlifter-system',
    ],
    ['CN', 'a/b+c=d,e\\f', '/CN=a\\/b\\+c\\=d\\,e\\\\f'],
  ])('%s=%s', (type, value, expected) => {
    expect(subjectPart(type, value)).toBe(expected);
  });
});

describe('createPki', () => {
  it('serves 127.0.0.1 and localhost with a certificate from its CA', async () => {
    const ca = await cert(pki.ca.cert);
    const serving = await cert(pki.serving.cert);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.checkHost('localhost')).toBe('localhost');
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
  });

  it('signs the aggregation proxy client with the separate front-proxy CA', async () => {
    const proxy = await cert(pki.proxyClient.cert);
    expect(proxy.subject).toBe('CN=front-proxy-client');
    expect(proxy.checkIssued(await cert(pki.frontProxyCa.cert))).toBe(true);
    expect(proxy.checkIssued(await cert(pki.ca.cert))).toBe(false);
  });
});

describe('client identities', () => {
  it('puts the user in CN and every group in its own O, for client auth only', async () => {
    const pair = await signClientCert(
      pki.dir,
      'controller-test',
      pki.ca,
      'system:serviceaccount:ns:sa',
      ['system:serviceaccounts', 'system:serviceaccounts:ns'],
    );
    const c = await cert(pair.cert);
    expect(c.subject).toBe(
      'CN=system:serviceaccount:ns:sa\nO=system:serviceaccounts\nO=system:serviceaccounts:ns',
    );
    expect(c.keyUsage).toEqual([CLIENT_AUTH]);
    expect(c.checkIssued(await cert(pki.ca.cert))).toBe(true);
  });

  it('takes names with openssl syntax characters literally', async () => {
    const c = await cert((await pki.clientCert('odd', 'team/a+b=c', ['x,y'])).cert);
    // toLegacyObject() shows the stored values; `subject` would re-escape + and , for display.
    expect({ ...c.toLegacyObject().subject }).toEqual({ CN: 'team/a+b=c', O: 'x,y' });
  });

  it('mints a self-contained kubeconfig for a new user', async () => {
    const path = await mintKubeconfig({
      dir: join(dir, 'kc'),
      ca: pki.ca,
      server: 'https://127.0.0.1:1',
      user: 'viewer',
    });
    const kc = parse(await readFile(path, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { name: string; user: { 'client-certificate-data': string } }[];
    };
    expect(kc.clusters[0]?.cluster.server).toBe('https://127.0.0.1:1');
    expect(
      Buffer.from(kc.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(),
    ).toBe(await readFile(pki.ca.cert, 'utf8'));
    const client = new X509Certificate(
      Buffer.from(kc.users[0]?.user['client-certificate-data'] ?? '', 'base64'),
    );
    expect(kc.users[0]?.name).toBe('viewer');
    expect(client.subject).toBe('CN=viewer');
  });
});
