import { createServer, type Server } from 'node:http';
import { WORLD_ERROR_CODES, WorldError } from './errors.js';

const LOOPBACK = '127.0.0.1';

export interface MetricsServer {
  /** `127.0.0.1:<port>`, the scrape target. */
  readonly address: string;
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  /** What /metrics serves; replaced once the emulator runs (empty until then). */
  setSource(render: () => string): void;
  close(): Promise<void>;
}

/**
 * The emulated proxies' one /metrics endpoint on loopback. It can listen before the emulator
 * exists, so Prometheus (which needs the address) can start while the control plane boots.
 */
export async function startMetricsServer(port = 0): Promise<MetricsServer> {
  let render: () => string = () => '';
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    let body: string;
    try {
      body = render();
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`render failed: ${String(err)}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      reject(
        new WorldError(WORLD_ERROR_CODES.METRICS_SERVER_FAILED, 'metrics server cannot listen', {
          cause: err,
          details: { port },
        }),
      );
    });
    server.listen(port, LOOPBACK, resolve);
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') {
    throw new WorldError(WORLD_ERROR_CODES.METRICS_SERVER_FAILED, 'metrics server has no port');
  }
  const address = `${LOOPBACK}:${addr.port}`;
  let closing: Promise<void> | undefined;
  return {
    address,
    url: `http://${address}/metrics`,
    setSource: (r) => {
      render = r;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
        // Prometheus keeps its scrape connection alive; don't wait for it to hang up.
        server.closeAllConnections();
      })),
  };
}
