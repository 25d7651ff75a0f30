// Failures of the metrics API server itself (configuration, TLS material, delegated auth). Codes
// come from the shared catalogue: flags and files are WL_CONFIG_INVALID, a listen failure
// WL_HTTP_SERVER_FAILED, and calls to the API server keep their KubeApiError/KubeRequestError.
import {
  WeightlifterError,
  type ErrorCode,
  type WeightlifterErrorOptions,
} from '../errors/catalogue.js';

export const METRICS_API_ERROR_REASONS = {
  /** Flags contradict each other or name files that cannot be read. */
  badConfig: 'BadConfig',
  /** The serving certificate or a CA bundle could not be loaded. */
  badTls: 'BadTls',
  /** kube-system/extension-apiserver-authentication could not be read or is incomplete. */
  authConfig: 'AuthConfig',
  /** The HTTPS server could not listen. */
  listen: 'Listen',
} as const;
export type MetricsApiErrorReason =
  (typeof METRICS_API_ERROR_REASONS)[keyof typeof METRICS_API_ERROR_REASONS];

const CODES: Record<MetricsApiErrorReason, ErrorCode> = {
  BadConfig: 'WL_CONFIG_INVALID',
  BadTls: 'WL_CONFIG_INVALID',
  AuthConfig: 'WL_CONFIG_INVALID',
  Listen: 'WL_HTTP_SERVER_FAILED',
};

export class MetricsApiError extends WeightlifterError {
  readonly reason: MetricsApiErrorReason;

  constructor(reason: MetricsApiErrorReason, message: string, opts: WeightlifterErrorOptions = {}) {
    super(CODES[reason], message, { ...opts, details: { ...opts.details, reason } });
    this.reason = reason;
  }
}
