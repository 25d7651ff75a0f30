// The side-by-side table: the same figures of weightlifter and the peer for each N, counted by
// the same functions (audit log per user, /proc, Prometheus's own counters), and their ratio.
import { readFile, writeFile } from 'node:fs/promises';
import type { MachineInfo } from '../machine.js';
import type { RunResult } from '../report.js';

export interface ComparisonRow {
  readonly metric: string;
  readonly n: number;
  readonly weightlifter: number | null;
  readonly peer: number | null;
  /** weightlifter / peer; null when either is missing or the peer's is 0. */
  readonly ratio: number | null;
}

type Figure = readonly [string, (r: RunResult) => number | null | undefined];

export const FIGURES: readonly Figure[] = [
  ['setup: all Initialized (s)', (r) => r.setup.initializedSeconds],
  ['idle: CPU s per minute', (r) => (r.idle ? (r.idle.cpuSeconds / r.idle.seconds) * 60 : null)],
  ['idle: peak RSS (MiB)', (r) => r.idle?.peakRssMiB],
  ['idle: RSS at the end (MiB)', (r) => r.idle?.endRssMiB],
  ['idle: API requests/s', (r) => r.idle?.requestsPerSecond],
  ['prog: succeeded', (r) => r.progressing?.succeeded],
  ['prog: wall / ideal', (r) => r.progressing?.wallOverIdeal],
  ['prog: per canary p50 (s)', (r) => ms(r.progressing?.perCanary.p50Ms)],
  ['prog: per canary p99 (s)', (r) => ms(r.progressing?.perCanary.p99Ms)],
  ['prog: API requests per canary-step', (r) => r.progressing?.requestsPerCanaryStep],
  ['prog: API writes per canary-step', (r) => r.progressing?.writesPerCanaryStep],
  ['prog: PromQL queries per canary-step', (r) => r.progressing?.promqlQueriesPerCanaryStep],
  ['prog: CPU s', (r) => r.progressing?.cpuSeconds],
  ['prog: peak RSS (MiB)', (r) => r.progressing?.peakRssMiB],
  ['prog: RSS at the end (MiB)', (r) => r.progressing?.endRssMiB],
];

function ms(x: number | null | undefined): number | null {
  return x === null || x === undefined ? null : x / 1000;
}

const round2 = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100;

export function compare(ours: readonly RunResult[], theirs: readonly RunResult[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const w of ours) {
    const p = theirs.find((r) => r.n === w.n);
    if (p === undefined) continue;
    for (const [metric, read] of FIGURES) {
      const a = round2(read(w));
      const b = round2(read(p));
      // Three significant digits: a ratio of 0.0003 must not print as 0.
      const ratio = a === null || b === null || b === 0 ? null : Number((a / b).toPrecision(3));
      rows.push({ metric, n: w.n, weightlifter: a, peer: b, ratio });
    }
  }
  return rows;
}

const cell = (x: number | null): string => (x === null ? '-' : String(x));

/** A Markdown table (also what stdout shows): one row per figure and N. */
export function comparisonTable(rows: readonly ComparisonRow[], peerName: string): string {
  const head = `| figure | N | weightlifter | ${peerName} | weightlifter/${peerName} |`;
  const lines = rows.map(
    (r) =>
      `| ${r.metric} | ${r.n} | ${cell(r.weightlifter)} | ${cell(r.peer)} | ${r.ratio === null ? '-' : `${r.ratio}×`} |`,
  );
  return [head, '|---|---:|---:|---:|---:|', ...lines].join('\n');
}

export const DOCS_BEGIN = '<!-- bench:peer:begin (written by npm run bench -- --peer) -->';
export const DOCS_END = '<!-- bench:peer:end -->';

export interface DocsSection {
  readonly table: string;
  readonly machine: MachineInfo;
  readonly command: string;
  readonly finishedAt: string;
  readonly peerVersion: string;
  readonly resultsFile: string;
}

/** Replaces the marked section of `text` (appends one when missing). */
export function withSection(text: string, s: DocsSection): string {
  const m = s.machine;
  const body = [
    DOCS_BEGIN,
    '',
    `Measured ${s.finishedAt.slice(0, 10)} with \`${s.command}\` against Flagger ${s.peerVersion}`,
    `on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, Linux, Node ${m.node}; the local world`,
    `(control plane, Prometheus, emulator) on the same cores, load average ${m.loadAverage.join(' / ')}`,
    `(1 / 5 / 15 min) at the start. Full results: \`${s.resultsFile}\`.`,
    '',
    s.table,
    '',
    DOCS_END,
  ].join('\n');
  const a = text.indexOf(DOCS_BEGIN);
  const b = text.indexOf(DOCS_END);
  if (a === -1 || b === -1 || b < a) return `${text.trimEnd()}\n\n${body}\n`;
  return `${text.slice(0, a)}${body}${text.slice(b + DOCS_END.length)}`;
}

/** Markdown is not Prettier-formatted here (.prettierignore): the rest of the file stays as it is. */
export async function writeDocsSection(file: string, s: DocsSection): Promise<void> {
  await writeFile(file, withSection(await readFile(file, 'utf8'), s));
}
