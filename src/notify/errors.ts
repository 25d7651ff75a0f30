// Delivery failures are values (DeliveryResult), carrying a typed error for logs. Alerts are
// webhook calls, so they share the catalogue's WL_WEBHOOK_FAILED code; `failure` tells why.
import { WeightlifterError, type WeightlifterErrorOptions } from '../errors/catalogue.js';

export const NOTIFY_FAILURES = {
  /** The receiver answered with a non-2xx status. */
  status: 'HttpStatus',
  /** No answer within the provider's timeout. */
  timeout: 'Timeout',
  /** Connection refused, DNS, TLS... */
  network: 'Network',
  /** The URL's Secret or key could not be read. */
  secret: 'Secret',
  /** A bug on our side (e.g. a payload builder threw); reported, never thrown into the caller. */
  internal: 'Internal',
} as const;
export type NotifyFailure = (typeof NOTIFY_FAILURES)[keyof typeof NOTIFY_FAILURES];

export class NotifyError extends WeightlifterError {
  readonly failure: NotifyFailure;

  constructor(failure: NotifyFailure, message: string, opts: WeightlifterErrorOptions = {}) {
    super('WL_WEBHOOK_FAILED', message, { ...opts, details: { ...opts.details, failure } });
    this.failure = failure;
  }
}
