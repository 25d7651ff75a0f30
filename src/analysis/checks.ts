// One round of a Canary's metric checks: each metric's source (trafficMetrics, inline PromQL or a
// template resolved from the caches) measured over its window, then judged against its threshold.
// Failures are results (Error), never rejections. A trafficMetrics result says where its figure came
// from (the SMI API or computed from Prometheus, and why), so the fallback shows in status.
//
// A fail-fast evaluation (`earlyWindowMs`, within a step) measures each check over the trailing
// `earlyWindowMs` before `until`, which begins at or after the step's start: its window shortened
// to that (a window already shorter is kept). A query that does not use
// {{ interval }} cannot be shortened, would read traffic from before the step, and is not run:
// its result is Inconclusive, which never counts towards fail-fast.
import { evaluateMeasurement, type MetricCheckResult } from './evaluate.js';
import { STORED_DEFAULTS, metricWindow } from '../api/defaults.js';
import type { Canary, Metric } from '../api/canary.js';
import { runCompare } from './compare-run.js';
import { parseGoDuration, promDuration } from '../metrics/duration.js';
import type { MetricSourceFactory, ResolvedTemplate } from '../metrics/factory.js';
import { usesInterval } from '../metrics/query-template.js';
import { resolveTemplate, type TemplateReaders } from './template-refs.js';

export interface ChecksDeps {
  readonly caches: TemplateReaders;
  readonly metricSources: MetricSourceFactory;
  readonly controllerNamespace: string;
}

/** The step being judged: when it began to be measured, and where its windows end. */
export interface ChecksWindow {
  readonly since: number;
  readonly until: number;
  /** A fail-fast evaluation within the step: each window shortened to this (ms); see above. */
  readonly earlyWindowMs?: number;
}

/** A metric's window for this evaluation, or why a fail-fast one cannot measure it. */
function windowFor(
  deps: ChecksDeps,
  metric: Metric,
  template: ResolvedTemplate | undefined,
  own: string,
  earlyWindowMs: number | undefined,
): { readonly window: string } | { readonly skip: string } {
  if (earlyWindowMs === undefined) return { window: own };
  const query = deps.metricSources.prometheusQuery(metric, template)?.query;
  if (query !== undefined && !usesInterval(query)) {
    return { skip: 'fail-fast skips it: its query does not use {{ interval }}' };
  }
  const ownMs = parseGoDuration(own);
  return { window: ownMs.ok && ownMs.ms <= earlyWindowMs ? own : promDuration(earlyWindowMs) };
}

export function runChecks(
  deps: ChecksDeps,
  canary: Canary,
  step: ChecksWindow,
): Promise<MetricCheckResult[]> {
  const namespace = canary.metadata.namespace ?? '';
  const analysis = canary.spec.analysis ?? {};
  return Promise.all(
    (analysis.metrics ?? []).map(async (metric): Promise<MetricCheckResult> => {
      const template = resolveTemplate(deps.caches, namespace, deps.controllerNamespace, metric);
      const own = metricWindow(metric, analysis);
      if (metric.compare !== undefined) {
        const window = { ...step, own };
        return runCompare(deps.metricSources, canary, metric, metric.compare, template, window);
      }
      const w = windowFor(deps, metric, template, own, step.earlyWindowMs);
      if ('skip' in w) return { metric: metric.name, result: 'Inconclusive', message: w.skip };
      const measurement = await deps.metricSources.forMetric(metric, template).measure({
        namespace,
        target: canary.spec.targetRef.name,
        window: w.window,
        // Only this step's traffic counts: every window ends at `until`, begins after `since`.
        since: step.since,
        until: step.until,
      });
      const result = evaluateMeasurement(measurement, {
        metric: metric.name,
        thresholdRange: metric.thresholdRange ?? {},
        noData: analysis.noData ?? STORED_DEFAULTS.analysis.noData,
        minRequests: analysis.minRequests ?? STORED_DEFAULTS.analysis.minRequests,
      });
      const origin = trafficMetricsOrigin(deps.metricSources, metric);
      return origin === undefined
        ? result
        : { ...result, message: `${result.message} (${origin})` };
    }),
  );
}

/** Where a trafficMetrics figure came from, as the status message says it; else undefined. */
export function trafficMetricsOrigin(
  sources: Pick<MetricSourceFactory, 'trafficMetricsStatus'>,
  metric: Metric,
): string | undefined {
  if (metric.trafficMetrics === undefined) return undefined;
  const { mode, reason } = sources.trafficMetricsStatus();
  if (mode === 'unknown') return undefined; // discovery failed: the result is an Error saying so
  if (mode === 'api') return 'from the SMI TrafficMetrics API';
  return reason.startsWith('configured')
    ? 'computed from Prometheus'
    : `computed from Prometheus: SMI TrafficMetrics API not served (${reason})`;
}
