// The detailed `status <name>` view: phase and time in phase, the progress bar, failed checks
// against the threshold, each metric's last value against its threshold, the last operation, the
// current (or last) run step by step, and recent events.
import type { CanarySummary, RoutesSeen } from './summary.js';
import { humanDuration, since } from './duration.js';
import {
  formatPhase,
  formatResult,
  formatThreshold,
  formatValue,
  shortRevision,
} from './format.js';
import { historyLines } from './history-view.js';
import { progressBar } from './progress-bar.js';
import { clean, paint, truncate, type Style } from './style.js';
import { renderTable } from './table.js';

const label = (style: Style, name: string): string => paint(style, 'bold', name.padEnd(11));

function headerLines(s: CanarySummary, style: Style): string[] {
  const inPhase = s.inPhaseSeconds === null ? '' : ` for ${humanDuration(s.inPhaseSeconds * 1000)}`;
  const lines = [
    `${label(style, 'Canary')}${s.namespace}/${s.name}`,
    `${label(style, 'Phase')}${formatPhase(s.phase, style)}${inPhase}`,
  ];
  if (s.message !== null) {
    const why = s.reason === null ? '' : `${s.reason}: `;
    lines.push(
      `${label(style, 'Status')}${truncate(clean(why + s.message), style.width - 11, style)}`,
    );
  }
  const promoted =
    s.lastPromotedRevision === null ? '' : ` (promoted: ${shortRevision(s.lastPromotedRevision)})`;
  lines.push(`${label(style, 'Revision')}${shortRevision(s.revision)}${promoted}`);
  if (s.routes !== null) lines.push(`${label(style, 'Route')}${routeText(s.routes, style)}`);
  if (s.match !== null) {
    lines.push(`${label(style, 'Match')}${truncate(clean(s.match), style.width - 11, style)}`);
  }
  lines.push(`${label(style, 'Progress')}${progressBar(s, style)}`);
  const failed = `${s.failedChecks}/${s.threshold} failed checks`;
  lines.push(
    `${label(style, 'Checks')}${s.failedChecks > 0 ? paint(style, 'red', failed) : failed}`,
  );
  return lines;
}

function routeText(routes: RoutesSeen, style: Style): string {
  if (routes.error !== null) return paint(style, 'yellow', `unavailable: ${clean(routes.error)}`);
  if (routes.objects.length === 0) return 'none';
  return routes.objects.map((r) => `${r.kind}/${clean(r.name)}`).join(', ');
}

function noteLines(s: CanarySummary, style: Style, now: number): string[] {
  const lines: string[] = [];
  if (s.suspended)
    lines.push(`${label(style, 'Suspended')}spec.suspend is true: the controller changes nothing`);
  if (s.paused)
    lines.push(`${label(style, 'Paused')}by an operator; run \`weightlifter resume ${s.name}\``);
  if (
    s.generation !== null &&
    (s.observedGeneration === null || s.observedGeneration < s.generation)
  ) {
    const seen = s.observedGeneration === null ? 'none' : String(s.observedGeneration);
    lines.push(
      `${label(style, 'Stale')}${paint(style, 'yellow', `generation ${s.generation} not observed yet (status is from ${seen})`)}`,
    );
  }
  const op = s.operation;
  if (op !== null) {
    const age = since(op.handledAt, now);
    const when = age === null ? '' : ` (${humanDuration(age)} ago)`;
    const tone = op.result === 'Accepted' ? 'green' : 'red';
    const text = `${clean(op.request)} ${paint(style, tone, op.result)}${op.message === undefined ? '' : `: ${clean(op.message)}`}${when}`;
    lines.push(`${label(style, 'Operation')}${text}`);
  }
  return lines;
}

function metricLines(s: CanarySummary, style: Style): string[] {
  if (s.metrics.length === 0) return [];
  const rows = s.metrics.map((m) => [
    clean(m.name),
    formatValue(m.value),
    formatThreshold(m),
    formatResult(m.result, style),
    m.message === null || m.result === 'Successful' ? '' : truncate(clean(m.message), 60, style),
  ]);
  const table = renderTable(
    [
      { header: 'METRIC' },
      { header: 'VALUE', align: 'right' },
      { header: 'THRESHOLD' },
      { header: 'RESULT' },
      { header: 'NOTE' },
    ],
    rows,
  );
  // A compare check's verdict names every number behind it (kayenta#521): shown whole.
  const verdicts = s.metrics
    .filter((m) => m.compare !== null && m.message !== null && m.result !== 'Pending')
    .map((m) => `  ${clean(m.name)}: ${clean(m.message ?? '')}`);
  return [
    '',
    paint(style, 'bold', 'Metrics'),
    ...table.map((l) => `  ${l}`),
    ...(verdicts.length === 0
      ? []
      : [
          '',
          paint(
            style,
            'bold',
            s.metrics.some((m) => m.against === 'baseline')
              ? 'Compared with the baseline'
              : 'Compared with the primary',
          ),
          ...verdicts,
        ]),
  ];
}

function eventLines(s: CanarySummary, style: Style, now: number): string[] {
  if (s.eventsError !== null) {
    return [
      '',
      `${paint(style, 'bold', 'Events')}  ${paint(style, 'yellow', `unavailable: ${clean(s.eventsError)}`)}`,
    ];
  }
  if (s.events.length === 0) return ['', `${paint(style, 'bold', 'Events')}  none`];
  const rows = s.events.map((e) => {
    const age = since(e.lastSeen ?? undefined, now);
    const type = e.type === 'Warning' ? paint(style, 'yellow', e.type) : e.type;
    const count = e.count > 1 ? ` (x${e.count})` : '';
    return [
      age === null ? '-' : humanDuration(age),
      type,
      clean(e.reason),
      truncate(clean(e.message) + count, Math.max(20, style.width - 40), style),
    ];
  });
  const table = renderTable(
    [
      { header: 'AGE', align: 'right' },
      { header: 'TYPE' },
      { header: 'REASON' },
      { header: 'MESSAGE' },
    ],
    rows,
  );
  return ['', paint(style, 'bold', 'Events'), ...table.map((l) => `  ${l}`)];
}

export function renderStatus(s: CanarySummary, style: Style, now: number): string[] {
  return [
    ...headerLines(s, style),
    ...noteLines(s, style, now),
    ...metricLines(s, style),
    ...historyLines(
      s.run,
      s.metrics.map((m) => m.name),
      style,
    ),
    ...eventLines(s, style, now),
  ];
}
