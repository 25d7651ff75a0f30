// Prometheus checks: an inline `prometheus.query` or an analysis template's query, rendered
// strictly (src/metrics/query-template.ts). A template that declares a batch label (see
// BATCH_ANNOTATION) is answered through the batcher; anything else is one query per check that
// must return exactly one value.
import { renderQuery } from './query-template.js';
import type { QueryBatcher } from './batcher.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';
import {
  endpointKey,
  type PrometheusEndpoint,
  type QueryExecutor,
  type Sample,
} from './executor.js';
import {
  errorResult,
  noDataResult,
  stepWindow,
  valueResult,
  type MeasureContext,
  type MetricResult,
  type MetricSource,
} from './source.js';

/**
 * Annotation on an AnalysisTemplate / ClusterAnalysisTemplate declaring that its query can be
 * batched by the named label (e.g. `deployment`): `{{ target }}` appears only inside regex
 * matchers and the query aggregates `by (<label>)`. Checked by batchProblem() before use.
 */
export const BATCH_ANNOTATION = 'weightlifter.io/batch-by';

export interface PrometheusSourceOptions {
  /** The query template (placeholders as in src/metrics/query-template.ts). */
  readonly query: string;
  /** Template defaults merged with the metric's templateVariables. */
  readonly variables: Readonly<Record<string, string>>;
  readonly endpoint: PrometheusEndpoint;
  readonly executor: QueryExecutor;
  /** Present when the query is batchable: the batcher and the label naming the target. */
  readonly batch?: { readonly batcher: QueryBatcher; readonly label: string };
  /** The operator's address policy, run before every query; a MetricsError blocks it. */
  readonly checkAddress?: () => Promise<MetricsError | undefined>;
  /** Epoch ms now, to tell a step whose window is not complete yet. @default Date.now */
  readonly now?: () => number;
}

/** Placeholder value for {{ target }} while rendering a batch shape; replaced by the regex. */
const TARGET_SLOT = '\u0000target\u0000';

export class PrometheusSource implements MetricSource {
  readonly kind = 'prometheus';
  readonly #opts: PrometheusSourceOptions;

  constructor(opts: PrometheusSourceOptions) {
    this.#opts = opts;
  }

  async measure(ctx: MeasureContext): Promise<MetricResult> {
    const window = stepWindow(ctx, (this.#opts.now ?? Date.now)());
    if (!window.ok) return window.result;
    const blocked = await this.#opts.checkAddress?.();
    if (blocked !== undefined) return errorResult(blocked);
    const { batch } = this.#opts;
    if (batch === undefined) return this.#single(ctx);
    const rendered = this.#render(ctx, TARGET_SLOT);
    if (!rendered.ok) return errorResult(rendered.error);
    const text = rendered.query;
    const { endpoint } = this.#opts;
    const answer = await batch.batcher.query(
      {
        key: `${endpointKey(endpoint)}\ntemplate:${batch.label}\n${ctx.namespace}\n${text}`,
        endpoint,
        groupLabel: batch.label,
        build: (targets) => text.split(TARGET_SLOT).join(targets),
      },
      {
        namespace: ctx.namespace,
        target: ctx.target,
        since: ctx.since,
        until: ctx.until,
        windowMs: window.windowMs,
      },
    );
    if (!answer.ok) return errorResult(answer.error);
    return oneValue(answer.samples);
  }

  async #single(ctx: MeasureContext): Promise<MetricResult> {
    const rendered = this.#render(ctx, ctx.target);
    if (!rendered.ok) return errorResult(rendered.error);
    try {
      const { executor, endpoint } = this.#opts;
      return oneValue(await executor.instant(endpoint, rendered.query, ctx.until));
    } catch (cause) {
      if (cause instanceof MetricsError) return errorResult(cause);
      const message = 'prometheus query failed';
      return errorResult(new MetricsError(METRICS_ERROR_REASONS.queryFailed, message, { cause }));
    }
  }

  #render(ctx: MeasureContext, target: string): ReturnType<typeof renderQuery> {
    return renderQuery(this.#opts.query, {
      namespace: ctx.namespace,
      target,
      interval: ctx.window,
      variables: this.#opts.variables,
    });
  }
}

/** Flagger's rule: one series gives a value; none (or NaN) is "no values found"; more is an error. */
function oneValue(samples: readonly Sample[]): MetricResult {
  const [first, ...rest] = samples;
  if (first === undefined) return noDataResult('query returned no series');
  if (rest.length > 0) {
    const message = `query returned ${samples.length} series; a single value was expected`;
    return errorResult(new MetricsError(METRICS_ERROR_REASONS.badResponse, message));
  }
  if (Number.isNaN(first.value)) return noDataResult('query returned NaN');
  return valueResult(first.value);
}
