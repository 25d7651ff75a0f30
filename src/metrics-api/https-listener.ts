// An HTTPS listener that asks every client for a certificate but does not require one, so the
// handler can tell the aggregator's front-proxy certificate, other client certificates and
// callers without one apart (authn.ts). Shared by the TrafficMetrics server and the local world's
// resource metrics API.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { MetricsApiError, METRICS_API_ERROR_REASONS } from './errors.js';

export interface HttpsListenerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** PEM serving certificate (chain) and key. */
  readonly tls: { readonly cert: string; readonly key: string };
  /** PEM CA bundles client certificates are verified against. */
  readonly clientCas: readonly string[];
  readonly handler: RequestListener;
}

export interface HttpsListener {
  /** https://host:port */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenHttps(opts: HttpsListenerOptions): Promise<HttpsListener> {
  let server: Server;
  try {
    server = createServer(
      {
        cert: opts.tls.cert,
        key: opts.tls.key,
        ca: [...opts.clientCas],
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      opts.handler,
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
  let closing: Promise<void> | undefined;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
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
