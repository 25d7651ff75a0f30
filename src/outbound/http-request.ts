// One outbound HTTP request over node:http(s), for the calls the address policy guards: the
// connection resolves its host through the caller's `lookup` (UrlPolicy.lookupFor), so it goes to
// exactly the addresses that were checked. A fresh connection per request (no pooled socket that
// was opened under another check), no proxy, no redirect followed (node:http never follows one),
// and only the first `maxBodyBytes` of the answer read.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AddressNotAllowedError } from './url-policy.js';

export interface HttpRequestOptions {
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  readonly maxBodyBytes: number;
  /** The connection's DNS lookup; the system's when absent (operator-chosen addresses). */
  readonly lookup?: LookupFunction;
}

export type HttpAttempt =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      /** The first bytes of the answer, as text. */
      readonly body: string;
    }
  | { readonly kind: 'refused'; readonly error: AddressNotAllowedError }
  | { readonly kind: 'timeout'; readonly cause: unknown }
  | { readonly kind: 'network'; readonly cause: unknown };

export function sendHttp(url: string, opts: HttpRequestOptions): Promise<HttpAttempt> {
  const { signal } = opts;
  return new Promise((resolve) => {
    const failed = (cause: unknown): void => {
      if (cause instanceof AddressNotAllowedError) resolve({ kind: 'refused', error: cause });
      else resolve(signal.aborted ? { kind: 'timeout', cause } : { kind: 'network', cause });
    };
    const send = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: opts.method,
        headers: opts.headers,
        signal,
        agent: false,
        ...(opts.lookup === undefined ? {} : { lookup: opts.lookup }),
      },
      (res) => {
        firstBytes(res, opts.maxBodyBytes).then((body) => {
          resolve({ kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, body });
        }, failed);
      },
    );
    req.on('error', failed);
    req.end(opts.body);
  });
}

async function firstBytes(res: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    size += buf.byteLength;
    if (size >= max) break;
  }
  res.destroy();
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
