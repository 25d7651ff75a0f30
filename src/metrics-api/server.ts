// The HTTPS listener. TLS asks every client for a certificate but does not require one: the
// aggregator presents its front-proxy client certificate, direct callers may present a cluster
// client certificate or a bearer token, and probes present nothing (authn.ts sorts them out).
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AuthConfig } from './auth-config.js';
import { Authenticator } from './authn.js';
import { SarAuthorizer, type SarAuthorizerOptions } from './authz.js';
import { MetricsApiError, METRICS_API_ERROR_REASONS } from './errors.js';
import { createHandler, type RequestInfo } from './handler.js';
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
  const cas = [opts.auth.requestHeader?.caPem, opts.auth.clientCa?.caPem].filter(
    (pem): pem is string => pem !== undefined,
  );
  let server: Server;
  try {
    server = createServer(
      {
        cert: opts.tls.cert,
        key: opts.tls.key,
        ca: cas,
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      handler,
    );
  } catch (cause) {
    throw new MetricsApiError(METRICS_API_ERROR_REASONS.badTls, 'cannot use the TLS material', {
      cause,
    });
  }
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => {
      reject(
        new MetricsApiError(
          METRICS_API_ERROR_REASONS.listen,
          `cannot listen on ${host}:${opts.port}`,
          {
            cause,
            details: { host, port: opts.port },
          },
        ),
      );
    });
    server.listen(opts.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, mesh: opts.lookup.mesh.mesh }, 'metrics API server listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        stopping = true;
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
        // Keep-alive connections (the aggregator's) would hold close() open indefinitely.
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
        }, 2_000).unref();
      })),
  };
}
