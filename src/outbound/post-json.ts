// The one outbound JSON POST: webhooks (src/hooks/webhook-call.ts) and alerts
// (src/notify/deliver.ts) both send through it. One attempt: no redirect is followed (a receiver
// must not bounce us to an address the URL policy never saw), the caller's signal bounds it, and
// only the first `maxBodyBytes` of the answer are read (a receiver may answer with a huge page).
// Retries, backoff and the errors each caller reports stay with the caller.

export type PostAttempt =
  | {
      readonly kind: 'answer';
      readonly status: number;
      /** The first bytes of the answer, as text. */
      readonly body: string;
      /** From Retry-After (seconds or an HTTP date), in ms; null when absent or unreadable. */
      readonly retryAfterMs: number | null;
    }
  | { readonly kind: 'timeout'; readonly cause: unknown }
  | { readonly kind: 'network'; readonly cause: unknown };

export interface PostJsonOptions {
  readonly signal: AbortSignal;
  /** Sent besides content-type: application/json. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
}

export async function postJson(
  url: string,
  body: string,
  opts: PostJsonOptions,
): Promise<PostAttempt> {
  const { signal } = opts;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...opts.headers, 'content-type': 'application/json' },
      body,
      redirect: 'manual',
      signal,
    });
    return {
      kind: 'answer',
      status: res.status,
      body: await firstBytes(res, opts.maxBodyBytes),
      retryAfterMs: retryAfter(res.headers.get('retry-after')),
    };
  } catch (cause) {
    return signal.aborted ? { kind: 'timeout', cause } : { kind: 'network', cause };
  }
}

async function firstBytes(res: Response, max: number): Promise<string> {
  if (res.body === null) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel();
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
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
