// The one outbound JSON POST: webhooks (src/hooks/webhook-call.ts) and alerts
// (src/notify/deliver.ts) both send through it (http-request.ts). One attempt: no redirect is
// followed (a receiver must not bounce us to an address the URL policy never saw; a 3xx is the
// answer, with its Location), the caller's signal bounds it, the connection resolves through the
// caller's policy lookup, and only the first `maxBodyBytes` of the answer are read (a receiver may
// answer with a huge page). Retries, backoff and the errors each caller reports stay with the caller.
import type { LookupFunction } from 'node:net';
import { sendHttp, type HttpAttempt } from './http-request.js';

export type PostAttempt =
  | {
      readonly kind: 'answer';
      readonly status: number;
      /** The first bytes of the answer, as text. */
      readonly body: string;
      /** From Retry-After (seconds or an HTTP date), in ms; null when absent or unreadable. */
      readonly retryAfterMs: number | null;
      /** A redirect's target, resolved against the URL; absent when the answer has none. */
      readonly location?: string;
    }
  | Exclude<HttpAttempt, { kind: 'answer' }>;

export interface PostJsonOptions {
  readonly signal: AbortSignal;
  /** Sent besides content-type: application/json. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  /** The address policy's lookup for this URL (UrlPolicy.lookupFor); absent for operator URLs. */
  readonly lookup?: LookupFunction;
}

export async function postJson(
  url: string,
  body: string,
  opts: PostJsonOptions,
): Promise<PostAttempt> {
  const a = await sendHttp(url, {
    method: 'POST',
    headers: { ...opts.headers, 'content-type': 'application/json' },
    body,
    signal: opts.signal,
    maxBodyBytes: opts.maxBodyBytes,
    ...(opts.lookup === undefined ? {} : { lookup: opts.lookup }),
  });
  if (a.kind !== 'answer') return a;
  const header = a.headers['retry-after'];
  const location = a.headers.location;
  return {
    kind: 'answer',
    status: a.status,
    body: a.body,
    retryAfterMs: retryAfter(header ?? null),
    ...(location === undefined || !URL.canParse(location, url)
      ? {}
      : { location: new URL(location, url).href }),
  };
}

function retryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** fetch wraps the interesting error ("connect ECONNREFUSED ...") as the cause of "fetch failed". */
export function innermostMessage(err: unknown): string {
  let current: unknown = err;
  let message = String(err);
  // Duck-typed: errors from undici may come from another realm, where instanceof Error fails.
  while (typeof current === 'object' && current !== null && 'message' in current) {
    message = String(current.message);
    current = 'cause' in current ? current.cause : undefined;
  }
  return message;
}
