import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';

const run = promisify(execFile);

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** A throwaway PKI for one control plane; every file lives under `dir`. */
export interface Pki {
  readonly dir: string;
  /** Signs serving and client certificates; kube-apiserver's --client-ca-file. */
  readonly ca: KeyPair;
  /** kube-apiserver's serving certificate for 127.0.0.1 and localhost. */
  readonly serving: KeyPair;
  /** The aggregation layer's CA (--requestheader-client-ca-file) and the proxy client it signs. */
  readonly frontProxyCa: KeyPair;
  readonly proxyClient: KeyPair;
  /** Service-account token signing key pair (PEM). */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  /** A client certificate: CN is the user name, each O a group. */
  clientCert(fileStem: string, user: string, groups?: readonly string[]): Promise<KeyPair>;
}

export const PROXY_CLIENT_NAME = 'front-proxy-client';
/** openssl req arguments for a new P-256 key without a passphrase. */
export const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Runs openssl; a failure (or a missing binary, with its install command) is a LocalClusterError. */
export async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const hint = e.code === 'ENOENT' ? ' (install it: apt-get install openssl)' : '';
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.OPENSSL_FAILED,
      `openssl failed${hint}: ${e.stderr ?? e.message}`,
      {
        cause: err,
        details: { args },
      },
    );
  }
}

/** openssl -subj treats / + = as syntax; escape them so any user or group name is taken literally. */
export const subjectPart = (type: string, value: string): string =>
  `/${type}=${value.replace(/[\\/+=,]/g, (c) => `\\${c}`)}`;

async function selfSignedCa(dir: string, stem: string, cn: string): Promise<KeyPair> {
  const pair = { cert: join(dir, `${stem}.crt`), key: join(dir, `${stem}.key`) };
  await openssl([
    'req',
    '-x509',
    '-new',
    ...CURVE,
    '-keyout',
    pair.key,
    '-out',
    pair.cert,
    '-days',
    '3650',
    '-subj',
    subjectPart('CN', cn),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  return pair;
}

async function signed(
  dir: string,
  stem: string,
  ca: KeyPair,
  subject: string,
  exts: string[],
): Promise<KeyPair> {
  const pair = { cert: join(dir, `${stem}.crt`), key: join(dir, `${stem}.key`) };
  await openssl([
    'req',
    '-x509',
    '-new',
    ...CURVE,
    '-keyout',
    pair.key,
    '-out',
    pair.cert,
    '-days',
    '365',
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    ...exts.flatMap((e) => ['-addext', e]),
  ]);
  return pair;
}

const CLIENT_AUTH = ['extendedKeyUsage=clientAuth'];

/** A client certificate signed by `ca`: CN is the user name, each O a group. */
export function signClientCert(
  dir: string,
  fileStem: string,
  ca: KeyPair,
  user: string,
  groups: readonly string[] = [],
): Promise<KeyPair> {
  const subject = subjectPart('CN', user) + groups.map((g) => subjectPart('O', g)).join('');
  return signed(dir, fileStem, ca, subject, CLIENT_AUTH);
}

export async function createPki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const [ca, frontProxyCa] = await Promise.all([
    selfSignedCa(dir, 'ca', 'weightlifter-local-ca'),
    selfSignedCa(dir, 'front-proxy-ca', 'weightlifter-local-front-proxy-ca'),
  ]);
  const [serving, proxyClient] = await Promise.all([
    signed(dir, 'apiserver', ca, subjectPart('CN', 'kube-apiserver'), [
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
    ]),
    signClientCert(dir, PROXY_CLIENT_NAME, frontProxyCa, PROXY_CLIENT_NAME),
  ]);
  // ES256 service-account tokens: node:crypto makes the pair without another openssl round trip.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await writeFile(serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  await writeFile(serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    dir,
    ca,
    serving,
    frontProxyCa,
    proxyClient,
    serviceAccountKey,
    serviceAccountPub,
    clientCert: (fileStem, user, groups = []) => signClientCert(dir, fileStem, ca, user, groups),
  };
}
