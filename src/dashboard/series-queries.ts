// What the dashboard asks Prometheus to chart a check over a run: the same PromQL the controller
// measures with (src/metrics), once for the canary Deployment and once for the primary.
//   trafficMetrics -> the mesh's batchable queries (mesh-queries.ts) over both Deployments at once,
//                     turned into the check's figure per point as the computed source does
//   prometheus / templateRef -> the check's query rendered with {{ target }} set to each one
import type { AnalysisTemplateSpec } from '../api/analysis-template.js';
import type { Canary, Metric } from '../api/canary.js';
import type { TrafficMetricName } from '../api/constants.js';
import { metricWindow, primaryName } from '../api/defaults.js';
import { parseGoDuration, promDuration } from '../metrics/duration.js';
import type { MeshQueries } from '../metrics/mesh-queries.js';
import { targetRegex } from '../metrics/promql.js';
import { mergeVariables, renderQuery } from '../metrics/query-template.js';
import { LATENCY_QUANTILES, isLatencyMetric } from '../metrics/traffic-metrics-values.js';

/** The two Deployments a chart compares. */
export interface Targets {
  readonly canary: string;
  readonly primary: string;
}

export type CheckPlan =
  | {
      /** One query answering both Deployments, grouped by `groupLabel`. */
      readonly kind: 'traffic';
      readonly metric: string;
      readonly traffic: TrafficMetricName;
      readonly query: string;
      readonly windowSeconds: number;
    }
  | {
      readonly kind: 'promql';
      readonly metric: string;
      readonly canary: string;
      readonly primary: string;
    }
  | { readonly kind: 'error'; readonly metric: string; readonly error: string };

export const targetsOf = (canary: Canary): Targets => ({
  canary: canary.spec.targetRef.name,
  primary: primaryName(canary.spec),
});

/**
 * The plan for one check. `template`: the spec of a templateRef metric's template, or the reason
 * it could not be read.
 */
export function planCheck(
  canary: Canary,
  metric: Metric,
  mesh: MeshQueries,
  template?: AnalysisTemplateSpec | { readonly error: string },
): CheckPlan {
  const namespace = canary.metadata.namespace ?? '';
  const name = metric.name;
  const window = metricWindow(metric, canary.spec.analysis ?? {});
  const parsed = parseGoDuration(window);
  if (!parsed.ok) return { kind: 'error', metric: name, error: parsed.error.message };
  const targets = targetsOf(canary);
  if (metric.trafficMetrics !== undefined) {
    const traffic = metric.trafficMetrics.metric;
    const w = promDuration(parsed.ms);
    const both = targetRegex([targets.canary, targets.primary]);
    const query = isLatencyMetric(traffic)
      ? mesh.latency(LATENCY_QUANTILES[traffic], [namespace], both, w)
      : mesh.counts([namespace], both, w);
    return { kind: 'traffic', metric: name, traffic, query, windowSeconds: parsed.ms / 1000 };
  }
  let source: { query: string; variables: Readonly<Record<string, string>> };
  if (metric.prometheus !== undefined) {
    source = { query: metric.prometheus.query, variables: metric.templateVariables ?? {} };
  } else if (metric.templateRef !== undefined) {
    if (template === undefined || 'error' in template) {
      const why = template?.error ?? 'not read';
      return { kind: 'error', metric: name, error: `template ${metric.templateRef.name}: ${why}` };
    }
    source = {
      query: template.query,
      variables: mergeVariables(template.variables, metric.templateVariables),
    };
  } else {
    return { kind: 'error', metric: name, error: 'the check has no query' };
  }
  const render = (target: string): { ok: true; query: string } | { ok: false; error: string } => {
    const r = renderQuery(source.query, {
      namespace,
      target,
      interval: window,
      variables: source.variables,
    });
    return r.ok ? r : { ok: false, error: r.error.message };
  };
  const c = render(targets.canary);
  const p = render(targets.primary);
  if (!c.ok) return { kind: 'error', metric: name, error: c.error };
  if (!p.ok) return { kind: 'error', metric: name, error: p.error };
  return { kind: 'promql', metric: name, canary: c.query, primary: p.query };
}
