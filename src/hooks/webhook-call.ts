// One webhook: POST the payload as JSON, any 2xx is success. Each attempt has the hook's own
// timeout; network errors, timeouts, 5xx and 429 are retried `retries` times with exponential
// backoff, other statuses are a definitive answer (a gate that says 403 "closed" means it). The
// outcome is a value carrying the status and the start of the body for Events and status.
// The address policy is checked before the first attempt and again by every connection's DNS
// lookup (src/outbound/url-policy.ts). Redirects are not followed: a 3xx is a failure naming its
// Location, and what the policy would say about it, so it cannot lead past the address policy.
import type { Webhook } from '../api/canary.js';
import type { WebhookType } from '../api/constants.js';
import { STORED_DEFAULTS } from '../api/defaults.js';
import { parseGoDuration } from '../metrics/duration.js';
import { WEBHOOK_FAILURES, WebhookError } from './errors.js';
import type { WebhookPayload } from './payload.js';
import type { UrlPolicy } from '../outbound/url-policy.js';
import { innermostMessage, postJson, type PostAttempt } from '../outbound/post-json.js';

export type WebhookResult =
  | {
      readonly ok: true;
      readonly name: string;
      readonly type: WebhookType;
      readonly url: string;
      readonly status: number;
      readonly attempts: number;
    }
  | {
      readonly ok: false;
      readonly name: string;
      readonly type: WebhookType;
      readonly url: string;
      readonly status?: number;
      /** The first bytes of the answer, when there was one. */
      readonly body?: string;
      readonly attempts: number;
      readonly error: WebhookError;
    };

export interface WebhookCallOptions {
  /** The operator's address policy; every webhook URL is the Canary author's choice. */
  readonly policy: UrlPolicy;
  /** First retry delay in ms, doubled per attempt. @default 500 */
  readonly backoffMs?: number;
  /** @default 5_000 */
  readonly maxBackoffMs?: number;
  /** Waits between attempts; tests inject one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * A signal that aborts an attempt after `ms`; tests drive it with a manual clock.
   * @default AbortSignal.timeout
   */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
}

const SNIPPET_BYTES = 512;
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function callWebhook(
  hook: Webhook,
  payload: WebhookPayload,
  opts: WebhookCallOptions,
): Promise<WebhookResult> {
  const type = hook.type ?? STORED_DEFAULTS.webhook.type;
  const base = { name: hook.name, type, url: hook.url };
  const fail = (
    attempts: number,
    error: WebhookError,
    extra: { status?: number; body?: string } = {},
  ): WebhookResult => ({
    ok: false,
    ...base,
    ...extra,
    attempts,
    error,
  });
  const timeout = parseGoDuration(hook.timeout ?? STORED_DEFAULTS.webhook.timeout);
  if (!timeout.ok || timeout.ms <= 0) {
    const message = `webhook ${hook.name}: invalid timeout "${hook.timeout ?? ''}"`;
    return fail(
      0,
      new WebhookError(WEBHOOK_FAILURES.invalid, message, {
        cause: timeout.ok ? undefined : timeout.error,
      }),
    );
  }
  const verdict = await opts.policy.check(hook.url);
  if (!verdict.allowed) {
    const message = `webhook ${hook.name}: ${hook.url} not allowed by the address policy: ${verdict.reason}`;
    return fail(
      0,
      new WebhookError(WEBHOOK_FAILURES.blocked, message, {
        details: { url: hook.url, rule: verdict.rule },
      }),
    );
  }
  const lookup = opts.policy.lookupFor(hook.url);
  const body = JSON.stringify(payload);
  const maxPostAttempts = 1 + Math.max(0, hook.retries ?? STORED_DEFAULTS.webhook.retries);
  const sleep = opts.sleep ?? realSleep;
  const timeoutSignal = opts.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  for (let attempt = 1; ; attempt += 1) {
    const result = await postJson(hook.url, body, {
      signal: timeoutSignal(timeout.ms),
      headers: { accept: 'application/json, text/plain, */*' },
      maxBodyBytes: SNIPPET_BYTES,
      lookup,
    });
    if (result.kind === 'answer' && result.status >= 200 && result.status <= 299) {
      return { ok: true, ...base, status: result.status, attempts: attempt };
    }
    if (result.kind === 'answer' && result.status >= 300 && result.status <= 399) {
      return redirected(hook, result, attempt, opts.policy, fail);
    }
    const retryable =
      (result.kind !== 'answer' && result.kind !== 'refused') ||
      (result.kind === 'answer' && (result.status >= 500 || result.status === 429));
    if (!retryable || attempt >= maxPostAttempts) return failure(hook, result, attempt, fail);
    const delay = Math.min(
      (opts.backoffMs ?? 500) * 2 ** (attempt - 1),
      opts.maxBackoffMs ?? 5_000,
    );
    await sleep(delay);
  }
}

type Fail = (
  attempts: number,
  error: WebhookError,
  extra?: { status?: number; body?: string },
) => WebhookResult;

/** A 3xx: not followed; the message says where it pointed and the policy's verdict on that. */
async function redirected(
  hook: Webhook,
  answer: Extract<PostAttempt, { kind: 'answer' }>,
  attempts: number,
  policy: UrlPolicy,
  fail: Fail,
): Promise<WebhookResult> {
  const to = answer.location;
  const verdict = to === undefined ? undefined : await policy.check(to);
  const where = to === undefined ? 'without a Location' : `to ${to}`;
  const why =
    verdict === undefined || verdict.allowed
      ? ''
      : `; the address policy refuses it: ${verdict.reason}`;
  const message = `webhook ${hook.name}: HTTP ${answer.status} redirect ${where} not followed (redirects are never followed)${why}`;
  const details = {
    url: hook.url,
    attempts,
    status: answer.status,
    ...(to === undefined ? {} : { location: to }),
    ...(verdict === undefined || verdict.allowed ? {} : { rule: verdict.rule }),
  };
  return fail(attempts, new WebhookError(WEBHOOK_FAILURES.redirect, message, { details }), {
    status: answer.status,
  });
}

function failure(hook: Webhook, result: PostAttempt, attempts: number, fail: Fail): WebhookResult {
  const details = { url: hook.url, attempts };
  if (result.kind === 'refused') {
    const message = `webhook ${hook.name}: ${hook.url} not allowed by the address policy: ${result.error.message}`;
    return fail(
      attempts,
      new WebhookError(WEBHOOK_FAILURES.blocked, message, {
        cause: result.error,
        details: { ...details, rule: result.error.rule },
      }),
    );
  }
  if (result.kind === 'answer') {
    const snippet = result.body.trim();
    const message = `webhook ${hook.name}: HTTP ${result.status}${snippet === '' ? '' : `: ${snippet}`}`;
    return fail(
      attempts,
      new WebhookError(WEBHOOK_FAILURES.status, message, {
        details: { ...details, status: result.status },
      }),
      {
        status: result.status,
        body: snippet,
      },
    );
  }
  if (result.kind === 'timeout') {
    const message = `webhook ${hook.name}: no answer within ${hook.timeout ?? STORED_DEFAULTS.webhook.timeout}`;
    return fail(
      attempts,
      new WebhookError(WEBHOOK_FAILURES.timeout, message, { cause: result.cause, details }),
    );
  }
  const why = innermostMessage(result.cause);
  const message = `webhook ${hook.name}: request failed: ${why}`;
  return fail(
    attempts,
    new WebhookError(WEBHOOK_FAILURES.network, message, { cause: result.cause, details }),
  );
}
