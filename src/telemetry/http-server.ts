import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { WeightlifterError } from '../errors/catalogue.js';

export interface ReadinessReport {
  readonly ready: boolean;
  /** Named checks, e.g. { 'informer/canaries': true, leader: false }; shown in the body. */
  readonly checks: Readonly<Record<string, boolean>>;
}

export interface HealthServerOptions {
  /** @default '127.0.0.1' — a pod must pass '0.0.0.0' (or its IP) so the kubelet can probe. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: () => ReadinessReport;
  readonly logger: Logger;
}

export interface HealthServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * /healthz: the process and its event loop answer (liveness; never depends on the API server, so
 * an API outage does not get every replica restarted). /readyz: readiness() says ready — see the
 * controller's readiness for what that means. /metrics: Prometheus text format.
 */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((err: unknown) => {
      opts.logger.error({ err, path: req.url }, 'health server request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => {
      reject(
        new WeightlifterError('WL_HTTP_SERVER_FAILED', `cannot listen on ${host}:${opts.port}`, {
          cause,
          details: { host, port: opts.port },
        }),
      );
    });
    server.listen(opts.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
        server.closeIdleConnections();
      }),
  };
}

async function handle(
  opts: HealthServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  switch (path) {
    case '/healthz':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    case '/readyz': {
      const report = opts.readiness();
      res
        .writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify(report)}\n`);
      return;
    }
    case '/metrics': {
      const body = await opts.registry.metrics();
      res.writeHead(200, { 'content-type': opts.registry.contentType }).end(body);
      return;
    }
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}
