import type { TrafficSplitVersion } from '../api/smi.js';
import type { WeightlifterErrorOptions } from '../errors/catalogue.js';
import { ConditionedError } from '../workload/errors.js';

/**
 * The Canary asks for a traffic strategy the routing API cannot express (header matching before
 * TrafficSplit v1alpha3, mirroring on any version). Never approximated — Flagger's SMI router
 * turned an A/B request into "all traffic to the canary".
 */
export class UnsupportedStrategyError extends ConditionedError {
  constructor(message: string, opts: WeightlifterErrorOptions = {}) {
    super('WL_INVALID_SPEC', 'unsupportedStrategy', message, opts);
  }
}

/** No usable TrafficSplit version: the CRD is missing, or the pinned version is not served. */
export class TrafficSplitUnavailableError extends ConditionedError {
  readonly served: readonly TrafficSplitVersion[];

  constructor(
    message: string,
    served: readonly TrafficSplitVersion[],
    opts: WeightlifterErrorOptions = {},
  ) {
    super('WL_INVALID_SPEC', 'trafficSplitUnavailable', message, {
      ...opts,
      details: { ...opts.details, served },
    });
    this.served = served;
  }
}

/** Weights that are not two integers in 0..100 summing to 100 (a caller bug, never sent). */
export class InvalidRoutesError extends ConditionedError {
  constructor(message: string, details: Readonly<Record<string, unknown>>) {
    super('WL_INVALID_SPEC', 'invalidSpec', message, { details });
  }
}
