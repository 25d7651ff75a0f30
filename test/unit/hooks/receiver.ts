// A real HTTP receiver on 127.0.0.1 for webhook tests: records every request and answers with
// whatever the test scripted for the path.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ManualClock } from '../../../src/time/manual-clock.js';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Script = (req: Received, res: ServerResponse, attempt: number) => void;

export interface Receiver {
  readonly url: (path: string) => string;
  readonly received: Received[];
  /** How the receiver answers requests to `path` (default 200 "ok"). */
  on(path: string, script: Script): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const scripts = new Map<string, Script>();
  const attempts = new Map<string, number>();
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const entry = {
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      const attempt = (attempts.get(path) ?? 0) + 1;
      attempts.set(path, attempt);
      const script = scripts.get(path) ?? ((_r, out) => out.end('ok'));
      held.push(res);
      script(entry, res, attempt);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path, script) => {
      scripts.set(path, script);
    },
    close: async () => {
      for (const res of held) if (!res.writableEnded) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        }),
      );
    },
  };
}

export function reply(status: number, body = ''): Script {
  return (_req, res) => {
    res.statusCode = status;
    res.end(body);
  };
}

/**
 * Per-attempt timeouts on a ManualClock instead of the wall clock: pass `timeoutSignal` to the
 * caller; `signals` holds one signal per attempt, aborted once the clock has moved `ms` past it.
 */
export function clockTimeouts(clock: Pick<ManualClock, 'setTimeout'>) {
  const signals: AbortSignal[] = [];
  const asked: number[] = [];
  const timeoutSignal = (ms: number): AbortSignal => {
    const controller = new AbortController();
    clock.setTimeout(() => {
      controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
    }, ms);
    signals.push(controller.signal);
    asked.push(ms);
    return controller.signal;
  };
  return { signals, asked, timeoutSignal };
}
