/**
 * Errors of the demo (developer tooling like dev/local/, so the codes live here rather than in the
 * controller's catalogue). Codes are stable: tests match them.
 */
export const DEMO_ERROR_CODES = {
  /** A release did not reach its expected end (promoted / rolled back) before the deadline. */
  TIMEOUT: 'WL_DEMO_TIMEOUT',
  /** A release ended, but not the way the story says it must (v2 rolled back, v3 promoted...). */
  UNEXPECTED_OUTCOME: 'WL_DEMO_UNEXPECTED_OUTCOME',
  /** Ctrl-C or SIGTERM arrived: the story stops where it is. Not a failure. */
  INTERRUPTED: 'WL_DEMO_INTERRUPTED',
} as const;

export type DemoErrorCode = (typeof DEMO_ERROR_CODES)[keyof typeof DEMO_ERROR_CODES];

export class DemoError extends Error {
  readonly code: DemoErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: DemoErrorCode,
    message: string,
    opts: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DemoError';
    this.code = code;
    this.details = opts.details ?? {};
  }
}

export function isDemoError(err: unknown, code?: DemoErrorCode): err is DemoError {
  return err instanceof DemoError && (code === undefined || err.code === code);
}
