import { readFileSync } from 'node:fs';
import { request as plainRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';
import type { KeyPair } from './pki.js';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

export interface Tls {
  readonly ca: string;
  readonly client?: KeyPair;
}

/** One HTTP(S) request; TLS verified against our CA, optionally with a client certificate. */
export function httpRequest(
  method: 'GET' | 'POST',
  url: string,
  opts: { tls?: Tls; json?: unknown; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const { tls } = opts;
    const payload = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const options = {
      method,
      timeout: opts.timeoutMs ?? 5_000,
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      ...(tls === undefined
        ? {}
        : {
            ca: readFileSync(tls.ca),
            ...(tls.client === undefined
              ? {}
              : { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) }),
          }),
    };
    const req = (u.protocol === 'https:' ? tlsRequest : plainRequest)(u, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export const httpGet = (url: string, tls?: Tls): Promise<HttpResponse> =>
  httpRequest('GET', url, tls === undefined ? {} : { tls });

/**
 * The admin's view of the API server for the control plane's own polling: far cheaper than a
 * kubectl process per poll, which matters on a loaded 2-core machine.
 */
export interface AdminApi {
  get(path: string): Promise<HttpResponse>;
  post(path: string, json: unknown): Promise<HttpResponse>;
  /** Status of condition `type` of the object at `path`, if it exists and has one. */
  condition(path: string, type: string): Promise<string | undefined>;
}

export function adminApi(server: string, tls: Tls): AdminApi {
  const get = (path: string) => httpRequest('GET', `${server}${path}`, { tls });
  return {
    get,
    post: (path, json) => httpRequest('POST', `${server}${path}`, { tls, json }),
    condition: async (path, type) => {
      const res = await get(path);
      if (res.status !== 200) return undefined;
      const obj = JSON.parse(res.body) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return obj.status?.conditions?.find((c) => c.type === type)?.status;
    },
  };
}
