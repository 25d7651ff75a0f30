// The vocabulary of pre-flight (issue 12 item 6): the reasons a check cannot be evaluated, the
// finding that names the check and the spec field, and the messages. Pure: the engine turns
// findings into Ready=False with "check: message", `weightlifter validate` into field problems.
import { METRICS_ERROR_REASONS, type MetricsError } from '../metrics/errors.js';

/** One check that cannot be evaluated; `reason` is a CamelCase condition reason. */
export interface PreflightProblem {
  /** The metric's or webhook's name. */
  readonly check: string;
  /** e.g. AnalysisWindowTooShort, TemplateNotFound, QueryInvalid, WebhookUrlInvalid. */
  readonly reason: string;
  /** What is wrong, with the server's own message where there is one. */
  readonly message: string;
}

/** No problems: the run may start. */
export interface PreflightOutcome {
  readonly problems: readonly PreflightProblem[];
  /**
   * The slowest scrape interval (ms) of the Prometheus servers whose configuration the pre-flight
   * read for the checks' windows; absent when it read none. Fail-fast evaluates at this cadence.
   */
  readonly scrapeMs?: number;
}

export const PREFLIGHT_REASONS = {
  /** A templateRef names an (Cluster)AnalysisTemplate that does not exist. */
  templateNotFound: 'TemplateNotFound',
  /** The query cannot be rendered, or Prometheus refuses it (syntax, 4xx, wrong result type). */
  queryInvalid: 'QueryInvalid',
  /**
   * The metrics server did not answer (network, timeout, 5xx). Not the query's fault; like an
   * outage during a run (issue 12 item 7), it holds the run: traffic stays on the primary.
   */
  metricsUnavailable: 'MetricsUnavailable',
  /** A metrics address the Canary or its template chose is outside the operator's policy. */
  metricsAddressNotAllowed: 'MetricsAddressNotAllowed',
  /** The window holds fewer than MIN_SCRAPES scrapes of the series the query reads. */
  windowTooShort: 'AnalysisWindowTooShort',
  /** A webhook URL does not parse as an absolute http(s) URL. */
  webhookUrlInvalid: 'WebhookUrlInvalid',
  /**
   * The operator's address policy refuses a webhook URL: a blocked range (loopback, link-local,
   * cloud metadata, the API server) or outside the allowed hosts and CIDRs.
   */
  webhookAddressNotAllowed: 'WebhookAddressNotAllowed',
} as const;
export type PreflightReason = (typeof PREFLIGHT_REASONS)[keyof typeof PREFLIGHT_REASONS];

/** A problem, plus the spec field it is about (for `validate`). */
export interface PreflightFinding extends PreflightProblem {
  readonly reason: PreflightReason;
  /** e.g. spec.analysis.metrics[0].templateRef.name */
  readonly field: string;
}

/** Something that could not be checked (said, never counted as a problem). */
export interface PreflightNote {
  readonly check: string;
  readonly field: string;
  readonly message: string;
}

export interface PreflightReport {
  readonly problems: readonly PreflightFinding[];
  readonly notes: readonly PreflightNote[];
  /** As PreflightOutcome.scrapeMs. */
  readonly scrapeMs?: number;
}

const QUERY_SHOWN = 160;

/** The query as shown in a message: one line, shortened. */
export function shownQuery(query: string): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return line.length <= QUERY_SHOWN ? line : `${line.slice(0, QUERY_SHOWN - 3)}...`;
}

export function templateNotFoundMessage(kind: string, namespace: string, name: string): string {
  return `${kind} ${kind === 'ClusterAnalysisTemplate' ? name : `${namespace}/${name}`} not found`;
}

const statusOf = (e: MetricsError): number | undefined => {
  const status = e.details['httpStatus'] ?? e.details['status'];
  return typeof status === 'number' ? status : undefined;
};

/**
 * Why a query to Prometheus failed: the query's fault (QueryInvalid: a 4xx such as a syntax
 * error, or an answer that is not an instant vector or scalar), the operator's policy, or the
 * server's (MetricsUnavailable: no answer, a timeout, a 5xx).
 */
export function prometheusErrorReason(e: MetricsError): PreflightReason {
  const status = statusOf(e);
  switch (e.reason) {
    case METRICS_ERROR_REASONS.addressNotAllowed:
      return PREFLIGHT_REASONS.metricsAddressNotAllowed;
    case METRICS_ERROR_REASONS.badResponse:
    case METRICS_ERROR_REASONS.invalidDuration:
    case METRICS_ERROR_REASONS.misconfigured:
      return PREFLIGHT_REASONS.queryInvalid;
    case METRICS_ERROR_REASONS.queryFailed:
      return status !== undefined && status >= 400 && status < 500
        ? PREFLIGHT_REASONS.queryInvalid
        : PREFLIGHT_REASONS.metricsUnavailable;
    default:
      return PREFLIGHT_REASONS.metricsUnavailable;
  }
}

/** The SMI metrics API: only a 4xx is the request's fault; anything else is the server's. */
export function metricsApiErrorReason(e: MetricsError): PreflightReason {
  const status = statusOf(e);
  return status !== undefined && status >= 400 && status < 500
    ? PREFLIGHT_REASONS.queryInvalid
    : PREFLIGHT_REASONS.metricsUnavailable;
}

export function queryFailedMessage(address: string, query: string, e: MetricsError): string {
  return `query "${shownQuery(query)}" on ${address}: ${e.message}`;
}

export function tooManySeriesMessage(address: string, query: string, series: number): string {
  return `query "${shownQuery(query)}" on ${address} returned ${series} series; a single value is expected (aggregate it, e.g. with sum)`;
}
