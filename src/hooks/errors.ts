// Webhook failures, carried inside a WebhookResult (a value) for logs, Events and status.
import { WeightlifterError, type WeightlifterErrorOptions } from '../errors/catalogue.js';

export const WEBHOOK_FAILURES = {
  /** The receiver answered with a non-2xx status. */
  status: 'HttpStatus',
  /** No answer within the hook's timeout. */
  timeout: 'Timeout',
  /** Connection refused, DNS failure, TLS error... */
  network: 'Network',
  /** The operator's address policy does not allow the URL (or the address it resolved to). */
  blocked: 'Blocked',
  /** The receiver answered with a redirect, which is never followed. */
  redirect: 'Redirect',
  /** The hook itself is invalid (bad URL, bad timeout). */
  invalid: 'Invalid',
} as const;
export type WebhookFailure = (typeof WEBHOOK_FAILURES)[keyof typeof WEBHOOK_FAILURES];

/** A webhook call did not succeed (code WL_WEBHOOK_FAILED). */
export class WebhookError extends WeightlifterError {
  readonly failure: WebhookFailure;

  constructor(failure: WebhookFailure, message: string, opts: WeightlifterErrorOptions = {}) {
    super('WL_WEBHOOK_FAILED', message, { ...opts, details: { ...opts.details, failure } });
    this.failure = failure;
  }
}
