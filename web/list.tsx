// Every Canary the dashboard watches: phase, weight, step, failed checks, revision, time in phase.
import { useState } from 'preact/hooks';
import { useNow, useStore } from './hooks.js';
import { phaseTone, shortRevision, since } from './format.js';
import { keyOf } from './store.js';

export function ListPage() {
  const { canaries, connected } = useStore();
  const now = useNow();
  const [filter, setFilter] = useState('');
  const words = filter
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const rows = [...canaries.values()].filter((c) => {
    const text = `${c.namespace}/${c.name} ${c.status.phase ?? ''}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  return (
    <main>
      <header class="bar">
        <h1>Canaries</h1>
        <input
          type="search"
          placeholder="filter: name, namespace, phase"
          value={filter}
          onInput={(e) => {
            setFilter((e.target as HTMLInputElement).value);
          }}
          data-testid="filter"
        />
        <span class={connected ? 'live on' : 'live'}>{connected ? 'live' : 'reconnecting'}</span>
      </header>
      <table class="list">
        <thead>
          <tr>
            <th>Canary</th>
            <th>Phase</th>
            <th>Weight</th>
            <th>Step</th>
            <th>Failed checks</th>
            <th>Revision</th>
            <th>In phase</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const s = c.status;
            const weight = s.canaryWeight ?? 0;
            const threshold = c.spec.analysis?.threshold;
            return (
              <tr
                key={keyOf(c)}
                data-testid="canary-row"
                data-key={keyOf(c)}
                data-phase={s.phase ?? ''}
              >
                <td>
                  <a href={`#/canary/${c.namespace}/${c.name}`}>
                    <span class="ns">{c.namespace}/</span>
                    {c.name}
                  </a>
                </td>
                <td>
                  <span class={`phase ${phaseTone(s.phase)}`} data-testid="phase">
                    {s.phase ?? 'Unknown'}
                  </span>
                </td>
                <td>
                  <div class="weight" title={`${weight}% to the canary`}>
                    <div style={{ width: `${weight}%` }} />
                  </div>
                  <span class="num">{weight}%</span>
                </td>
                <td class="num">{s.stepIndex ?? 0}</td>
                <td class={(s.failedChecks ?? 0) > 0 ? 'num bad-text' : 'num'}>
                  {s.failedChecks ?? 0}
                  {threshold === undefined ? '' : ` / ${threshold}`}
                </td>
                <td class="mono">{shortRevision(s.revision)}</td>
                <td class="num">{since(s.phaseSince, now)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 ? (
        <p class="empty">No Canaries{filter === '' ? '' : ' match the filter'}.</p>
      ) : null}
    </main>
  );
}
