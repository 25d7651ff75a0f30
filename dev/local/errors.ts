/**
 * Errors of the local control plane (developer and test tooling, not the controller itself, so the
 * codes live here rather than in the product's error catalogue). Codes are stable: tests match them.
 */
export const LOCAL_ERROR_CODES = {
  GO_TOOLCHAIN_MISSING: 'WL_LOCAL_GO_TOOLCHAIN_MISSING',
  BINARY_MISSING: 'WL_LOCAL_BINARY_MISSING',
  BUILD_FAILED: 'WL_LOCAL_BUILD_FAILED',
  OPENSSL_FAILED: 'WL_LOCAL_OPENSSL_FAILED',
  PORT_UNAVAILABLE: 'WL_LOCAL_PORT_UNAVAILABLE',
  SPAWN_FAILED: 'WL_LOCAL_SPAWN_FAILED',
  PROCESS_EXITED: 'WL_LOCAL_PROCESS_EXITED',
  NOT_READY: 'WL_LOCAL_NOT_READY',
  CRD_INSTALL_FAILED: 'WL_LOCAL_CRD_INSTALL_FAILED',
  GATEWAY_API_CRDS_MISSING: 'WL_LOCAL_GATEWAY_API_CRDS_MISSING',
  KUBECTL_FAILED: 'WL_LOCAL_KUBECTL_FAILED',
  STOPPED: 'WL_LOCAL_STOPPED',
} as const;

export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[keyof typeof LOCAL_ERROR_CODES];

export class LocalClusterError extends Error {
  readonly code: LocalErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: LocalErrorCode,
    message: string,
    opts: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LocalClusterError';
    this.code = code;
    this.details = opts.details ?? {};
  }
}

export function isLocalClusterError(err: unknown, code?: LocalErrorCode): err is LocalClusterError {
  return err instanceof LocalClusterError && (code === undefined || err.code === code);
}
