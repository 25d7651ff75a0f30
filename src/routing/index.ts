// The routing layer's public surface, for the reconciler and the composition root.
export { canaryEndpoints, checkRouteChange, serviceEndpoints } from './endpoints.js';
export type {
  BackendEndpoints,
  CanaryEndpoints,
  EndpointCheckOptions,
  EndpointSliceJson,
  RouteCheck,
} from './endpoints.js';
export {
  ServedVersionsCache,
  fetchServedSplitVersions,
  pickSplitVersion,
  servedSplitVersions,
} from './discovery.js';
export type { ServedVersionsSource } from './discovery.js';
export {
  InvalidRoutesError,
  TrafficSplitUnavailableError,
  UnsupportedStrategyError,
} from './errors.js';
export { SPLIT_CODECS, createTrafficRouter } from './factory.js';
export type { RouterFactoryDeps } from './factory.js';
export { parseQuantity } from '../kube/quantity.js';
export { SMI_CAPABILITIES, assertStrategySupported } from './strategy.js';
export { ALL_TO_PRIMARY, readRoutes, splitNames, splitRef } from './traffic-split.js';
export type { LiveSplit } from './traffic-split.js';
export { WEIGHTED } from './types.js';
export type { RouterWriteResult, Routes, TrafficRouter, TrafficStrategy } from './types.js';
