// Metric source failures. Sources return them inside an `error` result (a value); only the
// executor below a source throws them, and the source catches and wraps them.
import { WeightlifterError, type WeightlifterErrorOptions } from '../errors/catalogue.js';

export const METRICS_ERROR_REASONS = {
  /** Prometheus or the SMI metrics API answered with an error status. */
  queryFailed: 'QueryFailed',
  /** No answer before the deadline. */
  timeout: 'Timeout',
  /** The request never got an answer (connection refused, DNS, TLS). */
  network: 'Network',
  /** The answer had an unexpected shape (matrix, several series where one was expected...). */
  badResponse: 'BadResponse',
  /** A Kubernetes Quantity could not be parsed. */
  invalidQuantity: 'InvalidQuantity',
  /** A Go duration (window) could not be parsed. */
  invalidDuration: 'InvalidDuration',
  /** The operator's address policy does not allow this metrics address. */
  addressNotAllowed: 'AddressNotAllowed',
  /** The metric cannot be measured as configured (no source, template missing). */
  misconfigured: 'Misconfigured',
  /** The SMI TrafficMetrics API is not served and fallback is disabled. */
  apiUnavailable: 'ApiUnavailable',
} as const;
export type MetricsErrorReason = (typeof METRICS_ERROR_REASONS)[keyof typeof METRICS_ERROR_REASONS];

/** A metric could not be measured (code WL_METRICS_QUERY_FAILED). */
export class MetricsError extends WeightlifterError {
  readonly reason: MetricsErrorReason;

  constructor(reason: MetricsErrorReason, message: string, opts: WeightlifterErrorOptions = {}) {
    super('WL_METRICS_QUERY_FAILED', message, {
      ...opts,
      details: { ...opts.details, reason },
    });
    this.reason = reason;
  }
}
