// Gateway API objects weightlifter reads or writes: the HTTPRoute (standard channel). Shapes as
// far as the router reads them; everything else in a live route is passed through untouched.

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const HTTP_ROUTE_PLURAL = 'httproutes';

/** HTTPRoute versions in preference order for API discovery (v1 is GA since Gateway API 1.0). */
export const HTTP_ROUTE_VERSIONS = ['v1', 'v1beta1'] as const;
export type HttpRouteVersion = (typeof HTTP_ROUTE_VERSIONS)[number];

/** The methods an HTTPRoute match can name (HTTPMethod); an A/B match names them too. */
export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export const HTTP_ROUTE_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
