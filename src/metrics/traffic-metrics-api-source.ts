// `trafficMetrics` checks through the SMI TrafficMetrics API, falling back to the Prometheus-
// computed source when no APIService serves metrics.smi-spec.io. The verdict "not served" is
// logged once per change, exposed through status() for the Canary's status, and re-checked after
// `recheckMs` so an APIService installed later is picked up without a restart.
import type { Logger } from 'pino';
import type { TrafficMetricName } from '../api/constants.js';
import { parseGoDuration } from './duration.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';
import {
  errorResult,
  inconclusiveResult,
  noDataResult,
  stepWindow,
  type MeasureContext,
  type MetricResult,
  type MetricSource,
} from './source.js';
import type { ApiAnswer, TrafficMetricsApiClient, TrafficReading } from './traffic-metrics-api.js';
import { trafficMetricResult } from './traffic-metrics-values.js';

export type TrafficMetricsMode = 'unknown' | 'api' | 'computed';

export interface TrafficMetricsStatus {
  readonly mode: TrafficMetricsMode;
  readonly reason: string;
}

export interface TrafficMetricsApiSourceOptions {
  readonly client: TrafficMetricsApiClient;
  /** The computed source to use when the API is not served; absent: such checks are errors. */
  readonly fallback?: (metric: TrafficMetricName) => MetricSource;
  readonly logger: Logger;
  readonly now?: () => number;
  /** How long a "not served" verdict stands before discovery runs again. @default 300_000 */
  readonly recheckMs?: number;
  readonly onStatusChange?: (status: TrafficMetricsStatus) => void;
}

/** Readings older than this are dropped (no step is measured over a reading that old). */
const SHARED_TTL_MS = 600_000;

interface Shared {
  readonly at: number;
  readonly consumed: Set<TrafficMetricName>;
  readonly answer: Promise<ApiAnswer<TrafficReading>>;
}

export class TrafficMetricsApiSource {
  readonly #opts: TrafficMetricsApiSourceOptions;
  readonly #now: () => number;
  #status: TrafficMetricsStatus = { mode: 'unknown', reason: 'not checked yet' };
  #checkedAt = Number.NEGATIVE_INFINITY;
  #discovery: Promise<MetricsError | undefined> | undefined;
  readonly #shared = new Map<string, Shared>();

  constructor(opts: TrafficMetricsApiSourceOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  status(): TrafficMetricsStatus {
    return this.#status;
  }

  source(metric: TrafficMetricName): MetricSource {
    return { kind: 'traffic-metrics-api', measure: (ctx) => this.measure(metric, ctx) };
  }

  async measure(metric: TrafficMetricName, ctx: MeasureContext): Promise<MetricResult> {
    const step = stepWindow(ctx, this.#now());
    if (!step.ok) return step.result;
    const discoveryError = await this.#discover();
    if (discoveryError !== undefined) return errorResult(discoveryError);
    if (this.#status.mode === 'computed') return this.#fallback(metric, ctx);
    const answer = await this.#read(metric, ctx, step.windowMs);
    switch (answer.kind) {
      case 'notServed':
        this.#checkedAt = this.#now();
        this.#setStatus({ mode: 'computed', reason: answer.reason });
        return this.#fallback(metric, ctx);
      case 'noData':
        return noDataResult(answer.reason);
      case 'error':
        return errorResult(answer.error);
      case 'ok': {
        const window = parseGoDuration(answer.data.window);
        if (!window.ok) return errorResult(window.error);
        // The server chooses the window it answers for; one reaching back before the step is
        // not this step's evidence.
        if (window.ms > step.windowMs && window.ms > this.#now() - ctx.since) {
          const reason = `the SMI TrafficMetrics API answered over ${answer.data.window}, which reaches back before the step began`;
          return inconclusiveResult(reason);
        }
        return trafficMetricResult(metric, answer.data.values, window.ms / 1000);
      }
    }
  }

  /** Runs discovery when the verdict is unknown or stale; an error means "cannot tell now". */
  #discover(): Promise<MetricsError | undefined> {
    const fresh =
      this.#status.mode === 'api' ||
      (this.#status.mode === 'computed' &&
        this.#now() - this.#checkedAt < (this.#opts.recheckMs ?? 300_000));
    if (fresh) return Promise.resolve(undefined);
    this.#discovery ??= this.#opts.client
      .discover()
      .then((answer) => {
        this.#checkedAt = this.#now();
        if (answer.kind === 'notServed')
          this.#setStatus({ mode: 'computed', reason: answer.reason });
        else if (answer.kind === 'ok') {
          this.#setStatus({ mode: 'api', reason: `${answer.data.length} resources served` });
        } else if (answer.kind === 'error') return answer.error;
        return undefined;
      })
      .finally(() => (this.#discovery = undefined));
    return this.#discovery;
  }

  #fallback(metric: TrafficMetricName, ctx: MeasureContext): Promise<MetricResult> {
    const fallback = this.#opts.fallback?.(metric);
    if (fallback !== undefined) return fallback.measure(ctx);
    const message = `SMI TrafficMetrics API not available (${this.#status.reason}) and no fallback is configured`;
    return Promise.resolve(
      errorResult(new MetricsError(METRICS_ERROR_REASONS.apiUnavailable, message)),
    );
  }

  /**
   * One GET per workload and window serves all its trafficMetrics checks, each once, as long as
   * it was made at or after the step's `since + window` (so it holds only the step's traffic).
   */
  #read(
    metric: TrafficMetricName,
    ctx: MeasureContext,
    windowMs: number,
  ): Promise<ApiAnswer<TrafficReading>> {
    const now = this.#now();
    const key = `${ctx.namespace}/${ctx.target}/${ctx.window}`;
    const shared = this.#shared.get(key);
    if (shared !== undefined && shared.at >= ctx.since + windowMs && !shared.consumed.has(metric)) {
      shared.consumed.add(metric);
      return shared.answer;
    }
    for (const [k, s] of this.#shared) if (now - s.at >= SHARED_TTL_MS) this.#shared.delete(k);
    const answer = this.#opts.client.get(ctx.namespace, 'deployments', ctx.target, ctx.window);
    this.#shared.set(key, { at: now, consumed: new Set([metric]), answer });
    return answer;
  }

  #setStatus(next: TrafficMetricsStatus): void {
    const changed = next.mode !== this.#status.mode;
    this.#status = next;
    if (!changed) return;
    if (next.mode === 'computed') {
      const fallback = this.#opts.fallback !== undefined;
      this.#opts.logger.info(
        { reason: next.reason, fallback },
        fallback
          ? 'SMI TrafficMetrics API not served; trafficMetrics computed from Prometheus'
          : 'SMI TrafficMetrics API not served; trafficMetrics checks will fail',
      );
    } else {
      this.#opts.logger.info(
        { reason: next.reason },
        'SMI TrafficMetrics API served; trafficMetrics read from it',
      );
    }
    this.#opts.onStatusChange?.(next);
  }
}
