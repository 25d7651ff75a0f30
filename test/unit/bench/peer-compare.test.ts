// The bench's side-by-side table: the same figure of both controllers per N and their ratio, the
// docs section it rewrites, and --peer raising the interval to Flagger's floor for both sides.
import { describe, expect, it } from '@jest/globals';
import { parseOptions } from '../../../bench/options.js';
import {
  compare,
  comparisonTable,
  withSection,
  DOCS_BEGIN,
  DOCS_END,
} from '../../../bench/peer/compare.js';
import type { RunResult } from '../../../bench/report.js';

const run = (n: number, initializedSeconds: number, peakRssMiB?: number): RunResult => ({
  n,
  namespaces: 1,
  replicas: 1,
  setup: { createSeconds: 1, initializedSeconds },
  loadAverageAfter: [],
  ...(peakRssMiB === undefined
    ? {}
    : {
        idle: {
          seconds: 60,
          settledSeconds: 1,
          cpuSeconds: 0.5,
          cpuCores: 0.01,
          peakRssMiB,
          endRssMiB: peakRssMiB,
          lifetimePeakRssMiB: peakRssMiB,
          heapUsedMiB: null,
          requests: 0,
          requestsPerSecond: 0,
          writes: 0,
          byCall: {},
          logLines: 0,
          worldCpuSeconds: {},
        },
      }),
});

describe('compare', () => {
  it('pairs runs by N and divides weightlifter by the peer', () => {
    const rows = compare([run(100, 10, 120), run(500, 30)], [run(100, 40, 80)]);
    // N = 500 has no peer run: no rows for it.
    expect(new Set(rows.map((r) => r.n))).toEqual(new Set([100]));
    const get = (metric: string) => rows.find((r) => r.metric === metric);
    expect(get('setup: all Initialized (s)')).toEqual({
      metric: 'setup: all Initialized (s)',
      n: 100,
      weightlifter: 10,
      peer: 40,
      ratio: 0.25,
    });
    expect(get('idle: peak RSS (MiB)')?.ratio).toBe(1.5);
    // A figure missing on one side, or zero on the peer's, has no ratio.
    expect(get('prog: wall / ideal')).toMatchObject({
      weightlifter: null,
      peer: null,
      ratio: null,
    });
    expect(get('idle: API requests/s')).toMatchObject({ weightlifter: 0, peer: 0, ratio: null });
    const table = comparisonTable(rows, 'Flagger');
    expect(table.split('\n')[0]).toBe(
      '| figure | N | weightlifter | Flagger | weightlifter/Flagger |',
    );
    expect(table).toContain('| idle: peak RSS (MiB) | 100 | 120 | 80 | 1.5× |');
  });

  it('rewrites only the marked section of the docs, and appends one when it is missing', () => {
    const section = {
      table: '| t |',
      machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 8, node: 'v22', loadAverage: [] },
      command: 'npm run bench -- --peer flagger',
      finishedAt: '2026-12-04T09:00:00.000Z',
      peerVersion: 'v1.44.0',
      resultsFile: 'bench/results/x.json',
    };
    const doc = `# B\n\nbefore\n\n${DOCS_BEGIN}\nold table\n${DOCS_END}\n\nafter\n`;
    const out = withSection(doc, section);
    expect(out).not.toContain('old table');
    expect(out).toContain('| t |');
    expect(out).toContain('on 2 × cpu, 8 GiB RAM');
    expect(out.startsWith('# B\n\nbefore\n\n')).toBe(true);
    expect(out.endsWith(`${DOCS_END}\n\nafter\n`)).toBe(true);
    expect(withSection(out, { ...section, table: '| u |' })).toContain('| u |');
    const appended = withSection('# B\n', section);
    expect(appended.indexOf(DOCS_BEGIN)).toBeGreaterThan(0);
  });
});

describe('--peer', () => {
  it('runs both sides at 10 s at least (Flagger raises shorter intervals) and writes the docs', () => {
    const o = parseOptions(['--peer', 'flagger'], {});
    expect(o).toMatchObject({
      peer: 'flagger',
      intervalSeconds: 10,
      docsFile: 'docs/benchmarks.md',
    });
    expect(
      parseOptions(['--peer', 'flagger', '--interval-seconds', '2'], {})?.intervalSeconds,
    ).toBe(10);
    expect(
      parseOptions(['--peer', 'flagger', '--interval-seconds', '30'], {})?.intervalSeconds,
    ).toBe(30);
    expect(parseOptions(['--peer', 'flagger', '--docs', 'none'], {})?.docsFile).toBeUndefined();
    // Without a peer: weightlifter's own default, and no docs written.
    expect(parseOptions([], {})).toMatchObject({
      peer: undefined,
      intervalSeconds: 5,
      docsFile: undefined,
    });
    expect(() => parseOptions(['--peer', 'argo'], {})).toThrow('--peer: "argo" is not flagger');
  });
});
