// The run as charts (uPlot): the canary weight over time as steps, each check's value per
// analysis step against its threshold, and (with --prometheus-url) the canary's and the primary's
// series of each check. The points are also on the chart's element as data attributes, so a test
// (or a person with devtools) reads the numbers, not pixels. Charts follow the window's width.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Metric, RunRecord } from '../src/api/canary.js';
import type { CheckSeries } from '../src/dashboard/series-view.js';

const HEIGHT = 220;
const widthOf = (el: HTMLElement): number => Math.max(240, el.clientWidth);

function Plot(props: { opts: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = el.current;
    if (target === null) return;
    const plot = new uPlot(
      { ...props.opts, width: widthOf(target), height: HEIGHT },
      props.data,
      target,
    );
    const resize = (): void => {
      plot.setSize({ width: widthOf(target), height: HEIGHT });
    };
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [JSON.stringify(props.data)]);
  return <div ref={el} class="plot" />;
}

const stepped = uPlot.paths.stepped;
const seconds = (iso: string): number => Date.parse(iso) / 1000;

export function WeightChart(props: { run: RunRecord }) {
  const steps = props.run.steps;
  const xs = [seconds(props.run.startedAt), ...steps.map((s) => seconds(s.at))];
  const ws = [0, ...steps.map((s) => s.weight)];
  return (
    <section
      class="chart"
      data-testid="weight-chart"
      data-points={steps.length}
      data-weights={ws.slice(1).join(',')}
    >
      <h3>Canary weight</h3>
      <Plot
        opts={{
          scales: { y: { range: [0, 100] } },
          series: [
            {},
            {
              label: 'weight %',
              stroke: '#2563eb',
              fill: 'rgba(37,99,235,0.12)',
              width: 2,
              ...(stepped === undefined ? {} : { paths: stepped({ align: 1 }) }),
            },
          ],
        }}
        data={[xs, ws]}
      />
    </section>
  );
}

export function CheckChart(props: { run: RunRecord; metric: Metric }) {
  const name = props.metric.name;
  const points = props.run.steps.flatMap((s) => {
    const c = s.checks?.find((x) => x.metric === name);
    return c === undefined ? [] : [{ at: seconds(s.at), value: c.value ?? null, result: c.result }];
  });
  // A compare check has no fixed bounds (it is judged against the primary).
  const { min, max } = props.metric.thresholdRange ?? {};
  const xs = points.map((p) => p.at);
  const series: uPlot.Series[] = [
    {},
    { label: name, stroke: '#0f766e', width: 2, points: { show: true, size: 6 } },
  ];
  const data: (number | null)[][] = [xs, points.map((p) => p.value)];
  // Each bound of the thresholdRange is a dashed line across the run.
  for (const [bound, value] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (value === undefined) continue;
    series.push({
      label: `${bound} ${value}`,
      stroke: '#dc2626',
      dash: [6, 4],
      width: 1,
      points: { show: false },
    });
    data.push(xs.map(() => value));
  }
  const failed = points.filter((p) => p.result === 'Failed').length;
  return (
    <section
      class="chart"
      data-testid="check-chart"
      data-metric={name}
      data-points={points.length}
      data-values={points.map((p) => p.value ?? '').join(',')}
      {...(min === undefined ? {} : { 'data-threshold-min': String(min) })}
      {...(max === undefined ? {} : { 'data-threshold-max': String(max) })}
    >
      <h3>
        {name} <span class="muted">{failed > 0 ? `${failed} failed` : ''}</span>
      </h3>
      {points.length === 0 ? (
        <p class="muted">no measurement in this run yet</p>
      ) : (
        <Plot opts={{ series }} data={data as uPlot.AlignedData} />
      )}
    </section>
  );
}

const shown = (vs: readonly (number | null)[]): number => vs.filter((v) => v !== null).length;

/** A check's series from Prometheus over the run: the canary's against the primary's. */
export function SeriesChart(props: { metric: string; series: CheckSeries | string | undefined }) {
  const s = props.series;
  const error = typeof s === 'string' ? s : s?.error;
  const data = typeof s === 'object' ? s : undefined;
  return (
    <section
      class="chart"
      data-testid="series-chart"
      data-metric={props.metric}
      data-canary-points={data === undefined ? 0 : shown(data.canary)}
      data-primary-points={data === undefined ? 0 : shown(data.primary)}
      data-canary-values={data?.canary.filter((v) => v !== null).join(',') ?? ''}
      data-primary-values={data?.primary.filter((v) => v !== null).join(',') ?? ''}
    >
      <h3>
        {props.metric} <span class="muted">canary vs primary (Prometheus)</span>
      </h3>
      {error !== undefined ? (
        <p class="bad-text" data-testid="series-error">
          {error}
        </p>
      ) : data === undefined ? (
        <p class="muted">loading…</p>
      ) : (
        <Plot
          opts={{
            series: [
              {},
              { label: 'canary', stroke: '#2563eb', width: 2, spanGaps: false },
              { label: 'primary', stroke: '#64748b', width: 2, spanGaps: false },
            ],
          }}
          data={[data.t, data.canary, data.primary] as uPlot.AlignedData}
        />
      )}
    </section>
  );
}
