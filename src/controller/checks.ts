// One round of a Canary's metric checks: each metric's source (trafficMetrics, inline PromQL or a
// template resolved from the caches) measured over its window, then judged against its threshold.
// Failures are results (Error), never rejections.
import { evaluateMeasurement, type MetricCheckResult } from '../analysis/evaluate.js';
import type { Canary } from '../api/canary.js';
import { STORED_DEFAULTS, metricWindow } from '../api/defaults.js';
import type { MetricSourceFactory } from '../metrics/factory.js';
import type { ControllerCaches } from './caches.js';
import { resolveTemplate } from './templates.js';

export interface ChecksDeps {
  readonly caches: ControllerCaches;
  readonly metricSources: MetricSourceFactory;
  readonly controllerNamespace: string;
}

export function runChecks(
  deps: ChecksDeps,
  canary: Canary,
  intervalMs: number,
): Promise<MetricCheckResult[]> {
  const namespace = canary.metadata.namespace ?? '';
  const analysis = canary.spec.analysis ?? {};
  return Promise.all(
    (analysis.metrics ?? []).map(async (metric) => {
      const template = resolveTemplate(deps.caches, namespace, deps.controllerNamespace, metric);
      const measurement = await deps.metricSources.forMetric(metric, template).measure({
        namespace,
        target: canary.spec.targetRef.name,
        window: metricWindow(metric, analysis),
        // A shared (batched) answer older than one interval belongs to the previous tick.
        maxAgeMs: intervalMs,
      });
      return evaluateMeasurement(measurement, {
        metric: metric.name,
        thresholdRange: metric.thresholdRange,
        noData: analysis.noData ?? STORED_DEFAULTS.analysis.noData,
        minRequests: analysis.minRequests ?? STORED_DEFAULTS.analysis.minRequests,
      });
    }),
  );
}
