// The dashboard's HTTP server. Reads come from the shared hub; the page gets a snapshot and then
// every change over one Server-Sent Events stream (GET /api/stream). Operations are
// POST /api/canaries/<namespace>/<name>/<action>: refused with 403 in --read-only mode, refused
// without the page's CSRF token (a custom header, which a cross-site form cannot send), and
// written with the user's own identity, so RBAC decides. Requests naming another Host than the
// server's own are refused (DNS rebinding).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { MANUAL_OPERATIONS, type ManualOperation } from '../api/constants.js';
import { operationValue, requestOperation } from '../api/operation-request.js';
import { statusCodeOf } from '../kube/errors.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import type { OperateAccess } from './access.js';
import { ASSET_FILES, indexHtml, type AssetName, type Assets } from './assets.js';
import type { DashboardHub, HubMessage } from './hub.js';
import type { SeriesService } from './series.js';

export const CSRF_HEADER = 'x-weightlifter-csrf';

export interface DashboardServerOptions {
  readonly hub: DashboardHub;
  readonly raw: KubeRawClient;
  readonly access: OperateAccess;
  readonly assets: Assets;
  readonly readOnly: boolean;
  readonly logger: Logger;
  readonly now: () => number;
  /** The checks' series from --prometheus-url; absent without it. */
  readonly series?: SeriesService;
  /** Comment lines keep idle streams open through proxies. @default 20_000 */
  readonly heartbeatMs?: number;
}

export interface DashboardServer {
  readonly url: string;
  readonly csrfToken: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const isAsset = (s: string | undefined): s is AssetName => s !== undefined && s in ASSET_FILES;

const isOperation = (s: string): s is ManualOperation =>
  (MANUAL_OPERATIONS as readonly string[]).includes(s);

function sameToken(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || token === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startDashboardServer(
  opts: DashboardServerOptions,
  address: { readonly host: string; readonly port: number },
): Promise<DashboardServer> {
  const csrfToken = opts.readOnly ? '' : randomBytes(32).toString('base64url');
  const page = indexHtml({
    csrfToken,
    readOnly: opts.readOnly,
    prometheus: opts.series !== undefined,
  });
  const streams = new Set<ServerResponse>();
  let hosts: ReadonlySet<string> = new Set();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error({ err }, 'dashboard request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hosts.has(req.headers.host ?? '')) {
      send(res, 421, { error: `unknown Host ${req.headers.host ?? ''}` });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    if (req.method === 'POST') {
      await operate(req, res, parts);
      return;
    }
    if (req.method !== 'GET') {
      send(res, 405, { error: 'method not allowed' });
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (parts[0] === 'assets' && parts.length === 2 && isAsset(parts[1])) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': ASSET_FILES[parts[1]] });
      res.end(opts.assets[parts[1]]);
    } else if (url.pathname === '/api/canaries') {
      send(res, 200, { canaries: opts.hub.canaries() });
    } else if (url.pathname === '/api/stream') {
      stream(req, res);
    } else if (parts[0] === 'api' && parts[1] === 'series' && parts.length === 4) {
      await series(res, parts[2] ?? '', parts[3] ?? '');
    } else if (parts[0] === 'api' && parts[1] === 'access' && parts.length === 3) {
      const namespace = parts[2] ?? '';
      const canOperate = !opts.readOnly && (await opts.access.allowed(namespace));
      send(res, 200, { namespace, canOperate });
    } else {
      send(res, 404, { error: 'not found' });
    }
  }

  async function series(res: ServerResponse, namespace: string, name: string): Promise<void> {
    if (opts.series === undefined) {
      send(res, 404, { error: 'the dashboard runs without --prometheus-url' });
      return;
    }
    const canary = opts.hub.canary(namespace, name);
    if (canary === undefined) {
      send(res, 404, { error: `Canary ${namespace}/${name} not found` });
      return;
    }
    send(res, 200, { series: (await opts.series.series(canary)) ?? null });
  }

  function stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream',
      Connection: 'keep-alive',
    });
    const write = (m: HubMessage | { kind: 'snapshot' }, data: unknown): void => {
      res.write(`event: ${m.kind}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    write({ kind: 'snapshot' }, { canaries: opts.hub.canaries(), events: opts.hub.events() });
    const unsubscribe = opts.hub.subscribe((m) => {
      write(m, m);
    });
    const beat = setInterval(() => {
      res.write(': keep-alive\n\n');
    }, opts.heartbeatMs ?? 20_000);
    streams.add(res);
    req.on('close', () => {
      clearInterval(beat);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function operate(
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
  ): Promise<void> {
    req.resume();
    if (opts.readOnly) {
      send(res, 403, { error: 'the dashboard runs --read-only: operations are refused' });
      return;
    }
    if (!sameToken(req.headers[CSRF_HEADER], csrfToken)) {
      send(res, 403, { error: 'missing or wrong CSRF token' });
      return;
    }
    const [api, kind, namespace = '', name = '', action = ''] = parts;
    if (api !== 'api' || kind !== 'canaries' || parts.length !== 5 || !isOperation(action)) {
      send(res, 404, { error: 'not found' });
      return;
    }
    if (opts.hub.canary(namespace, name) === undefined) {
      send(res, 404, { error: `Canary ${namespace}/${name} not found` });
      return;
    }
    const value = operationValue(action, opts.now());
    try {
      await requestOperation(opts.raw, namespace, name, value);
    } catch (err) {
      const status = statusCodeOf(err);
      if (status === 403 || status === 404) {
        send(res, status, { error: err instanceof Error ? err.message : String(err) });
        return;
      }
      throw err;
    }
    opts.logger.info({ canary: `${namespace}/${name}`, request: value }, 'operation requested');
    send(res, 202, { request: value });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const port = bound.port;
  const hostPart = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  hosts = new Set([
    `${hostPart}:${port}`,
    `localhost:${port}`,
    `127.0.0.1:${port}`,
    `[::1]:${port}`,
  ]);
  const url = `http://${hostPart}:${port}/`;
  return {
    url,
    csrfToken,
    close: async () => {
      for (const s of streams) s.end();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
