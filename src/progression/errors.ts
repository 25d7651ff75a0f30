// Errors of the pure progression layer. They are returned as values (the machine turns them into a
// Ready=False condition); nothing here throws at the caller.

export const PROGRESSION_ERROR_CODES = {
  invalidStrategy: 'WL_PROGRESSION_INVALID_STRATEGY',
  invalidSchedule: 'WL_PROGRESSION_INVALID_SCHEDULE',
  invalidTimeZone: 'WL_PROGRESSION_INVALID_TIME_ZONE',
} as const;
export type ProgressionErrorCode =
  (typeof PROGRESSION_ERROR_CODES)[keyof typeof PROGRESSION_ERROR_CODES];

/** A Canary's analysis or schedule settings cannot be turned into a plan. */
export class ProgressionError extends Error {
  override readonly name = 'ProgressionError';
  readonly code: ProgressionErrorCode;

  constructor(code: ProgressionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
