import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import { logTail, type Child } from './processes.js';
import type { KeyPair } from './pki.js';

export interface WaitOptions {
  /** What is awaited, for the error message. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Components whose exit makes waiting pointless: fail at once with their log. */
  readonly watch?: readonly Child[];
}

/**
 * Polls `check` until it returns true. Every wait has a deadline; the error carries the last
 * failure as its cause and, when a watched component died, that component's log tail.
 */
export async function waitUntil(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const dead = opts.watch?.find((c) => c.exit !== undefined);
    if (dead !== undefined) {
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.PROCESS_EXITED,
        `${dead.name} exited (${dead.exit?.code ?? dead.exit?.signal ?? '?'}) while waiting for ${opts.what}; last log lines:\n${logTail(dead.logFile)}`,
        { details: { component: dead.name, logFile: dead.logFile } },
      );
    }
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const logs = (opts.watch ?? [])
        .map((c) => `--- ${c.name} (${c.logFile})\n${logTail(c.logFile, 8)}`)
        .join('\n');
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.NOT_READY,
        `${opts.what} not ready after ${opts.timeoutMs} ms${logs === '' ? '' : `\n${logs}`}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}

/** GET a URL and return status and body; TLS with our CA and, optionally, a client certificate. */
export function httpGet(
  url: string,
  tls?: { ca: string; client?: KeyPair },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const options = {
      method: 'GET',
      timeout: 2_000,
      ...(tls === undefined
        ? {}
        : {
            ca: readFileSync(tls.ca),
            ...(tls.client === undefined
              ? {}
              : { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) }),
          }),
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
