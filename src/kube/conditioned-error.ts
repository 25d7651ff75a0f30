// An error that becomes a Ready=False condition (with a Warning Event) instead of a retry with
// backoff: the fix is a change to some object, whose watch event triggers the next reconcile. The
// reason's vocabulary belongs to the API (api/constants.ts CONDITION_REASONS); this file only
// carries it, so the layers below api/ can throw one.
import {
  WeightlifterError,
  type ErrorCode,
  type WeightlifterErrorOptions,
} from '../errors/catalogue.js';

/** Options of a ConditionedError (the catalogue's: `cause`, `details`). */
export type ConditionedErrorOptions = WeightlifterErrorOptions;

/** A WeightlifterError that names the condition reason it becomes. */
export class ConditionedError<R extends string = string> extends WeightlifterError {
  readonly conditionReason: R;

  constructor(
    code: ErrorCode,
    conditionReason: R,
    message: string,
    opts: ConditionedErrorOptions = {},
  ) {
    super(code, message, opts);
    this.conditionReason = conditionReason;
  }
}
