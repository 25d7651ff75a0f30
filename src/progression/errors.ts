// Errors of the pure progression layer. They are returned as values (the machine turns them into
// a Ready=False condition with reason InvalidSpec); nothing here throws at the caller.
import { WeightlifterError } from '../errors/catalogue.js';

export const PROGRESSION_ERROR_REASONS = {
  invalidStrategy: 'InvalidStrategy',
  invalidSchedule: 'InvalidSchedule',
  invalidTimeZone: 'InvalidTimeZone',
} as const;
export type ProgressionErrorReason =
  (typeof PROGRESSION_ERROR_REASONS)[keyof typeof PROGRESSION_ERROR_REASONS];

/** A Canary's analysis or schedule settings cannot be turned into a plan (code WL_INVALID_SPEC). */
export class ProgressionError extends WeightlifterError {
  readonly reason: ProgressionErrorReason;

  constructor(reason: ProgressionErrorReason, message: string, options?: { cause?: unknown }) {
    super('WL_INVALID_SPEC', message, { cause: options?.cause, details: { reason } });
    this.reason = reason;
  }
}
