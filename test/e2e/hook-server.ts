// A webhook receiver on loopback (127.0.0.1 unless told) for the e2e tests: answers with the
// status or the redirect the test sets and records every call's payload.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookCall {
  readonly path: string;
  readonly body: { name?: string; namespace?: string; phase?: string; type?: string };
}

export class HookServer {
  readonly calls: HookCall[] = [];
  /** HTTP status answered per path ('*' for any); default 200. */
  readonly status = new Map<string, number>();
  /** Per path: answer 302 with this Location instead. */
  readonly redirects = new Map<string, string>();
  #server: Server | undefined;
  url = '';

  async start(host = '127.0.0.1'): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        let body: HookCall['body'] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as HookCall['body'];
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
        }
        this.calls.push({ path, body });
        const location = this.redirects.get(path);
        if (location !== undefined) {
          res.writeHead(302, { location }).end();
          return;
        }
        const code = this.status.get(path) ?? this.status.get('*') ?? 200;
        res.writeHead(code, { 'content-type': 'text/plain' }).end(code < 300 ? 'ok' : 'closed');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    this.#server = server;
    this.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  callsTo(path: string): HookCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}
