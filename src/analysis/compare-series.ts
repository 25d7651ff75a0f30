// The two series a compare check judges: the check's query (inline or a template's) as a range
// query over the check's window, rendered once with {{ target }} = the canary's Deployment and
// once with the primary's. Points are taken every MIN_SCRAPES scrape intervals of the server,
// and {{ interval }} is rendered as that same step, so neighbouring points share no requests:
// the judge's measured error rates assume independent samples (docs/statistics.md), and points
// whose rate() windows overlap are significant more often than those rates say.
import type { PrometheusQuerySpec } from '../metrics/factory.js';
import { promDuration } from '../metrics/duration.js';
import { METRICS_ERROR_REASONS, MetricsError } from '../metrics/errors.js';
import type { QueryExecutor, RangeSeries } from '../metrics/executor.js';
import { renderQuery } from '../metrics/query-template.js';
import {
  MIN_SCRAPES,
  parseScrapeConfig,
  type PrometheusConfigReader,
} from '../metrics/scrape-interval.js';
import { stepWindow, type MeasureContext, type MetricResult } from '../metrics/source.js';
import { chooseScrapeInterval } from './preflight-window.js';

export interface SeriesContext extends MeasureContext {
  /** The primary Deployment's name (`{{ target }}` of the control side). */
  readonly primary: string;
}

export type SeriesResult =
  | {
      readonly kind: 'series';
      readonly canary: readonly number[];
      readonly primary: readonly number[];
      readonly stepMs: number;
    }
  | Extract<MetricResult, { kind: 'inconclusive' | 'error' }>;

export interface CompareSeriesDeps {
  readonly executor: QueryExecutor;
  readonly configReader: PrometheusConfigReader;
  readonly now: () => number;
  /** The operator's address policy for an address the Canary or template chose. */
  readonly checkAddress: (address: string | undefined) => Promise<MetricsError | undefined>;
}

const failure = (error: unknown, message: string): { kind: 'error'; error: MetricsError } => ({
  kind: 'error',
  error:
    error instanceof MetricsError
      ? error
      : new MetricsError(METRICS_ERROR_REASONS.queryFailed, message, { cause: error }),
});

export async function compareSeries(
  deps: CompareSeriesDeps,
  spec: PrometheusQuerySpec,
  ctx: SeriesContext,
): Promise<SeriesResult> {
  const window = stepWindow(ctx, deps.now());
  if (!window.ok) {
    const r = window.result;
    if (r.kind === 'inconclusive' || r.kind === 'error') return r;
    return { kind: 'inconclusive', reason: 'no window' };
  }
  const blocked = await deps.checkAddress(spec.address);
  if (blocked !== undefined) return { kind: 'error', error: blocked };
  const { executor, configReader } = deps;
  const rangeQuery = executor.range?.bind(executor);
  if (rangeQuery === undefined) {
    const message = 'compare needs range queries, which this metrics executor cannot send';
    return { kind: 'error', error: new MetricsError(METRICS_ERROR_REASONS.misconfigured, message) };
  }
  let stepMs: number;
  try {
    const intervals = parseScrapeConfig(await configReader.configYaml(spec.endpoint));
    stepMs = MIN_SCRAPES * chooseScrapeInterval(intervals, undefined).ms;
  } catch (error) {
    return failure(error, `cannot tell how often ${spec.endpoint.address} scrapes`);
  }
  const start = ctx.until - window.windowMs + stepMs;
  if (start > ctx.until) {
    const reason = `window ${ctx.window} is shorter than one point (${promDuration(stepMs)}: ${MIN_SCRAPES} scrape intervals)`;
    return { kind: 'inconclusive', reason };
  }
  const points = { start, end: ctx.until, stepMs };
  const side = async (target: string): Promise<readonly number[]> => {
    const rendered = renderQuery(spec.query, {
      namespace: ctx.namespace,
      target,
      interval: promDuration(stepMs),
      variables: spec.variables,
    });
    if (!rendered.ok) throw rendered.error;
    return oneSeries(await rangeQuery(spec.endpoint, rendered.query, points), target);
  };
  try {
    const [canary, primary] = await Promise.all([side(ctx.target), side(ctx.primary)]);
    return { kind: 'series', canary, primary, stepMs };
  } catch (error) {
    if (error instanceof MetricsError) return { kind: 'error', error };
    const message = error instanceof Error ? error.message : 'compare query failed';
    return failure(error, message);
  }
}

/** No series is no points; more than one is ambiguous (which one is the workload's?). */
function oneSeries(series: readonly RangeSeries[], target: string): readonly number[] {
  const [first, ...rest] = series;
  if (first === undefined) return [];
  if (rest.length > 0) {
    const message = `range query for ${target} returned ${series.length} series; one was expected`;
    throw new MetricsError(METRICS_ERROR_REASONS.badResponse, message);
  }
  return first.values;
}
