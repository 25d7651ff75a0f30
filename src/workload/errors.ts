// Typed errors of the workload and routing layers. Each carries the Ready=False condition reason
// the reconciler reports (with an Event), so mapping an error to a condition needs no string
// matching: `conditionReasonOf(err)`.
import { CONDITION_REASONS, type ConditionReason } from '../api/constants.js';
import { OwnershipError } from '../kube/diff-patch.js';
import {
  WeightlifterError,
  isWeightlifterError,
  type ErrorCode,
  type WeightlifterErrorOptions,
} from '../errors/catalogue.js';

/** A WeightlifterError that names the condition reason it becomes. */
export class ConditionedError extends WeightlifterError {
  readonly conditionReason: ConditionReason;

  constructor(
    code: ErrorCode,
    reason: keyof typeof CONDITION_REASONS,
    message: string,
    opts: WeightlifterErrorOptions = {},
  ) {
    super(code, message, opts);
    this.conditionReason = CONDITION_REASONS[reason];
  }
}

/**
 * Something about the target or the Canary that only the controller can see is wrong (target
 * missing, selector unusable, a referenced ConfigMap missing). Not retryable with backoff: the
 * fix is a change to some object, whose watch event triggers the next reconcile.
 */
export class WorkloadSpecError extends ConditionedError {
  constructor(
    reason: keyof typeof CONDITION_REASONS,
    message: string,
    opts: WeightlifterErrorOptions = {},
  ) {
    super('WL_INVALID_SPEC', reason, message, opts);
  }
}

/** A pre-existing Service we did not create, without the takeover annotation. */
export class TakeoverRefusedError extends OwnershipError {
  readonly conditionReason: ConditionReason = CONDITION_REASONS.notOwned;
}

/** The condition reason for an error from src/workload or src/routing; undefined if unknown. */
export function conditionReasonOf(err: unknown): ConditionReason | undefined {
  if (err instanceof ConditionedError || err instanceof TakeoverRefusedError) {
    return err.conditionReason;
  }
  if (isWeightlifterError(err, 'WL_NOT_OWNED')) return CONDITION_REASONS.notOwned;
  return undefined;
}
