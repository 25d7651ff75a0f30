// TrafficMetrics / TrafficMetricsList / Status as this server writes them (shapes:
// reference/smi-spec.md §2.2). The client's wire types (src/metrics/traffic-metrics-api.ts) are
// reused, so the server cannot drift from what the client reads.
import {
  SMI_METRICS_GROUP,
  SMI_METRICS_VERSION,
  type ObjectReference,
  type TrafficMetricsObject,
} from '../metrics/traffic-metrics-api.js';
import { SMI_METRIC_NAMES, type TrafficValues } from '../metrics/traffic-metrics-values.js';
import { formatMilliQuantity, NAN_QUANTITY } from './milli-quantity.js';

const API_VERSION = `${SMI_METRICS_GROUP}/${SMI_METRICS_VERSION}`;

/** Which proxy measured the figures: the caller's (client) or the callee's (server). */
export type Side = 'client' | 'server';

export interface Edge {
  readonly direction: 'to' | 'from';
  readonly side: Side;
  /** null on a resource-level object: all inbound traffic, from anyone. */
  readonly resource: ObjectReference | null;
}

/** The v1alpha1 object plus v1alpha2's `edge.side` (the spec document already carries it). */
export type ServedTrafficMetrics = TrafficMetricsObject & {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly selfLink: string;
    readonly creationTimestamp: string;
  };
  readonly edge: Edge;
};

export interface TrafficMetricsInput {
  readonly resource: ObjectReference & { readonly name: string };
  readonly selfLink: string;
  readonly timestamp: string;
  readonly window: string;
  readonly edge: Edge;
  readonly values: TrafficValues;
}

export function trafficMetrics(input: TrafficMetricsInput): ServedTrafficMetrics {
  const { resource } = input;
  return {
    kind: 'TrafficMetrics',
    apiVersion: API_VERSION,
    metadata: {
      name: resource.name,
      ...(resource.namespace === undefined ? {} : { namespace: resource.namespace }),
      selfLink: input.selfLink,
      creationTimestamp: input.timestamp,
    },
    timestamp: input.timestamp,
    window: input.window,
    resource,
    edge: input.edge,
    metrics: SMI_METRIC_NAMES.map((name) => {
      const value = input.values[name];
      if (name === 'success_count' || name === 'failure_count') {
        return { name, value: value === undefined ? '0' : formatMilliQuantity(value) };
      }
      // No latency series (e.g. counts but no histogram) is NaN, as histogram_quantile says.
      return {
        name,
        unit: 'ms',
        value: value === undefined ? NAN_QUANTITY : formatMilliQuantity(value),
      };
    }),
  };
}

export interface TrafficMetricsList {
  readonly kind: 'TrafficMetricsList';
  readonly apiVersion: string;
  readonly metadata: { readonly selfLink: string };
  readonly resource: ObjectReference;
  readonly items: readonly ServedTrafficMetrics[];
}

export function trafficMetricsList(
  selfLink: string,
  resource: ObjectReference,
  items: readonly ServedTrafficMetrics[],
): TrafficMetricsList {
  return {
    kind: 'TrafficMetricsList',
    apiVersion: API_VERSION,
    metadata: { selfLink },
    resource,
    items,
  };
}

export const STATUS_REASONS = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'InternalError',
  503: 'ServiceUnavailable',
} as const;
export type StatusCode = keyof typeof STATUS_REASONS;

/**
 * A metav1.Status, so kubectl prints "Error from server (<reason>): <message>". It also carries
 * smi-metrics' `error` field: clients written against smi-metrics read `{"error": ...}`.
 */
export function status(code: StatusCode, message: string): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: STATUS_REASONS[code],
    code,
    error: message,
  };
}

/** Timestamps as metav1.Time marshals them: RFC 3339, whole seconds, UTC. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
