import { CONDITION_REASONS, type ConditionReason } from '../api/constants.js';
import type { TrafficSplitVersion } from '../api/smi.js';
import { ConditionedError, type ConditionedErrorOptions } from '../kube/conditioned-error.js';

/**
 * The Canary asks for a traffic strategy the routing API cannot express (header matching before
 * TrafficSplit v1alpha3, mirroring on any version). Never approximated — Flagger's SMI router
 * turned an A/B request into "all traffic to the canary".
 */
export class UnsupportedStrategyError extends ConditionedError<ConditionReason> {
  constructor(message: string, opts: ConditionedErrorOptions = {}) {
    super('WL_INVALID_SPEC', CONDITION_REASONS.unsupportedStrategy, message, opts);
  }
}

/** No usable TrafficSplit version: the CRD is missing, or the pinned version is not served. */
export class TrafficSplitUnavailableError extends ConditionedError<ConditionReason> {
  readonly served: readonly TrafficSplitVersion[];

  constructor(
    message: string,
    served: readonly TrafficSplitVersion[],
    opts: ConditionedErrorOptions = {},
  ) {
    super('WL_INVALID_SPEC', CONDITION_REASONS.trafficSplitUnavailable, message, {
      ...opts,
      details: { ...opts.details, served },
    });
    this.served = served;
  }
}

/** No HTTPRoute version is served (the Gateway API CRDs are not installed). */
export class HttpRouteUnavailableError extends ConditionedError<ConditionReason> {
  constructor(message: string, opts: ConditionedErrorOptions = {}) {
    super('WL_INVALID_SPEC', CONDITION_REASONS.httpRouteUnavailable, message, opts);
  }
}

/** provider auto found no routing API the Canary can use (the message names both). */
export class RoutingUnavailableError extends ConditionedError<ConditionReason> {
  constructor(message: string, opts: ConditionedErrorOptions = {}) {
    super('WL_INVALID_SPEC', CONDITION_REASONS.routingUnavailable, message, opts);
  }
}

/** Weights that are not two integers in 0..100 summing to 100 (a caller bug, never sent). */
export class InvalidRoutesError extends ConditionedError<ConditionReason> {
  constructor(message: string, details: Readonly<Record<string, unknown>>) {
    super('WL_INVALID_SPEC', CONDITION_REASONS.invalidSpec, message, { details });
  }
}

/** No registered router serves the Canary's spec.routing.provider. */
export class NoRouterError extends ConditionedError<ConditionReason> {
  constructor(message: string, opts: ConditionedErrorOptions = {}) {
    super('WL_INVALID_SPEC', CONDITION_REASONS.invalidSpec, message, opts);
  }
}
