import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { KeyPair } from './pki.js';

const b64 = async (path: string): Promise<string> => (await readFile(path)).toString('base64');

/**
 * A self-contained kubeconfig (certificates embedded) so it keeps working when copied, and is
 * read the same way by kubectl, client-node and the Go components.
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
