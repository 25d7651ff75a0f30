// HTTP(S) to the API server over node:https with one keep-alive Agent per client identity: a TLS
// handshake per connection, not per request (the bench measured per-request handshakes as most of
// the controller's CPU). The Agent carries the cluster's CA and our client certificate; a new one
// is made only when the certificate changes (an exec plugin or rotated files handed out another).
// A 401 drops cached credentials and, when they can change (token files, exec plugins, certificate
// files), sends the request once more with fresh ones.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Credentials } from './credentials.js';
import type { KubeConfig } from './kubeconfig.js';

export type QueryValue = string | number | boolean | undefined;

export interface TransportRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>> | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface TransportResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * Pooled sockets idle this long are closed by us, well before the API server's own idle timeout
 * (90 s), so a request never goes out on a socket the server is closing. It also closes the pool
 * of a replaced Agent. Sockets in use (a quiet watch) are not affected.
 */
export const IDLE_SOCKET_MS = 30_000;

export class KubeTransport {
  readonly #kc: KubeConfig;
  readonly #base: URL;
  readonly #https: boolean;
  #pool: { agent: HttpAgent; cert: Buffer | undefined; key: Buffer | undefined } | undefined;

  constructor(kc: KubeConfig) {
    this.#kc = kc;
    this.#base = new URL(kc.server);
    this.#https = this.#base.protocol === 'https:';
    if (!this.#https && this.#base.protocol !== 'http:') {
      throw new TypeError(`unsupported API server URL ${kc.server}`);
    }
  }

  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  /** Sends a request and reads the whole answer; any HTTP status is an answer. */
  async send(req: TransportRequest): Promise<TransportResponse> {
    const res = await this.open(req);
    return { status: res.statusCode ?? 0, body: await readBody(res, req.signal) };
  }

  /** Sends a request and returns the response unread (for watches); any status is an answer. */
  async open(req: TransportRequest): Promise<IncomingMessage> {
    const first = await this.#once(req, await this.#kc.credentials.current());
    if (first.statusCode !== 401 || !this.#kc.credentials.invalidate()) return first;
    first.resume();
    return this.#once(req, await this.#kc.credentials.current());
  }

  #once(req: TransportRequest, creds: Credentials): Promise<IncomingMessage> {
    const headers: Record<string, string> = { ...req.headers };
    if (creds.token !== undefined) headers['Authorization'] = `Bearer ${creds.token}`;
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const send = this.#https ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const fail = (err: unknown): void => {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an abort's reason is the caller's (a TimeoutError DOMException for timeouts)
        reject(req.signal?.aborted === true ? (req.signal.reason as unknown) : err);
      };
      if (req.signal?.aborted === true) {
        fail(req.signal.reason);
        return;
      }
      try {
        const out = send({
          protocol: this.#base.protocol,
          hostname: this.#base.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: this.#base.port === '' ? undefined : this.#base.port,
          path: this.#pathOf(req),
          method: req.method,
          headers,
          agent: this.#agent(creds),
          ...(req.signal === undefined ? {} : { signal: req.signal }),
        });
        out.once('response', resolve);
        out.once('error', fail);
        out.end(req.body);
      } catch (err) {
        fail(err);
      }
    });
  }

  #pathOf(req: TransportRequest): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) params.set(k, String(v));
    }
    const qs = params.toString();
    const prefix = this.#base.pathname.replace(/\/+$/, '');
    return `${prefix}${req.path}${qs === '' ? '' : `?${qs}`}`;
  }

  #agent(creds: Credentials): HttpAgent {
    const pool = this.#pool;
    if (pool !== undefined && pool.cert === creds.cert && pool.key === creds.key) return pool.agent;
    const { tls } = this.#kc;
    const agent = this.#https
      ? new HttpsAgent({
          keepAlive: true,
          timeout: IDLE_SOCKET_MS,
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(creds.cert === undefined ? {} : { cert: creds.cert }),
          ...(creds.key === undefined ? {} : { key: creds.key }),
          rejectUnauthorized: !tls.insecureSkipVerify,
          ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
        })
      : new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
    this.#pool = { agent, cert: creds.cert, key: creds.key };
    return agent;
  }
}

async function readBody(res: IncomingMessage, signal: AbortSignal | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (err) {
    throw signal?.aborted === true ? (signal.reason as unknown) : err;
  }
  return Buffer.concat(chunks).toString('utf8');
}
