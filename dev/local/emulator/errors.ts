/**
 * Errors of the local SMI world (Prometheus and the mesh emulator): developer and test tooling,
 * so the codes live here rather than in the controller's error catalogue. Codes are stable.
 */
export const WORLD_ERROR_CODES = {
  PROMETHEUS_MISSING: 'WL_WORLD_PROMETHEUS_MISSING',
  PROMETHEUS_FAILED: 'WL_WORLD_PROMETHEUS_FAILED',
  BAD_QUANTITY: 'WL_WORLD_BAD_QUANTITY',
  METRICS_SERVER_FAILED: 'WL_WORLD_METRICS_SERVER_FAILED',
  EMULATOR_NOT_SYNCED: 'WL_WORLD_EMULATOR_NOT_SYNCED',
  STOPPED: 'WL_WORLD_STOPPED',
  RESOURCE_METRICS_WITHOUT_PODS: 'WL_WORLD_RESOURCE_METRICS_WITHOUT_PODS',
} as const;

export type WorldErrorCode = (typeof WORLD_ERROR_CODES)[keyof typeof WORLD_ERROR_CODES];

export class WorldError extends Error {
  readonly code: WorldErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: WorldErrorCode,
    message: string,
    opts: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WorldError';
    this.code = code;
    this.details = opts.details ?? {};
  }
}

export function isWorldError(err: unknown, code?: WorldErrorCode): err is WorldError {
  return err instanceof WorldError && (code === undefined || err.code === code);
}
