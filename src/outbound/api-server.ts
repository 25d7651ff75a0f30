// The API server's own addresses, which the address policy always refuses: the server of the
// controller's kubeconfig (resolved once at start-up) and, inside a pod, the `kubernetes`
// Service's address from KUBERNETES_SERVICE_HOST/PORT. Refused by address and port, so a local
// world whose API server shares 127.0.0.1 with the services a test unblocks still refuses it.
import { isIP } from 'node:net';
import type { ApiServerAddress, Resolver } from './url-policy.js';

export async function apiServerAddresses(
  serverUrl: string,
  env: Readonly<Record<string, string | undefined>>,
  resolve: Resolver,
): Promise<ApiServerAddress[]> {
  const found: ApiServerAddress[] = [];
  const add = async (host: string, port: number): Promise<void> => {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(bare) !== 0 ? [bare] : await resolve(bare);
    for (const address of addresses) found.push({ address, port });
  };
  if (URL.canParse(serverUrl)) {
    const url = new URL(serverUrl);
    await add(
      url.hostname,
      url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port),
    );
  }
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = Number(env['KUBERNETES_SERVICE_PORT'] ?? '443');
  if (host !== undefined && host !== '' && Number.isInteger(port)) await add(host, port);
  return found;
}
