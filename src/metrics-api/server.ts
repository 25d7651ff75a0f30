// The TrafficMetrics server on an HTTPS listener (https-listener.ts): the aggregator presents its
// front-proxy client certificate, direct callers may present a cluster client certificate or a
// bearer token, and probes present nothing (authn.ts sorts them out).
import type { Logger } from 'pino';
import type { AuthConfig } from './auth-config.js';
import { Authenticator } from './authn.js';
import { SarAuthorizer, type SarAuthorizerOptions } from './authz.js';
import { createHandler, type RequestInfo } from './handler.js';
import { listenHttps } from './https-listener.js';
import type { MetricsLookup } from './lookup.js';
import type { ReviewClient } from './review-client.js';
import { CachedTokenReviewer } from './token-review.js';

export interface MetricsApiServerOptions {
  /** @default '127.0.0.1' — in a pod pass '0.0.0.0' so the API server can reach it. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** PEM serving certificate (chain) and key; SANs must include <service>.<namespace>.svc. */
  readonly tls: { readonly cert: string; readonly key: string };
  readonly auth: AuthConfig;
  /** The API server, for SubjectAccessReviews and TokenReviews. */
  readonly reviews: ReviewClient;
  /** Accept bearer tokens of direct callers (TokenReview). @default true */
  readonly acceptTokens?: boolean;
  readonly authorization?: SarAuthorizerOptions;
  readonly lookup: MetricsLookup;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly onRequest?: (info: RequestInfo) => void;
}

export interface MetricsApiServer {
  /** https://host:port */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsApiServer(
  opts: MetricsApiServerOptions,
): Promise<MetricsApiServer> {
  const logger = opts.logger.child({ component: 'metrics-api' });
  const authenticator = new Authenticator(
    opts.auth,
    opts.acceptTokens === false ? undefined : new CachedTokenReviewer(opts.reviews),
  );
  let stopping = false;
  const handler = createHandler({
    authenticate: (req) => authenticator.authenticate(req),
    authorizer: new SarAuthorizer(opts.reviews, opts.authorization),
    lookup: opts.lookup,
    logger,
    ready: () => !stopping,
    ...(opts.now === undefined ? {} : { now: opts.now }),
    ...(opts.onRequest === undefined ? {} : { onRequest: opts.onRequest }),
  });
  const listener = await listenHttps({
    ...(opts.host === undefined ? {} : { host: opts.host }),
    port: opts.port,
    tls: opts.tls,
    clientCas: [opts.auth.requestHeader?.caPem, opts.auth.clientCa?.caPem].filter(
      (pem): pem is string => pem !== undefined,
    ),
    handler,
  });
  logger.info({ url: listener.url, mesh: opts.lookup.mesh.mesh }, 'metrics API server listening');
  return {
    url: listener.url,
    port: listener.port,
    close: () => {
      stopping = true;
      return listener.close();
    },
  };
}
