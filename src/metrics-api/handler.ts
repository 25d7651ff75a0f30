// One request: route, authenticate, authorize, answer. Health checks answer anyone (kubelet
// probes carry no credentials); everything else needs a user the API server authorizes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { parseGoDuration } from '../metrics/duration.js';
import type { AuthnResult } from './authn.js';
import type { Attributes, Authorizer } from './authz.js';
import { apiGroup, apiGroupList, apiResourceList, openApiV2 } from './discovery.js';
import type { MetricsLookup } from './lookup.js';
import { status, type StatusCode } from './objects.js';
import { parseRoute, type Route } from './routes.js';
import { serveMetrics, type MetricsRoute } from './serve-metrics.js';

export interface HandlerDeps {
  readonly authenticate: (req: IncomingMessage) => Promise<AuthnResult>;
  readonly authorizer: Authorizer;
  readonly lookup: MetricsLookup;
  readonly logger: Logger;
  readonly now?: () => number;
  /** /readyz: false while the server is stopping. @default always ready */
  readonly ready?: () => boolean;
  /** Called when a response is finished (telemetry; tests see who asked for what). */
  readonly onRequest?: (info: RequestInfo) => void;
}

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  /** The authenticated user, if any. */
  readonly user?: string;
}

export const DEFAULT_WINDOW = '30s';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createHandler(deps: HandlerDeps): RequestHandler {
  return (req, res) => {
    const seen: { user?: string } = {};
    const { onRequest } = deps;
    if (onRequest !== undefined) {
      res.on('finish', () => {
        const url = new URL(req.url ?? '/', 'https://metrics-api.invalid');
        onRequest({
          method: req.method ?? '',
          path: url.pathname,
          query: url.search,
          status: res.statusCode,
          ...(seen.user === undefined ? {} : { user: seen.user }),
        });
      });
    }
    handle(deps, req, res, seen).catch((err: unknown) => {
      deps.logger.error({ err, path: req.url }, 'metrics API request failed');
      if (!res.headersSent) sendStatus(res, 500, 'internal error');
      else res.end();
    });
  };
}

async function handle(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  seen: { user?: string },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://metrics-api.invalid');
  const route = parseRoute(url.pathname);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendStatus(res, 405, `${req.method ?? ''} is not supported: the metrics API is read-only`);
    return;
  }
  if (route.kind === 'health') {
    const ok = route.check !== 'readyz' || (deps.ready?.() ?? true);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'ok' : 'not ready');
    return;
  }
  const who = await deps.authenticate(req);
  if (who.kind === 'anonymous') {
    deps.logger.debug({ path: url.pathname, reason: who.reason }, 'unauthenticated request');
    sendStatus(res, 401, 'Unauthorized');
    return;
  }
  seen.user = who.user.name;
  if (route.kind === 'notFound') {
    sendStatus(res, 404, route.message);
    return;
  }
  const attributes = attributesOf(route, url.pathname);
  const decision = await deps.authorizer.authorize(who.user, attributes);
  if (!decision.allowed) {
    deps.logger.debug({ user: who.user.name, attributes, reason: decision.reason }, 'forbidden');
    sendStatus(res, 403, forbiddenMessage(who.user.name, attributes, decision.reason));
    return;
  }
  switch (route.kind) {
    case 'apiGroupList':
      sendJson(res, 200, apiGroupList());
      return;
    case 'apiGroup':
      sendJson(res, 200, apiGroup());
      return;
    case 'apiResourceList':
      sendJson(res, 200, apiResourceList());
      return;
    case 'openapiV2':
      sendJson(res, 200, openApiV2());
      return;
    default:
      break;
  }
  const t = url.searchParams.get('t') ?? DEFAULT_WINDOW;
  const window = parseGoDuration(t);
  if (!window.ok || window.ms <= 0) {
    sendStatus(res, 400, `invalid window t=${t}: expected a positive duration such as 30s or 1m`);
    return;
  }
  const answer = await serveMetrics(deps.lookup, route, {
    windowMs: window.ms,
    selfLink: url.pathname,
    nowMs: (deps.now ?? Date.now)(),
  });
  if (answer.kind === 'ok') sendJson(res, 200, answer.body);
  else {
    // "No traffic" is an answer, not a fault; only failed lookups are worth a warning.
    if (answer.error !== undefined) {
      deps.logger.warn({ path: url.pathname, err: answer.error }, 'metrics lookup failed');
    }
    sendStatus(res, answer.code, answer.message);
  }
}

function attributesOf(
  route: Exclude<Route, { kind: 'health' | 'notFound' }>,
  path: string,
): Attributes {
  if (
    route.kind === 'apiGroupList' ||
    route.kind === 'apiGroup' ||
    route.kind === 'apiResourceList' ||
    route.kind === 'openapiV2'
  ) {
    return { kind: 'nonResource', verb: 'get', path };
  }
  return metricsAttributes(route);
}

export function metricsAttributes(route: MetricsRoute): Attributes {
  const { resource, name } = route.target;
  // For namespaces, kube-apiserver's request info puts the name in the namespace too.
  const namespace = resource === 'namespaces' ? name : route.target.namespace;
  return {
    kind: 'resource',
    verb: route.kind === 'list' ? 'list' : 'get',
    resource,
    ...(route.kind === 'edges' ? { subresource: 'edges' as const } : {}),
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
  };
}

function forbiddenMessage(user: string, a: Attributes, reason: string): string {
  const why = reason === '' ? '' : `: ${reason}`;
  if (a.kind === 'nonResource') return `User "${user}" cannot get path "${a.path}"${why}`;
  const resource = a.subresource === undefined ? a.resource : `${a.resource}/${a.subresource}`;
  const where =
    a.namespace === undefined ? 'at the cluster scope' : `in the namespace "${a.namespace}"`;
  return `User "${user}" cannot ${a.verb} resource "${resource}" in API group "metrics.smi-spec.io" ${where}${why}`;
}

/** A JSON answer (no body for HEAD). */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function sendStatus(res: ServerResponse, code: StatusCode, message: string): void {
  sendJson(res, code, status(code, message));
}
