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
  HttpRouteUnavailableError,
  InvalidRoutesError,
  NoRouterError,
  RoutingUnavailableError,
  TrafficSplitUnavailableError,
  UnsupportedStrategyError,
} from './errors.js';
export { GatewayApiRouter, createGatewayApiRouter } from './gateway.js';
export { fetchServedRouteVersion } from './gateway-discovery.js';
export { GATEWAY_HTTP_ROUTE, HttpRouteRouter } from './gateway-router.js';
export { desiredParentRefs, readRouteRoutes, routeNames, routeRef } from './http-route.js';
export type { LiveRoute, RouteNames } from './http-route.js';
export { ProviderSelection, selectProvider } from './provider.js';
export type { ProviderChoice, ProviderInput } from './provider.js';
export { parentAcceptance, routeAcceptance } from './route-acceptance.js';
export type { RouteAcceptance } from './route-acceptance.js';
export { ROUTE_ANNOTATIONS, routeNotOwnedBecause, routeOwnership } from './route-ownership.js';
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
  RouteRejection,
  RouterWriteResult,
  Routes,
  TrafficRouter,
  TrafficStrategy,
} from './types.js';
