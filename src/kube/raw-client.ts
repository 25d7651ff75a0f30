import {
  HttpMethod,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  type HttpLibrary,
  type KubeConfig,
} from '@kubernetes/client-node';
import { WeightlifterError } from '../errors/catalogue.js';
import { KubeApiError, KubeRequestError, type KubeStatus } from './errors.js';
import { SharedDispatcher } from './shared-dispatcher.js';
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
 * JSON over the API server's REST paths, authenticated through client-node's KubeConfig. Used
 * for anything addressed by group/version/plural (custom resources of any version, status
 * subresources, Leases, Events): objects stay plain JSON, exactly as the watch stream delivers
 * them, so cache contents and patch computations never see client-node's model classes.
 */
export class KubeRawClient {
  readonly #kc: KubeConfig;
  readonly #server: ServerConfiguration<Record<string, string>>;
  readonly #http: HttpLibrary;
  readonly #timeoutMs: number;
  readonly #metrics: RequestMetricsSink | undefined;
  readonly #dispatcher = new SharedDispatcher();
  readonly #fence: WriteFence | undefined;
  readonly #userAgent: string | undefined;

  constructor(kc: KubeConfig, opts: RawClientOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) {
      throw new WeightlifterError('WL_KUBECONFIG_INVALID', 'kubeconfig has no current cluster');
    }
    this.#kc = kc;
    this.#server = new ServerConfiguration<Record<string, string>>(cluster.server, {});
    this.#http = createConfiguration({
      baseServer: this.#server,
      authMethods: { default: kc },
    }).httpApi;
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#metrics = opts.metrics;
    this.#fence = opts.fence;
    this.#userAgent = opts.userAgent;
  }

  get kubeConfig(): KubeConfig {
    return this.#kc;
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
    const ctx = this.#server.makeRequestContext(path, verb);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) ctx.setQueryParam(k, String(v));
    }
    ctx.setHeaderParam('Accept', 'application/json');
    if (this.#userAgent !== undefined) ctx.setHeaderParam('User-Agent', this.#userAgent);
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(opts.body));
    }
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let status: number;
    let text: string;
    let fenced: AbortSignal | undefined;
    try {
      await this.#kc.applySecurityAuthentication(ctx);
      this.#dispatcher.apply(ctx);
    } catch (err) {
      this.#metrics?.observeRequest(verb, 'error');
      throw new KubeRequestError(verb, path, err);
    }
    // Asked last, right before the request leaves (nothing is awaited in between); a refusal is
    // not a request, so it is thrown as it is and not counted.
    if (!READS.has(verb)) fenced = this.#fence?.admit();
    const signals = [timeout, opts.signal, fenced].filter((s) => s !== undefined);
    ctx.setSignal(signals.length === 1 ? timeout : AbortSignal.any(signals));
    try {
      const res = await this.#http.send(ctx).toPromise();
      status = res.httpStatusCode;
      text = await res.body.text();
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
}

function parseStatus(text: string): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    // Not JSON (a proxy's HTML error page): keep the first bytes as the message instead.
    return { message: text.slice(0, 200) };
  }
}
