// Running one compare check of a Canary (checks.ts hands it over): the canary against the
// primary over the check's own window.
// - prometheus / templateRef: both sides' series (compare-series.ts), ranked (compare-check.ts);
// - trafficMetrics success-rate: both sides' request counts from the same source as a threshold
//   check's (the SMI TrafficMetrics API or computed from Prometheus), by Fisher's exact test on
//   the failure rate. CEL admits no other trafficMetrics metric: the SMI API has no time series.
// A fail-fast evaluation does not run it (Inconclusive, which never counts towards fail-fast): a
// shortened window holds too few points to judge.
import type { Canary, Compare, Metric } from '../api/canary.js';
import { STORED_DEFAULTS, baselineName, hasBaseline, primaryName } from '../api/defaults.js';
import type { MetricSourceFactory, ResolvedTemplate } from '../metrics/factory.js';
import type { MeasureContext } from '../metrics/source.js';
import type { ChecksWindow } from './checks.js';
import { judgeCounts, judgeSeries } from './compare-check.js';
import { compareSeries } from './compare-series.js';
import type { MetricCheckResult } from './evaluate.js';

export async function runCompare(
  sources: MetricSourceFactory,
  canary: Canary,
  metric: Metric,
  compare: Compare,
  template: ResolvedTemplate | undefined,
  step: ChecksWindow & { readonly own: string },
): Promise<MetricCheckResult> {
  const name = metric.name;
  if (step.earlyWindowMs !== undefined) {
    return { metric: name, result: 'Inconclusive', message: 'fail-fast skips compare checks' };
  }
  const baseline = hasBaseline(canary.spec);
  const check = {
    metric: name,
    compare,
    noData: canary.spec.analysis?.noData ?? STORED_DEFAULTS.analysis.noData,
    control: baseline ? ('baseline' as const) : ('primary' as const),
  };
  const ctx: MeasureContext = {
    namespace: canary.metadata.namespace ?? '',
    target: canary.spec.targetRef.name,
    window: step.own,
    since: step.since,
    until: step.until,
  };
  // The control side: the baseline's fresh pods when the Canary runs one, else the primary's.
  const primary = baseline ? baselineName(canary.spec) : primaryName(canary.spec);
  if (metric.trafficMetrics !== undefined) {
    // Failures out of requests: failure_count's value, with the request count riding along.
    const counts = sources.forMetric({ ...metric, trafficMetrics: { metric: 'failure_count' } });
    const [canarySide, primarySide] = await Promise.all([
      counts.measure(ctx),
      counts.measure({ ...ctx, target: primary }),
    ]);
    return judgeCounts(canarySide, primarySide, check);
  }
  const spec = sources.prometheusQuery(metric, template);
  if (spec === undefined) {
    // A templateRef whose template is missing, or a source CEL should have refused.
    const ref = metric.templateRef;
    const message =
      ref === undefined
        ? 'compare needs a prometheus, templateRef or trafficMetrics success-rate source'
        : `${ref.kind ?? 'AnalysisTemplate'} ${ref.name} not found`;
    return { metric: name, result: 'Error', message };
  }
  const { executor, configReader } = sources.preflightAccess();
  const deps = {
    executor,
    configReader,
    now: () => sources.now(),
    checkAddress: (a: string | undefined) => sources.checkAddress(a),
  };
  return judgeSeries(await compareSeries(deps, spec, { ...ctx, primary }), check);
}
