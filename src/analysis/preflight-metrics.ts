// Pre-flight of one metric check: everything its first measurement would need, tried now, before
// traffic moves. prometheus / templateRef: the template exists, the query renders, its address
// is allowed, Prometheus runs it once as an instant query (an empty answer is fine) and the
// window covers two scrapes. trafficMetrics: the path measure() would take (the SMI API, else the
// computed queries, probed through the batcher: one query per shape for a fleet's pre-flights)
// answers, and a computed window covers two scrapes. The SMI API does not say how its figures
// are scraped, so its window is not checked (a note says so).
import { renderQuery, usesInterval } from '../metrics/query-template.js';
import type { Canary, Metric } from '../api/canary.js';
import type { TrafficMetricName } from '../api/constants.js';
import { STORED_DEFAULTS, metricWindow } from '../api/defaults.js';
import type { MetricsError } from '../metrics/errors.js';
import type { MetricSourceFactory, ResolvedTemplate } from '../metrics/factory.js';
import { parseGoDuration, promDuration } from '../metrics/duration.js';
import { targetRegex } from '../metrics/promql.js';
import {
  PREFLIGHT_REASONS,
  metricsApiErrorReason,
  prometheusErrorReason,
  queryFailedMessage,
  templateNotFoundMessage,
  tooManySeriesMessage,
  type PreflightReason,
} from './preflight-problems.js';
import type { PreflightRun } from './preflight-run.js';
import { compareWindowProblem, windowProblem } from './preflight-window.js';

export interface MetricPreflightDeps {
  readonly metricSources: Pick<MetricSourceFactory, 'prometheusQuery' | 'checkAddress'>;
  /** The template a templateRef names; undefined when it does not exist. */
  template(metric: Metric): Promise<ResolvedTemplate | undefined>;
  /** Why a found template's query cannot be run from here (validate: credentials), if so. */
  unqueryable?(template: ResolvedTemplate): string | undefined;
}

/** Absent: only what needs no metrics server is checked (validate without --prometheus-url). */
export type Network = PreflightRun | undefined;

type Found = { readonly reason: PreflightReason; readonly field: string; readonly message: string };
export type MetricVerdict = Found | { readonly note: string } | undefined;
/** Problems that need no server are all reported; then the first a server reveals, if any. */
export type MetricVerdicts = readonly (Found | { readonly note: string })[];

/** What stops this metric from being evaluated, and notes on what could not be checked. */
export async function preflightMetric(
  deps: MetricPreflightDeps,
  canary: Canary,
  metric: Metric,
  field: string,
  run: Network,
): Promise<MetricVerdicts> {
  const verdict = await checkMetric(deps, canary, metric, field, run);
  return verdict === undefined ? [] : Array.isArray(verdict) ? verdict : [verdict];
}

async function checkMetric(
  deps: MetricPreflightDeps,
  canary: Canary,
  metric: Metric,
  field: string,
  run: Network,
): Promise<MetricVerdict | Found[]> {
  const namespace = canary.metadata.namespace ?? 'default';
  const window = metricWindow(metric, canary.spec.analysis ?? {});
  if (metric.trafficMetrics !== undefined) {
    const name = metric.trafficMetrics.metric;
    return run === undefined ? undefined : trafficMetrics(run, canary, metric, name, window, field);
  }
  let template: ResolvedTemplate | undefined;
  if (metric.templateRef !== undefined) {
    template = await deps.template(metric);
    if (template === undefined) {
      const kind = metric.templateRef.kind ?? STORED_DEFAULTS.templateRef.kind;
      return {
        reason: PREFLIGHT_REASONS.templateNotFound,
        field: `${field}.templateRef.name`,
        message: templateNotFoundMessage(kind, namespace, metric.templateRef.name),
      };
    }
  }
  const spec = deps.metricSources.prometheusQuery(metric, template);
  if (spec === undefined) return undefined; // no source: the CRD refuses that at apply
  const inline = metric.prometheus !== undefined;
  const rendered = renderQuery(spec.query, {
    namespace,
    target: canary.spec.targetRef.name,
    interval: window,
    variables: spec.variables,
  });
  const found: Found[] = [];
  if (!rendered.ok) {
    const at = inline ? `${field}.prometheus.query` : `${field}.templateVariables`;
    found.push({
      reason: PREFLIGHT_REASONS.queryInvalid,
      field: at,
      message: rendered.error.message,
    });
  }
  const blocked = await deps.metricSources.checkAddress(spec.address);
  if (blocked !== undefined) {
    const at = inline ? `${field}.prometheus.address` : `${field}.templateRef`;
    const reason = PREFLIGHT_REASONS.metricsAddressNotAllowed;
    found.push({ reason, field: at, message: blocked.message });
  }
  if (!rendered.ok || found.length > 0) return found;
  if (run === undefined) return undefined;
  const why = template === undefined ? undefined : deps.unqueryable?.(template);
  if (why !== undefined) return { note: why };
  const queryField = inline ? `${field}.prometheus.query` : `${field}.templateRef`;
  const { endpoint } = spec;
  const answer = await run.query(endpoint, rendered.query);
  if (!answer.ok)
    return prometheusFailure(endpoint.address, rendered.query, answer.error, queryField);
  if (answer.value.length > 1) {
    const message = tooManySeriesMessage(endpoint.address, rendered.query, answer.value.length);
    return { reason: PREFLIGHT_REASONS.queryInvalid, field: queryField, message };
  }
  const minSamples = metric.compare?.minSamples ?? STORED_DEFAULTS.compare.minSamples;
  const problem =
    metric.compare !== undefined
      ? await compareWindowProblem(run, window, endpoint, minSamples)
      : // A query that does not use {{ interval }} is not measured over the window.
        usesInterval(spec.query)
        ? await windowProblem(run, window, endpoint, rendered.query)
        : undefined;
  return problem === undefined || 'note' in problem
    ? problem
    : { ...problem, field: windowField(canary, metric, field) };
}

