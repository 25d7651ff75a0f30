// The bench's output: a table on stdout (one column per N) and the full JSON result file.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { MachineInfo } from './machine.js';
import type { ComparisonRow } from './peer/compare.js';
import type { BenchOptions } from './options.js';
import type { IdleResult } from './scenarios/idle.js';
import { WRITE_KINDS, type ProgressingResult } from './scenarios/progressing.js';
import type { ReactionResult } from './scenarios/reaction.js';

export interface RunResult {
  readonly n: number;
  readonly namespaces: number;
  /** Controller processes measured: one, or one per shard (--shards). */
  readonly replicas: number;
  /** Creating the Deployments and Canaries, then until all are Initialized. */
  readonly setup: { readonly createSeconds: number; readonly initializedSeconds: number };
  readonly loadAverageAfter: readonly number[];
  /**
   * The controller's V8 heap in use after a forced full GC, at the end of the run; with shards,
   * the largest replica's, and every replica's in liveHeapMiBByReplica.
   */
  liveHeapMiB?: number;
  liveHeapMiBByReplica?: readonly number[];
  idle?: IdleResult;
  progressing?: ProgressingResult;
  reaction?: ReactionResult;
}

export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly options: BenchOptions;
  readonly runs: readonly RunResult[];
  /** With --peer: the peer's runs (same options, own worlds) and the side-by-side figures. */
  readonly peer?: {
    readonly name: string;
    readonly version: string;
    readonly runs: readonly RunResult[];
    readonly comparison: readonly ComparisonRow[] | undefined;
  };
}

type Row = readonly [string, (r: RunResult) => string];

const v = (x: number | null | undefined, unit = ''): string =>
  x === null || x === undefined ? '-' : `${x}${unit}`;

const ROWS: readonly Row[] = [
  ['controller replicas (RSS, heap: the largest one)', (r) => String(r.replicas)],
  [
    'setup: create / all Initialized (s)',
    (r) => `${r.setup.createSeconds} / ${r.setup.initializedSeconds}`,
  ],
  ['idle: quiet after (s)', (r) => v(r.idle?.settledSeconds)],
  ['idle: CPU s over window', (r) => (r.idle ? `${r.idle.cpuSeconds} / ${r.idle.seconds}` : '-')],
  ['idle: peak RSS in window (MiB)', (r) => v(r.idle?.peakRssMiB)],
  ['idle: V8 heap used (MiB)', (r) => v(r.idle?.heapUsedMiB)],
  ['idle: API requests/s', (r) => v(r.idle?.requestsPerSecond)],
  ['idle: API writes / log lines', (r) => (r.idle ? `${r.idle.writes} / ${r.idle.logLines}` : '-')],
  [
    'prog: succeeded / failed',
    (r) =>
      r.progressing
        ? `${r.progressing.succeeded} / ${r.progressing.failed}${r.progressing.timedOut ? ' (timed out)' : ''}`
        : '-',
  ],
  [
    'prog: wall vs ideal (s)',
    (r) =>
      r.progressing
        ? `${r.progressing.wallSeconds} / ${r.progressing.idealSeconds} (x${r.progressing.wallOverIdeal})`
        : '-',
  ],
  [
    'prog: per canary p50 / p99 (s)',
    (r) =>
      r.progressing
        ? `${sec(r.progressing.perCanary.p50Ms)} / ${sec(r.progressing.perCanary.p99Ms)}`
        : '-',
  ],
  ['prog: writes per canary-step', (r) => v(r.progressing?.writesPerCanaryStep)],
  [
    'prog: split / status patches per canary-step',
    (r) =>
      r.progressing
        ? `${r.progressing.splitPatchesPerCanaryStep} / ${r.progressing.statusPatchesPerCanaryStep}`
        : '-',
  ],
  [
    `prog: — by kind (${WRITE_KINDS.join('/')})`,
    (r) => {
      const by = r.progressing?.writesPerCanaryStepByKind;
      return by === undefined ? '-' : WRITE_KINDS.map((k) => v(by[k])).join(' / ');
    },
  ],
  ['prog: PromQL queries per interval', (r) => v(r.progressing?.promqlQueriesPerInterval)],
  ['prog: PromQL queries per canary-step', (r) => v(r.progressing?.promqlQueriesPerCanaryStep)],
  [
    'prog: other CPU s (apiserver/etcd/prom/bench)',
    (r) => {
      const w = r.progressing?.worldCpuSeconds;
      if (w === undefined) return '-';
      return [w['kube-apiserver'], w['etcd'], w['prometheus'], w['bench+emulator']]
        .map((x) => v(x))
        .join('/');
    },
  ],
  [
    'prog: reconciles / mean ms / max queue',
    (r) =>
      r.progressing
        ? `${v(r.progressing.reconciles)} / ${v(r.progressing.meanReconcileMs)} / ${v(r.progressing.maxQueueDepth)}`
        : '-',
  ],
  [
    'prog: CPU s / peak RSS (MiB)',
    (r) => (r.progressing ? `${r.progressing.cpuSeconds} / ${r.progressing.peakRssMiB}` : '-'),
  ],
  [
    'end: live heap after a forced GC (MiB)',
    (r) => r.liveHeapMiBByReplica?.join(' / ') ?? v(r.liveHeapMiB),
  ],
  [
    'reaction: detection p50 / p99 (ms)',
    (r) =>
      r.reaction ? `${v(r.reaction.detection.p50Ms)} / ${v(r.reaction.detection.p99Ms)}` : '-',
  ],
  [
    'reaction: rollback p50 / p99 (ms)',
    (r) => (r.reaction ? `${v(r.reaction.rollback.p50Ms)} / ${v(r.reaction.rollback.p99Ms)}` : '-'),
  ],
  [
    'reaction: bad revision -> 100 % primary p50 / max (s), fail-fast',
    (r) => {
      const d = r.reaction?.badToPrimary.failFast;
      return d ? `${sec(d.p50Ms)} / ${sec(d.maxMs)}` : '-';
    },
  ],
  [
    'reaction: bad revision -> 100 % primary p50 / max (s), failFast: false',
    (r) => {
      const d = r.reaction?.badToPrimary.intervalOnly;
      return d ? `${sec(d.p50Ms)} / ${sec(d.maxMs)}` : '-';
    },
  ],
  [
    'healthy releases rolled back (should be 0)',
    (r) => (r.progressing ? String(r.progressing.failed) : '-'),
  ],
];

function sec(ms: number | null): string {
  return ms === null ? '-' : (ms / 1000).toFixed(1);
}

export function table(runs: readonly RunResult[]): string {
  const header = ['', ...runs.map((r) => `N=${r.n}`)];
  const body = ROWS.map(([label, cell]) => [label, ...runs.map(cell)]);
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export async function writeResults(dir: string, results: BenchResults): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${results.startedAt.replace(/[:.]/g, '-')}.json`);
  // Formatted as the repository's Prettier would, so `prettier --check .` passes with results.
  const options = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(JSON.stringify(results), { ...options, parser: 'json' }));
  return file;
}
