/** Errors of the benchmark (developer tooling: its codes live here, not in the product's catalogue). */
export const BENCH_ERROR_CODES = {
  USAGE: 'WL_BENCH_USAGE',
  TIMEOUT: 'WL_BENCH_TIMEOUT',
  CONTROLLER_GONE: 'WL_BENCH_CONTROLLER_GONE',
  UNSUPPORTED: 'WL_BENCH_UNSUPPORTED',
  /** The world could not be prepared (the controller's RBAC not applied). */
  SETUP: 'WL_BENCH_SETUP',
  /** A canary reached an outcome other than the one the scenario waits for. */
  WRONG_OUTCOME: 'WL_BENCH_WRONG_OUTCOME',
} as const;

export type BenchErrorCode = (typeof BENCH_ERROR_CODES)[keyof typeof BENCH_ERROR_CODES];

export class BenchError extends Error {
  override readonly name = 'BenchError';

  constructor(
    readonly code: BenchErrorCode,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}
