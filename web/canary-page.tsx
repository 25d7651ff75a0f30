// One Canary: its current (or last) run as charts, the operations, conditions, the spec summary
// and the Events timeline.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { MANUAL_OPERATIONS } from '../src/api/constants.js';
import type { CanaryView } from '../src/dashboard/view.js';
import type { RunRecord } from '../src/api/canary.js';
import type { RunSeries } from '../src/dashboard/series-view.js';
import { CheckChart, SeriesChart, WeightChart } from './charts.js';
import { phaseTone, shortRevision, since } from './format.js';
import { useNow, useStore } from './hooks.js';
import { canOperate, fetchSeries, keyOf, operate, page } from './store.js';

/**
 * With --prometheus-url: the run's series from the server, asked again when the run records a
 * step or ends (the server answers those from its cache per run state). A string: the error.
 */
function useSeries(c: CanaryView, run: RunRecord | undefined): RunSeries | string | undefined {
  const [series, setSeries] = useState<RunSeries | string | undefined>(undefined);
  const version =
    run === undefined
      ? ''
      : `${run.revision}/${run.startedAt}/${run.steps.length}/${run.endedAt ?? ''}`;
  useEffect(() => {
    if (!page.prometheus || run === undefined) return;
    let live = true;
    fetchSeries(c).then(
      (s) => {
        if (live) setSeries(s ?? undefined);
      },
      (err: unknown) => {
        if (live) setSeries(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [keyOf(c), version]);
  return series;
}

function Operations(props: { canary: CanaryView }) {
  const [allowed, setAllowed] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    let live = true;
    void canOperate(props.canary.namespace).then((ok) => {
      if (live) setAllowed(ok);
    });
    return () => {
      live = false;
    };
  }, [props.canary.namespace]);
  if (page.readOnly || !allowed) return null;
  const run = async (action: string): Promise<void> => {
    if (!confirm(`${action} ${keyOf(props.canary)}?`)) return;
    try {
      setNote(`${action} requested (${await operate(props.canary, action)})`);
    } catch (err) {
      setNote(`${action} refused: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return (
    <div class="ops" data-testid="operations">
      {MANUAL_OPERATIONS.map((a) => (
        <button
          key={a}
          class={a === 'abort' ? 'danger' : ''}
          data-action={a}
          onClick={() => void run(a)}
        >
          {a}
        </button>
      ))}
      <span class="muted" data-testid="operation-note">
        {note}
      </span>
    </div>
  );
}

function Spec(props: { canary: CanaryView }) {
  const a = props.canary.spec.analysis ?? {};
  const strategy =
    a.iterations !== undefined
      ? `blue/green, ${a.iterations} iterations`
      : a.stepWeights !== undefined
        ? `steps ${a.stepWeights.join(', ')}`
        : `step ${a.stepWeight ?? '?'} up to ${a.maxWeight ?? '?'}`;
  const w = props.canary.spec.schedule;
  return (
    <dl class="spec">
      <dt>Target</dt>
      <dd>Deployment {props.canary.spec.targetRef.name}</dd>
      <dt>Strategy</dt>
      <dd>
        {strategy}; every {a.interval ?? '1m'}; rollback after {a.threshold ?? 5} failed checks
      </dd>
      <dt>Checks</dt>
      <dd>
        {(a.metrics ?? [])
          .map((m) => {
            if (m.compare !== undefined) {
              const control = a.baseline === true ? 'baseline' : 'primary';
              return `${m.name} (vs ${control}, ${m.compare.direction})`;
            }
            const r = m.thresholdRange ?? {};
            const range = [
              r.min === undefined ? '' : `≥ ${r.min}`,
              r.max === undefined ? '' : `≤ ${r.max}`,
            ]
              .filter((x) => x !== '')
              .join(', ');
            return `${m.name} (${range})`;
          })
          .join('; ') || 'none'}
      </dd>
      <dt>Windows</dt>
      <dd>
        {w === undefined
          ? 'any time'
          : `allow ${(w.allow ?? ['*']).join(' | ')}; deny ${(w.deny ?? []).join(' | ') || 'none'}${w.timeZone === undefined ? '' : ` (${w.timeZone})`}`}
      </dd>
      <dt>Webhooks</dt>
      <dd>
        {(a.webhooks ?? []).map((h) => `${h.name} (${h.type ?? 'rollout'}) ${h.url}`).join('; ') ||
          'none'}
      </dd>
    </dl>
  );
}

export function CanaryPage(props: { namespace: string; name: string }) {
  const { canaries, events } = useStore();
  const now = useNow();
  const c = canaries.get(`${props.namespace}/${props.name}`);
  if (c === undefined) {
    return (
      <main>
        <p>
          <a href="#/">← all Canaries</a>
        </p>
        <p class="empty">
          Canary {props.namespace}/{props.name} is not visible to this dashboard.
        </p>
      </main>
    );
  }
  const s = c.status;
  const run = s.history?.at(-1);
  const series = useSeries(c, run);
  const mine = events
    .filter((e) => e.namespace === c.namespace && e.canary === c.name)
    .sort((x, y) => y.at.localeCompare(x.at));
  return (
    <main data-testid="canary-page" data-key={keyOf(c)} data-phase={s.phase ?? ''}>
      <p>
        <a href="#/">← all Canaries</a>
      </p>
      <header class="bar">
        <h1>
          <span class="ns">{c.namespace}/</span>
          {c.name}
        </h1>
        <span class={`phase ${phaseTone(s.phase)}`} data-testid="phase">
          {s.phase ?? 'Unknown'}
        </span>
        <span class="muted">
          weight {s.canaryWeight ?? 0}% · step {s.stepIndex ?? 0} · failed checks{' '}
          {s.failedChecks ?? 0}/{c.spec.analysis?.threshold ?? 5} · revision{' '}
          {shortRevision(s.revision)} · {since(s.phaseSince, now)} in phase
        </span>
      </header>
      <Operations canary={c} />
      {run === undefined ? (
        <p class="empty">No run recorded yet.</p>
      ) : (
        <section
          class="run"
          data-testid="run"
          data-revision={run.revision}
          data-result={run.result ?? ''}
        >
          <h2>
            Run of {shortRevision(run.revision)}{' '}
            <span class="muted">
              {run.result === undefined ? 'in flight' : run.result} · started{' '}
              {since(run.startedAt, now)} ago
            </span>
          </h2>
          <div class="charts">
            <WeightChart run={run} />
            {(c.spec.analysis?.metrics ?? []).map((m) => (
              <Fragment key={m.name}>
                <CheckChart run={run} metric={m} />
                {page.prometheus ? (
                  <SeriesChart
                    metric={m.name}
                    series={
                      typeof series === 'object'
                        ? series.checks.find((x) => x.metric === m.name)
                        : series
                    }
                  />
                ) : null}
              </Fragment>
            ))}
          </div>
        </section>
      )}
      <h2>Conditions</h2>
      <table class="list">
        <tbody>
          {(s.conditions ?? []).map((k) => (
            <tr key={k.type}>
              <td>{k.type}</td>
              <td>{k.status}</td>
              <td>{k.reason}</td>
              <td>{k.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Spec</h2>
      <Spec canary={c} />
      <h2>Events</h2>
      <ol class="events" data-testid="events">
        {mine.map((e) => (
          <li key={e.uid} class={e.type === 'Warning' ? 'bad-text' : ''}>
            <span class="mono">{new Date(e.at).toLocaleTimeString()}</span> <b>{e.reason}</b>{' '}
            {e.message}
            {e.count > 1 ? <span class="muted"> ×{e.count}</span> : null}
          </li>
        ))}
      </ol>
    </main>
  );
}
