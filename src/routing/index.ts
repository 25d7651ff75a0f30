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
  NoRouterError,
  TrafficSplitUnavailableError,
  UnsupportedStrategyError,
} from './errors.js';
export { createRouters, createTrafficRouter } from './factory.js';
export type { RouterFactoryDeps, RoutersOptions } from './factory.js';
export { parseQuantity } from '../kube/quantity.js';
export { SPLIT_CODECS, SmiTrafficSplitRouter, createSmiTrafficSplitRouter } from './smi.js';
export { SMI_TRAFFIC_SPLIT } from './smi-router.js';
export { SMI_CAPABILITIES, assertStrategySupported } from './strategy.js';
export { readRoutes, splitNames, splitRef } from './traffic-split.js';
export type { LiveSplit } from './traffic-split.js';
export { ALL_TO_PRIMARY, WEIGHTED } from './types.js';
export type {
  CanaryNames,
  RoutedObject,
  RoutedReaders,
  Router,
  RouterWriteResult,
  Routes,
  TrafficRouter,
  TrafficStrategy,
} from './types.js';
