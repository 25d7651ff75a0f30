import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { signClientCert, type KeyPair } from './pki.js';

const b64 = async (path: string): Promise<string> => (await readFile(path)).toString('base64');

/**
 * A self-contained kubeconfig (certificates embedded) so it keeps working when copied, and is
 * read the same way by kubectl, weightlifter and the Go components.
 */
export async function writeKubeconfig(
  path: string,
  opts: { server: string; caCert: string; client: KeyPair; user: string },
): Promise<string> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'weightlifter-local',
        cluster: { server: opts.server, 'certificate-authority-data': await b64(opts.caCert) },
      },
    ],
    users: [
      {
        name: opts.user,
        user: {
          'client-certificate-data': await b64(opts.client.cert),
          'client-key-data': await b64(opts.client.key),
        },
      },
    ],
    contexts: [
      { name: 'weightlifter-local', context: { cluster: 'weightlifter-local', user: opts.user } },
    ],
    'current-context': 'weightlifter-local',
    preferences: {},
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}

/**
 * A new client-certificate identity signed by `ca`, as a kubeconfig in `dir`. Works from any
 * process that can read the CA key (test files mint users this way; see test/integration/helpers).
 */
export async function mintKubeconfig(opts: {
  dir: string;
  ca: KeyPair;
  server: string;
  user: string;
  groups?: readonly string[];
}): Promise<string> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  // Random, not a counter: several processes (jest workers) may mint into the same directory.
  const stem = `user-${opts.user.replace(/[^a-zA-Z0-9.-]/g, '_').slice(0, 50)}-${randomBytes(4).toString('hex')}`;
  const client = await signClientCert(opts.dir, stem, opts.ca, opts.user, opts.groups ?? []);
  return writeKubeconfig(join(opts.dir, `${stem}.kubeconfig`), {
    server: opts.server,
    caCert: opts.ca.cert,
    client,
    user: opts.user,
  });
}
