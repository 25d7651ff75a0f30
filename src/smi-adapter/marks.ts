// The adapter's marks on the objects it reads and writes.

/**
 * On the TrafficSplit, written once the mesh accepted the translated HTTPRoute: the route's
 * generation it accepted, and the TrafficSplit generation whose spec that route carries.
 */
export const ADAPTER_ANNOTATIONS = {
  routeGeneration: 'smi-adapter.weightlifter.io/http-route-generation',
  splitGeneration: 'smi-adapter.weightlifter.io/traffic-split-generation',
} as const;

/** On the HTTPRoutes it creates (besides the TrafficSplit as controller owner). */
export const ADAPTER_LABELS = {
  'app.kubernetes.io/managed-by': 'weightlifter-smi-adapter',
} as const;

/** Reasons of its Events on the TrafficSplit (a refused translation uses the refusal reason). */
export const ADAPTER_EVENTS = {
  created: 'HTTPRouteCreated',
  updated: 'HTTPRouteUpdated',
  notOwned: 'HTTPRouteNotOwned',
  rejected: 'HTTPRouteRejected',
} as const;

/** reportingController of its Events. */
export const ADAPTER_CONTROLLER = 'weightlifter.io/smi-adapter';
