import { WeightlifterError } from '../errors/catalogue.js';

/** The `Status` object the API server returns with an error. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: Record<string, unknown>;
}

/** Thrown when the API server answers with a non-2xx status. */
export class KubeApiError extends WeightlifterError {
  readonly status: number;
  /** Machine-readable reason from the Status body, e.g. 'NotFound', 'Conflict', 'Expired'. */
  readonly reason: string | undefined;
  /** The Status the server sent (details.causes carry field paths), when it sent one. */
  readonly body: KubeStatus | undefined;

  constructor(verb: string, path: string, status: number, body: KubeStatus | undefined) {
    const msg = body?.message ?? `HTTP ${status}`;
    super('WL_KUBE_API_ERROR', `${verb} ${path}: ${status} ${msg}`, {
      details: { verb, path, status, reason: body?.reason },
    });
    this.status = status;
    this.reason = body?.reason;
    this.body = body;
  }
}

/** Thrown when a request to the API server failed without a response (network, TLS, DNS). */
export class KubeRequestError extends WeightlifterError {
  constructor(verb: string, path: string, cause: unknown) {
    super('WL_KUBE_REQUEST_FAILED', `${verb} ${path}: request failed`, {
      cause,
      details: { verb, path },
    });
  }
}

/** HTTP status of an API failure: our KubeApiError, or anything with a numeric `statusCode`/`code`. */
export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof KubeApiError) return err.status;
  if (typeof err === 'object' && err !== null) {
    const e = err as { statusCode?: unknown; code?: unknown };
    if (typeof e.statusCode === 'number') return e.statusCode;
    if (typeof e.code === 'number') return e.code;
  }
  return undefined;
}

/** The Status `reason` of an API failure, when the server sent one. */
export function reasonOf(err: unknown): string | undefined {
  if (err instanceof KubeApiError) return err.reason;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
/** 409 from a stale resourceVersion (not 'AlreadyExists', which is also a 409). */
export const isConflict = (err: unknown): boolean =>
  statusCodeOf(err) === 409 && reasonOf(err) !== 'AlreadyExists';
/** 410 Gone: the resourceVersion we watch from was compacted; the informer must relist. */
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;
export const isAlreadyExists = (err: unknown): boolean =>
  statusCodeOf(err) === 409 && reasonOf(err) === 'AlreadyExists';
