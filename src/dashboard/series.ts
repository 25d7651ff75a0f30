// The canary's and the primary's series of each check over a Canary's current (or last) run, for
// the Canary page. Bounded (at most MAX_RANGE_S back from the run's end, at most MAX_POINTS points
// per series) and cached per run: an answer is reused until the run records another step or ends,
// and viewers asking at the same time share one set of queries, so more viewers add no query.
import type { AnalysisTemplateSpec } from '../api/analysis-template.js';
import type { Canary, Metric, RunRecord } from '../api/canary.js';
import type { MeshQueries } from '../metrics/mesh-queries.js';
import {
  isLatencyMetric,
  trafficMetricResult,
  type TrafficValues,
} from '../metrics/traffic-metrics-values.js';
import type { RangeQuery, RangeSeries } from './prometheus-range.js';
import { planCheck, targetsOf, type CheckPlan, type Targets } from './series-queries.js';
import type { CheckSeries, RangeWindow, RunSeries } from './series-view.js';

export const MAX_RANGE_S = 6 * 3600;
export const MAX_POINTS = 240;
export const MIN_STEP_S = 1;
/** Runs whose answers are kept (the oldest is dropped first). */
export const CACHED_RUNS = 200;

/** Reads a templateRef metric's template with the dashboard's identity. */
export type TemplateReader = (
  namespace: string,
  ref: NonNullable<Metric['templateRef']>,
) => Promise<AnalysisTemplateSpec>;

export interface SeriesServiceOptions {
  readonly prometheus: RangeQuery;
  readonly mesh: MeshQueries;
  readonly readTemplate: TemplateReader;
  /** Epoch ms. */
  readonly now: () => number;
}

/** The query range for a run: its start to its end (now while in flight), bounded. */
export function rangeOf(run: RunRecord, nowMs: number): RangeWindow {
  const end = Math.ceil((run.endedAt === undefined ? nowMs : Date.parse(run.endedAt)) / 1000);
  const start = Math.max(Math.floor(Date.parse(run.startedAt) / 1000), end - MAX_RANGE_S);
  // The grid's points are both ends and every step between: (end - start) / step + 1.
  const step = Math.max(MIN_STEP_S, Math.ceil((end - start) / (MAX_POINTS - 1)));
  return { start, end: Math.max(start, end), step };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class SeriesService {
  readonly #cache = new Map<
    string,
    { readonly version: string; readonly answer: Promise<RunSeries> }
  >();

  constructor(private readonly opts: SeriesServiceOptions) {}

  /** The series of the Canary's newest run; undefined when it has none. */
  series(canary: Canary): Promise<RunSeries> | undefined {
    const run = canary.status?.history?.at(-1);
    if (run === undefined) return undefined;
    const key = `${canary.metadata.uid ?? ''}/${run.revision}/${run.startedAt}`;
    const version = `${run.steps.length}/${run.endedAt ?? ''}`;
    const hit = this.#cache.get(key);
    if (hit?.version === version) return hit.answer;
    const answer = this.#load(canary, run);
    this.#cache.delete(key);
    this.#cache.set(key, { version, answer });
    for (const old of this.#cache.keys()) {
      if (this.#cache.size <= CACHED_RUNS) break;
      this.#cache.delete(old);
    }
    return answer;
  }

  async #load(canary: Canary, run: RunRecord): Promise<RunSeries> {
    const range = rangeOf(run, this.opts.now());
    const targets = targetsOf(canary);
    const checks = await Promise.all(
      (canary.spec.analysis?.metrics ?? []).map(async (metric) => {
        const plan = planCheck(
          canary,
          metric,
          this.opts.mesh,
          await this.#template(canary, metric),
        );
        return this.#check(plan, targets, range);
      }),
    );
    return { revision: run.revision, startedAt: run.startedAt, targets, range, checks };
  }

  async #template(
    canary: Canary,
    metric: Metric,
  ): Promise<AnalysisTemplateSpec | { error: string } | undefined> {
    if (metric.templateRef === undefined) return undefined;
    try {
      return await this.opts.readTemplate(canary.metadata.namespace ?? '', metric.templateRef);
    } catch (err) {
      return { error: message(err) };
    }
  }

  async #check(plan: CheckPlan, targets: Targets, range: RangeWindow): Promise<CheckSeries> {
    const t: number[] = [];
    for (let x = range.start; x <= range.end; x += range.step) t.push(x);
    const empty = { metric: plan.metric, t, canary: t.map(() => null), primary: t.map(() => null) };
    const ask = (query: string): Promise<RangeSeries[]> =>
      this.opts.prometheus.range(query, range.start, range.end, range.step);
    try {
      if (plan.kind === 'error') return { ...empty, error: plan.error };
      if (plan.kind === 'traffic') {
        const byTarget = trafficValues(plan, await ask(plan.query), targets, this.opts.mesh);
        return {
          ...empty,
          canary: t.map((x) => byTarget.canary.get(x) ?? null),
          primary: t.map((x) => byTarget.primary.get(x) ?? null),
        };
      }
      const [c, p] = await Promise.all([ask(plan.canary), ask(plan.primary)]);
      return { ...empty, canary: oneSeries(c, t), primary: oneSeries(p, t) };
    } catch (err) {
      return { ...empty, error: message(err) };
    }
  }
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** A check's query answers one series; more than one cannot be charted as the check's value. */
function oneSeries(series: RangeSeries[], t: readonly number[]): (number | null)[] {
  if (series.length > 1) {
    throw new Error(`the query answers ${series.length} series; a check's query answers one`);
  }
  const at = new Map(series[0]?.points.map(([x, v]) => [x, finite(v)]));
  return t.map((x) => at.get(x) ?? null);
}

/** Per Deployment, per time: the check's figure, as the computed trafficMetrics source gets it. */
function trafficValues(
  plan: Extract<CheckPlan, { kind: 'traffic' }>,
  series: RangeSeries[],
  targets: Targets,
  mesh: MeshQueries,
): { canary: Map<number, number | null>; primary: Map<number, number | null> } {
  const raw = new Map<string, Map<number, TrafficValues>>();
  for (const s of series) {
    const target = s.labels[mesh.groupLabel] ?? '';
    const byTime = raw.get(target) ?? new Map<number, TrafficValues>();
    raw.set(target, byTime);
    for (const [x, v] of s.points) {
      const values = byTime.get(x) ?? {};
      byTime.set(x, values);
      if (isLatencyMetric(plan.traffic)) {
        values[plan.traffic] = v;
      } else {
        const kind =
          mesh.classify({ labels: s.labels, value: v }) === 'failure'
            ? 'failure_count'
            : 'success_count';
        values.success_count ??= 0;
        values.failure_count ??= 0;
        values[kind] = (values[kind] ?? 0) + v;
      }
    }
  }
  const figures = (target: string): Map<number, number | null> =>
    new Map(
      [...(raw.get(target) ?? new Map<number, TrafficValues>())].map(([x, values]) => {
        const r = trafficMetricResult(plan.traffic, values, plan.windowSeconds);
        return [x, r.kind === 'value' ? finite(r.value) : null];
      }),
    );
  return { canary: figures(targets.canary), primary: figures(targets.primary) };
}
