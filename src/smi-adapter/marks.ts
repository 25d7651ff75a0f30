// The adapter's marks on the objects it reads and writes.

/** On the TrafficSplit: the generation of the HTTPRoute that carries its current translation. */
export const ADAPTER_ANNOTATIONS = {
  routeGeneration: 'smi-adapter.weightlifter.io/http-route-generation',
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
} as const;

/** reportingController of its Events. */
export const ADAPTER_CONTROLLER = 'weightlifter.io/smi-adapter';
