// One POST of a JSON body with a per-attempt timeout and bounded retries. Timeouts, network
// errors, 5xx and 429 are retried with exponential backoff (a 429's Retry-After is honoured, up to
// the backoff cap: Slack and Discord rate-limit bursts); any other status is final (a 400 from
// Slack means the payload is wrong and will stay wrong). Redirects are not followed. The result is
// a value; nothing here throws.
import { NOTIFY_FAILURES, NotifyError } from './errors.js';
import { innermostMessage, postJson, type PostAttempt } from '../outbound/post-json.js';

export interface DeliveryOptions {
  readonly timeoutMs: number;
  readonly retries: number;
  /** First retry delay, doubled per attempt. @default 500 */
  readonly backoffMs?: number;
  /** @default 10_000 */
  readonly maxBackoffMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * A signal that aborts an attempt after `ms`; tests drive it with a manual clock.
   * @default AbortSignal.timeout
   */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
}

export type Delivery =
  | { readonly ok: true; readonly status: number; readonly attempts: number }
  | {
      readonly ok: false;
      readonly status?: number;
      readonly attempts: number;
      readonly error: NotifyError;
    };

const SNIPPET = 300;

function failure(a: PostAttempt, attempts: number, timeoutMs: number): Delivery {
  if (a.kind === 'answer') {
    const text = a.body.trim();
    const message = `HTTP ${a.status}${text === '' ? '' : `: ${text}`}`;
    const error = new NotifyError(NOTIFY_FAILURES.status, message, {
      details: { status: a.status, attempts },
    });
    return { ok: false, status: a.status, attempts, error };
  }
  if (a.kind === 'timeout') {
    const error = new NotifyError(NOTIFY_FAILURES.timeout, `no answer within ${timeoutMs} ms`, {
      cause: a.cause,
      details: { attempts },
    });
    return { ok: false, attempts, error };
  }
  // 'refused' only comes from an address policy's lookup; alert URLs are the operator's own.
  const cause = a.kind === 'refused' ? a.error : a.cause;
  const error = new NotifyError(
    NOTIFY_FAILURES.network,
    `request failed: ${innermostMessage(cause)}`,
    {
      cause,
      details: { attempts },
    },
  );
  return { ok: false, attempts, error };
}

export async function deliver(
  url: string,
  payload: unknown,
  opts: DeliveryOptions,
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const maxPostAttempts = 1 + Math.max(0, opts.retries);
  const cap = opts.maxBackoffMs ?? 10_000;
  for (let attempt = 1; ; attempt += 1) {
    const signal = opts.timeoutSignal?.(opts.timeoutMs) ?? AbortSignal.timeout(opts.timeoutMs);
    const a = await postJson(url, body, {
      signal,
      headers: { 'user-agent': 'weightlifter-notify' },
      maxBodyBytes: SNIPPET,
    });
    if (a.kind === 'answer' && a.status >= 200 && a.status <= 299)
      return { ok: true, status: a.status, attempts: attempt };
    const retryable = a.kind !== 'answer' || a.status >= 500 || a.status === 429;
    if (!retryable || attempt >= maxPostAttempts) return failure(a, attempt, opts.timeoutMs);
    const backoff = (opts.backoffMs ?? 500) * 2 ** (attempt - 1);
    const asked = a.kind === 'answer' ? a.retryAfterMs : null;
    await opts.sleep(Math.min(asked ?? backoff, cap));
  }
}