function prometheusFailure(address: string, query: string, e: MetricsError, field: string): Found {
  return {
    reason: prometheusErrorReason(e),
    field,
    message: queryFailedMessage(address, query, e),
  };
}

/** The field that sets a metric's window: its own interval, else the analysis interval. */
function windowField(canary: Canary, metric: Metric, field: string): string {
  return metric.interval !== undefined || canary.spec.analysis?.interval === undefined
    ? `${field}.interval`
    : 'spec.analysis.interval';
}

async function trafficMetrics(
  run: PreflightRun,
  canary: Canary,
  metric: Metric,
  name: TrafficMetricName,
  window: string,
  field: string,
): Promise<MetricVerdict> {
  const { access } = run;
  const namespace = canary.metadata.namespace ?? 'default';
  const target = canary.spec.targetRef.name;
  const at = `${field}.trafficMetrics`;
  if (access.trafficMetrics !== 'computed') {
    const served = await run.discoverApi();
    if (served?.kind === 'error') {
      const message = `cannot tell whether the SMI TrafficMetrics API is served: ${served.error.message}`;
      return { reason: PREFLIGHT_REASONS.metricsUnavailable, field: at, message };
    }
    let notServed =
      served === undefined
        ? 'no Kubernetes client'
        : served.kind === 'ok'
          ? undefined
          : served.reason;
    if (served?.kind === 'ok') {
      const read = await run.readApi(namespace, target, window);
      if (read.kind === 'error') {
        return {
          reason: metricsApiErrorReason(read.error),
          field: at,
          message: read.error.message,
        };
      }
      if (read.kind !== 'notServed') {
        return {
          note: `window ${window} not checked: the SMI TrafficMetrics API does not say how often its figures are scraped`,
        };
      }
      notServed = read.reason;
    }
    if (access.trafficMetrics === 'api') {
      const message = `the SMI TrafficMetrics API is not served (${notServed ?? ''}) and --traffic-metrics is api`;
      return { reason: PREFLIGHT_REASONS.metricsUnavailable, field: at, message };
    }
  }
  // Computed from Prometheus: the queries the computed source sends, through its batcher, so the
  // pre-flights of a fleet share them (ComputedTrafficMetrics.probe).
  const parsed = parseGoDuration(window);
  if (!parsed.ok)
    return { reason: PREFLIGHT_REASONS.queryInvalid, field: at, message: parsed.error.message };
  const { endpoint, mesh, probe } = access.computed;
  const failed = await probe(name, namespace, target, parsed.ms);
  if (failed !== undefined)
    return prometheusFailure(endpoint.address, failed.query, failed.error, at);
  const counts = mesh.counts([namespace], targetRegex([target]), promDuration(parsed.ms));
  const problem = await windowProblem(run, window, endpoint, counts);
  return problem === undefined || 'note' in problem
    ? problem
    : { ...problem, field: windowField(canary, metric, field) };
}
