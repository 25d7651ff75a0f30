// `status` without a name: one row per Canary, and the one-line form `--watch` prints per change
// when stdout is not a terminal.
import type { CanarySummary } from './summary.js';
import { humanDuration } from './duration.js';
import { formatPhase, formatValue } from './format.js';
import { bar } from './progress-bar.js';
import { clean, truncate, type Style } from './style.js';
import { renderTable } from './table.js';

function stepLabel(s: CanarySummary): string {
  const st = s.strategy;
  if (st === null) return '-';
  if (st.kind !== 'canary') return `${Math.min(s.iterations, st.iterations)}/${st.iterations}`;
  return `${st.weights.filter((w) => w <= s.canaryWeight).length}/${st.weights.length}`;
}

function maxWeight(s: CanarySummary): number {
  const st = s.strategy;
  return st?.kind === 'canary' ? (st.weights[st.weights.length - 1] ?? 100) : 100;
}

export function renderList(
  rows: readonly CanarySummary[],
  style: Style,
  allNamespaces: boolean,
): string[] {
  if (rows.length === 0) return ['No canaries found.'];
  const cells = rows.map((s) => [
    ...(allNamespaces ? [s.namespace] : []),
    s.name,
    formatPhase(s.phase, style),
    `${bar(s.canaryWeight / maxWeight(s), 10, style)} ${s.canaryWeight}%`,
    stepLabel(s),
    `${s.failedChecks}/${s.threshold}`,
    s.inPhaseSeconds === null ? '-' : humanDuration(s.inPhaseSeconds * 1000),
    truncate(clean(s.message ?? ''), 60, style),
  ]);
  const columns = [
    ...(allNamespaces ? [{ header: 'NAMESPACE' }] : []),
    { header: 'NAME' },
    { header: 'PHASE' },
    { header: 'WEIGHT' },
    { header: 'STEP' },
    { header: 'FAILED' },
    { header: 'IN PHASE' },
    { header: 'MESSAGE' },
  ];
  return renderTable(columns, cells);
}

/**
 * One line describing a Canary, without anything that changes by itself (no "time in phase"), so
 * printing it only when it differs from the previous line prints exactly one line per change.
 */
export function summaryLine(s: CanarySummary): string {
  const metrics = s.metrics
    .filter((m) => m.result !== 'Pending')
    .map((m) => `${clean(m.name)}=${formatValue(m.value)}(${m.result})`);
  const parts = [
    `${s.namespace}/${s.name}`,
    `phase=${s.phase}`,
    `weight=${s.canaryWeight}%`,
    `step=${stepLabel(s)}`,
    `failed=${s.failedChecks}/${s.threshold}`,
    ...metrics,
    ...(s.paused ? ['paused'] : []),
  ];
  const message = s.message === null ? '' : ` - ${clean(s.message)}`;
  return `${parts.join(' ')}${message}`;
}
