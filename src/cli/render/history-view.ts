// The run history of `status <name>`: the current (or last) run from status.history, one line per
// step with its time, the canary weight after it and each check's value and result (the checks a
// step records measured the previous step's weight).
import type { RunRecord } from '../../api/canary.js';
import { formatResult, formatValue, shortRevision } from './format.js';
import { clean, paint, type Style } from './style.js';
import { renderTable } from './table.js';

/** `12:07:47` from an RFC 3339 time (UTC, as the status records it); the text itself otherwise. */
const clock = (iso: string): string => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? clean(iso) : new Date(t).toISOString().slice(11, 19);
};

/** The checks' names in order: the spec's first, then any other a step recorded (webhooks). */
function checkNames(run: RunRecord, specNames: readonly string[]): string[] {
  const recorded = run.steps.flatMap((s) => (s.checks ?? []).map((c) => c.metric));
  return [...new Set([...specNames, ...recorded])].filter((n) => recorded.includes(n));
}

export function historyLines(
  run: RunRecord | null,
  specNames: readonly string[],
  style: Style,
): string[] {
  if (run === null) return [];
  const state = run.result === undefined ? 'in flight' : run.result;
  const ended = run.endedAt === undefined ? '' : `, ended ${clock(run.endedAt)}`;
  const title = `${paint(style, 'bold', 'History')}  run of ${shortRevision(clean(run.revision))}: ${state}, started ${clock(run.startedAt)}${ended} (UTC)`;
  if (run.steps.length === 0) return ['', title, '  no step yet'];
  const names = checkNames(run, specNames);
  const rows = run.steps.map((s) => [
    clock(s.at),
    `${s.weight}%`,
    ...names.map((n) => {
      const c = s.checks?.find((x) => x.metric === n);
      return c === undefined
        ? '-'
        : `${formatValue(c.value ?? null)} ${formatResult(c.result, style)}`;
    }),
  ]);
  const table = renderTable(
    [
      { header: 'TIME' },
      { header: 'WEIGHT', align: 'right' },
      ...names.map((n) => ({ header: clean(n) })),
    ],
    rows,
  );
  return ['', title, ...table.map((l) => `  ${l}`)];
}
