/**
 * The error catalogue. Codes are part of the public surface (logs, Events, alerts match on them):
 * never rename or reuse one; add new ones at the end. test/unit/errors/catalogue.test.ts pins them.
 */
export const ERROR_CATALOGUE = {
  WL_KUBE_API_ERROR: {
    code: 'WL_KUBE_API_ERROR',
    retryable: true,
    description: 'The Kubernetes API answered a request with an error status.',
  },
  WL_KUBE_REQUEST_FAILED: {
    code: 'WL_KUBE_REQUEST_FAILED',
    retryable: true,
    description: 'A Kubernetes API request failed before a response arrived (network, TLS).',
  },
  WL_KUBECONFIG_INVALID: {
    code: 'WL_KUBECONFIG_INVALID',
    retryable: false,
    description: 'The kubeconfig could not be loaded or names no usable cluster.',
  },
  WL_INFORMER_SYNC_TIMEOUT: {
    code: 'WL_INFORMER_SYNC_TIMEOUT',
    retryable: true,
    description: 'An informer did not complete its initial list before the deadline.',
  },
  WL_INFORMER_STOPPED: {
    code: 'WL_INFORMER_STOPPED',
    retryable: false,
    description: 'An informer was stopped while something waited for it to sync.',
  },
  WL_STATUS_CONFLICT: {
    code: 'WL_STATUS_CONFLICT',
    retryable: true,
    description: 'A status write kept conflicting with concurrent writers after all retries.',
  },
  WL_NOT_OWNED: {
    code: 'WL_NOT_OWNED',
    retryable: false,
    description: 'Refused to modify an object weightlifter does not own.',
  },
  WL_LEADER_ELECTION_FAILED: {
    code: 'WL_LEADER_ELECTION_FAILED',
    retryable: true,
    description: 'Leader election could not read or write its Lease.',
  },
  WL_SHUTDOWN_TIMEOUT: {
    code: 'WL_SHUTDOWN_TIMEOUT',
    retryable: false,
    description: 'In-flight work did not finish before the shutdown deadline.',
  },
  WL_CONFIG_INVALID: {
    code: 'WL_CONFIG_INVALID',
    retryable: false,
    description: 'The controller configuration (flags, environment) is invalid.',
  },
  WL_INVALID_SPEC: {
    code: 'WL_INVALID_SPEC',
    retryable: false,
    description: 'A resource spec is invalid in a way only the controller can detect.',
  },
  WL_METRICS_QUERY_FAILED: {
    code: 'WL_METRICS_QUERY_FAILED',
    retryable: true,
    description: 'A metrics query (Prometheus, SMI metrics API) failed.',
  },
  WL_TEMPLATE_RENDER_FAILED: {
    code: 'WL_TEMPLATE_RENDER_FAILED',
    retryable: false,
    description: 'An analysis template could not be rendered (unknown variable, bad syntax).',
  },
  WL_WEBHOOK_FAILED: {
    code: 'WL_WEBHOOK_FAILED',
    retryable: true,
    description: 'A webhook call failed, timed out or answered with a non-2xx status.',
  },
  WL_HTTP_SERVER_FAILED: {
    code: 'WL_HTTP_SERVER_FAILED',
    retryable: false,
    description: 'The health/metrics HTTP server could not listen on its address.',
  },
  WL_NOT_LEADER: {
    code: 'WL_NOT_LEADER',
    retryable: false,
    description: 'A write was refused or aborted because this replica no longer holds the lease.',
  },
  WL_DASHBOARD_NOT_BUILT: {
    code: 'WL_DASHBOARD_NOT_BUILT',
    retryable: false,
    description: "The dashboard's front end is not built (npm run build writes dist/web/).",
  },
  WL_DASHBOARD_FORBIDDEN: {
    code: 'WL_DASHBOARD_FORBIDDEN',
    retryable: false,
    description:
      'The dashboard was asked to show a namespace its identity may not watch Canaries in.',
  },
  WL_ADDRESS_NOT_ALLOWED: {
    code: 'WL_ADDRESS_NOT_ALLOWED',
    retryable: false,
    description: 'An outbound call was refused: its address is blocked or outside the policy.',
  },
} as const satisfies Record<string, { code: string; retryable: boolean; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface WeightlifterErrorOptions {
  readonly cause?: unknown;
  /** Structured fields for logs (e.g. { namespace, name }); never secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Base class of every error weightlifter throws on purpose; `code` is stable, `cause` chains. */
export class WeightlifterError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, opts: WeightlifterErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    this.details = opts.details ?? {};
  }
}

export function isWeightlifterError(err: unknown, code?: ErrorCode): err is WeightlifterError {
  return err instanceof WeightlifterError && (code === undefined || err.code === code);
}

/** Unknown errors count as retryable: a level-triggered reconcile retried with backoff is safe. */
export function isRetryable(err: unknown): boolean {
  return err instanceof WeightlifterError ? err.retryable : true;
}
