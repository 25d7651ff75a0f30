import type { IncomingMessage } from 'node:http';
import { WeightlifterError } from '../errors/catalogue.js';
import { KubeApiError, KubeRequestError, isNotFound, type KubeStatus } from './errors.js';
import { HttpMethod, PatchStrategy } from './http-constants.js';
import type { KubeConfig } from './kubeconfig.js';
import { KubeTransport } from './transport.js';
import type { WriteFence } from './write-fence.js';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** Counts API requests by verb and status; implemented by telemetry, optional. */
export interface RequestMetricsSink {
  observeRequest(verb: string, status: number | 'error'): void;
}

export interface RawClientOptions {
  /** Deadline for one request (never for watches). @default 30_000 */
  readonly requestTimeoutMs?: number;
  readonly metrics?: RequestMetricsSink;
  /** Asked before every write (not reads); see write-fence.ts. @default every write is sent */
  readonly fence?: WriteFence;
  /** Sent as User-Agent, so the API server's audit log tells replicas apart. */
  readonly userAgent?: string;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Query | undefined;
  readonly contentType?: string;
  /** Aborts the request early (the request timeout applies as well). */
  readonly signal?: AbortSignal | undefined;
}

const READS: ReadonlySet<string> = new Set([HttpMethod.GET, HttpMethod.HEAD]);

/**
 * JSON over the API server's REST paths (src/kube/transport.ts). Used for anything addressed by
 * group/version/plural (custom resources of any version, status subresources, Leases, Events):
 * objects stay plain JSON, exactly as the watch stream delivers them.
 */
export class KubeRawClient {
  readonly #transport: KubeTransport;
  readonly #timeoutMs: number;
  readonly #metrics: RequestMetricsSink | undefined;
  readonly #fence: WriteFence | undefined;
  readonly #userAgent: string | undefined;

  constructor(kc: KubeConfig, opts: RawClientOptions = {}) {
    try {
      this.#transport = new KubeTransport(kc);
    } catch (cause) {
      throw new WeightlifterError('WL_KUBECONFIG_INVALID', 'kubeconfig names no usable server', {
        cause,
        details: { server: kc.server },
      });
    }
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#metrics = opts.metrics;
    this.#fence = opts.fence;
    this.#userAgent = opts.userAgent;
  }

  get kubeConfig(): KubeConfig {
    return this.#transport.kubeConfig;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>(HttpMethod.GET, path, { query, signal });
  }

  create<T>(path: string, body: unknown, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>(HttpMethod.POST, path, { body, query, signal });
  }

  /** PUT; the body's metadata.resourceVersion makes it a compare-and-swap. */
  replace<T>(path: string, body: unknown, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>(HttpMethod.PUT, path, { body, query, signal });
  }

  patch<T>(
    path: string,
    body: unknown,
    strategy: PatchStrategy = PatchStrategy.MergePatch,
    query?: Query,
  ): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, path, { body, query, contentType: strategy });
  }

  delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>(HttpMethod.DELETE, path, { query });
  }

  async request<T>(verb: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#userAgent !== undefined) headers['User-Agent'] = this.#userAgent;
    if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    // Asked right before the request is handed over; its signal aborts the request if leadership
    // ends while it waits for credentials or is in flight. A refusal is not a request, so it is
    // thrown as it is and not counted.
    const fenced = READS.has(verb) ? undefined : this.#fence?.admit();
    const signals = [timeout, opts.signal, fenced].filter((s) => s !== undefined);
    const signal = signals.length === 1 ? timeout : AbortSignal.any(signals);
    let status: number;
    let text: string;
    try {
      const res = await this.#transport.send({
        method: verb,
        path,
        query: opts.query,
        headers,
        body,
        signal,
      });
      status = res.status;
      text = res.body;
    } catch (err) {
      this.#metrics?.observeRequest(verb, 'error');
      if (fenced?.aborted === true) {
        throw new WeightlifterError('WL_NOT_LEADER', 'leadership ended: write aborted', {
          cause: err,
          details: { verb, path },
        });
      }
      throw new KubeRequestError(verb, path, err);
    }
    this.#metrics?.observeRequest(verb, status);
    if (status < 200 || status > 299) throw new KubeApiError(verb, path, status, parseStatus(text));
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * A streaming GET (a watch): the response unread, whatever its status. No request timeout
   * applies; `signal` ends it. Not counted in the request metrics.
   */
  async stream(path: string, query: Query, signal: AbortSignal): Promise<IncomingMessage> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#userAgent !== undefined) headers['User-Agent'] = this.#userAgent;
    try {
      return await this.#transport.open({ method: HttpMethod.GET, path, query, headers, signal });
    } catch (err) {
      throw new KubeRequestError('WATCH', path, err);
    }
  }
}

export function parseStatus(text: string): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    // Not JSON (a proxy's HTML error page): keep the first bytes as the message instead.
    return { message: text.slice(0, 200) };
  }
}

/**
 * Deletes the object at `path` only while it is the one with `uid` (a precondition, so a
 * successor of the same name is never deleted), dependents in the background. Returns false when
 * it was already gone.
 */
export async function deleteExact(
  raw: Pick<KubeRawClient, 'request'>,
  path: string,
  uid: string | undefined,
): Promise<boolean> {
  try {
    await raw.request(HttpMethod.DELETE, path, {
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
        preconditions: { uid },
      },
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
