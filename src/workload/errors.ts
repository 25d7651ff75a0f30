// Typed errors of the workload layer. Each carries the Ready=False condition reason the
// reconciler reports (with an Event), so mapping an error to a condition needs no string
// matching: `conditionReasonOf(err)` (which also reads the routing layer's ConditionedErrors).
import { CONDITION_REASONS, type ConditionReason } from '../api/constants.js';
import { ConditionedError } from '../kube/conditioned-error.js';
import { OwnershipError } from '../kube/diff-patch.js';
import { isWeightlifterError, type WeightlifterErrorOptions } from '../errors/catalogue.js';

/**
 * Something about the target or the Canary that only the controller can see is wrong (target
 * missing, selector unusable, a referenced ConfigMap missing). Not retryable with backoff: the
 * fix is a change to some object, whose watch event triggers the next reconcile.
 */
export class WorkloadSpecError extends ConditionedError<ConditionReason> {
  constructor(
    reason: keyof typeof CONDITION_REASONS,
    message: string,
    opts: WeightlifterErrorOptions = {},
  ) {
    super('WL_INVALID_SPEC', CONDITION_REASONS[reason], message, opts);
  }
}

/** A pre-existing Service we did not create, without the takeover annotation. */
export class TakeoverRefusedError extends OwnershipError {
  readonly conditionReason: ConditionReason = CONDITION_REASONS.notOwned;
}

const REASONS: ReadonlySet<string> = new Set(Object.values(CONDITION_REASONS));
const isConditionReason = (reason: unknown): reason is ConditionReason =>
  typeof reason === 'string' && REASONS.has(reason);

/** The condition reason for an error from src/workload or src/routing; undefined if unknown. */
export function conditionReasonOf(err: unknown): ConditionReason | undefined {
  if (err instanceof TakeoverRefusedError) return err.conditionReason;
  if (err instanceof ConditionedError) {
    const reason: unknown = err.conditionReason;
    return isConditionReason(reason) ? reason : undefined;
  }
  if (isWeightlifterError(err, 'WL_NOT_OWNED')) return CONDITION_REASONS.notOwned;
  return undefined;
}
