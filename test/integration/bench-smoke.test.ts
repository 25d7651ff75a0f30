// Keeps `npm run bench` working: a tiny run (3 canaries, short windows) in its own world must
// complete and report every figure. The figures themselves are not judged here — they depend on
// the machine — only that they exist, are numbers, and that the progressing run did real work.
// The controller runs from the sources (--controller tsx) to skip the bench's compile step.
// A step lasts max(interval, metric window): the windows are 3 s (three 1 s scrapes), not the
// bench's 10 s, so that two steps take seconds. Every wait names what it waited for: a controller
// that never goes quiet fails after --quiet-timeout-seconds, a wrong outcome at once. The three
// runs are separate processes with separate worlds, one after another: npm test runs two files
// at a time, and three more worlds beside another file's would starve it of CPU. The first runs
// two sharded replicas (--shards 2); the peer's runs weightlifter unsharded.
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaptured } from '../../bench/controller-child.js';
import type { BenchResults } from '../../bench/report.js';

// `--import tsx` in the Node that runs the tests (22), exactly what `npm run bench` runs.
const runBench = (args: string[]) =>
  runCaptured(process.execPath, ['--import', 'tsx', 'bench/main.ts', ...args]);

const nonNegative = (x: unknown): void => {
  expect(typeof x).toBe('number');
  expect(x as number).toBeGreaterThanOrEqual(0);
};

describe('npm run bench (smoke)', () => {
  it('runs idle, progressing and reaction for 3 canaries over 2 shards and reports every figure', async () => {
    const out = await mkdtemp(join(tmpdir(), 'weightlifter-bench-smoke-'));
    try {
      const args = ['--n', '3', '--idle-seconds', '5', '--settle-seconds', '2'];
      args.push('--interval-seconds', '2', '--window-seconds', '3', '--scrape-seconds', '1');
      args.push('--steps', '2', '--reaction-samples', '2', '--quiet-timeout-seconds', '60');
      args.push('--controller', 'tsx', '--shards', '2', '--out', out);
      const run = await runBench(args);
      if (run.code !== 0) throw new Error(`bench exited ${String(run.code)}:\n${run.stderr}`);
      expect(run.stdout).toContain('N=3');
      expect(run.stderr).toContain('shards=2');
      const files = await readdir(out);
      expect(files).toHaveLength(1);
      const results = JSON.parse(await readFile(join(out, files[0] ?? ''), 'utf8')) as BenchResults;
      expect(results.machine.cpus).toBeGreaterThan(0);
      expect(results.runs).toHaveLength(1);
      const [r] = results.runs;
      if (r === undefined) throw new Error('no run');
      expect(r.n).toBe(3);
      expect(r.replicas).toBe(2);
      const { idle, progressing, reaction } = r;
      if (idle === undefined || progressing === undefined || reaction === undefined) {
        throw new Error(`a scenario is missing: ${JSON.stringify(r)}`);
      }
      for (const x of [idle.cpuSeconds, idle.requestsPerSecond, idle.writes, idle.logLines]) {
        nonNegative(x);
      }
      expect(idle.peakRssMiB).toBeGreaterThan(0);
      expect(idle.seconds).toBeGreaterThan(0);
      expect(progressing.timedOut).toBe(false);
      expect(progressing.idealSeconds).toBe(6);
      expect(progressing.succeeded).toBe(3);
      expect(progressing.wallSeconds).toBeGreaterThan(0);
      nonNegative(progressing.cpuSeconds);
      // The run patched splits and status and asked Prometheus: counted at the servers.
      expect(progressing.apiWrites).toBeGreaterThan(0);
      expect(progressing.writesByCall['patch trafficsplits']).toBeGreaterThan(0);
      expect(progressing.writesByCall['patch canaries/status']).toBeGreaterThan(0);
      expect(progressing.promqlQueries).toBeGreaterThan(0);
      // By kind: every write counted once, in one kind (rounding aside).
      const byKind = progressing.writesPerCanaryStepByKind;
      expect(byKind.status).toBeGreaterThan(0);
      expect(byKind.split).toBeGreaterThan(0);
      const kinds = Object.values(byKind).reduce((a, b) => a + b, 0);
      expect(Math.abs(kinds - progressing.writesPerCanaryStep)).toBeLessThan(0.05);
      // The live heap after a forced GC, read at the end through each replica's inspector.
      expect(r.liveHeapMiBByReplica).toHaveLength(2);
      for (const heap of r.liveHeapMiBByReplica ?? []) expect(heap).toBeGreaterThan(0);
      expect(r.liveHeapMiB).toBe(Math.max(...(r.liveHeapMiBByReplica ?? [])));
      expect(reaction.samples).toBe(2);
      for (const d of [reaction.detection, reaction.rollback]) {
        expect(d.samples).toBe(2);
        nonNegative(d.p50Ms);
        nonNegative(d.p99Ms);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 240_000);

  it('--peer flagger: runs Flagger on 5 canaries in its own world and prints the side by side', async () => {
    // Flagger itself is built by hack/setup.sh (pretest), never inside the test: here the
    // bench finds it in the cache. Its interval is raised to 10 s (Flagger's floor), so one
    // step (weight 50) and its promotion take about 40 s a side.
    const out = await mkdtemp(join(tmpdir(), 'weightlifter-bench-smoke-'));
    try {
      const args = ['--n', '5', '--scenarios', 'progressing', '--peer', 'flagger'];
      args.push('--window-seconds', '3', '--scrape-seconds', '1', '--steps', '1');
      args.push('--quiet-timeout-seconds', '60', '--controller', 'tsx', '--docs', 'none');
      args.push('--out', out);
      const run = await runBench(args);
      if (run.code !== 0) throw new Error(`bench exited ${String(run.code)}:\n${run.stderr}`);
      expect(run.stdout).toContain('weightlifter vs Flagger v1.44.0:');
      expect(run.stdout).toContain(
        '| figure | N | weightlifter | Flagger | weightlifter/Flagger |',
      );
      expect(run.stderr).not.toContain('building Flagger');
      const files = await readdir(out);
      const results = JSON.parse(await readFile(join(out, files[0] ?? ''), 'utf8')) as BenchResults;
      expect(results.options.intervalSeconds).toBe(10);
      const peer = results.peer;
      if (peer === undefined) throw new Error('no peer in the results');
      expect(peer).toMatchObject({ name: 'flagger', version: 'v1.44.0' });
      const [theirs] = peer.runs;
      const [ours] = results.runs;
      const p = theirs?.progressing;
      if (p === undefined || ours?.progressing === undefined) throw new Error('no progressing');
      // Both promoted every canary, and Flagger did it through the TrafficSplit and with its
      // Linkerd queries against the world's Prometheus, counted by the same functions.
      expect(ours.progressing.succeeded).toBe(5);
      expect(p.timedOut).toBe(false);
      expect(p.succeeded).toBe(5);
      expect(p.writesByCall['update trafficsplits']).toBeGreaterThan(0);
      expect(p.promqlQueries).toBeGreaterThan(0);
      expect(p.peakRssMiB).toBeGreaterThan(0);
      const wall = peer.comparison?.find((r) => r.metric === 'prog: wall / ideal');
      expect(wall?.ratio).toBeGreaterThan(0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);

  it('fails at once, naming the outcome, when a reaction run is promoted instead of rolled back', async () => {
    const out = await mkdtemp(join(tmpdir(), 'weightlifter-bench-smoke-'));
    try {
      // Error rate 0: the "bad" revision is healthy, so the run is promoted. The bench must say
      // so as soon as it sees it, not wait for its deadline (which is 60 s plus three steps).
      const args = ['--n', '1', '--scenarios', 'reaction', '--settle-seconds', '2'];
      args.push('--interval-seconds', '2', '--window-seconds', '3', '--scrape-seconds', '1');
      args.push('--steps', '2', '--reaction-samples', '1', '--reaction-error-rate', '0');
      args.push('--quiet-timeout-seconds', '60', '--controller', 'tsx', '--out', out);
      const run = await runBench(args);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(
        /waiting for wlb-000\/app-0000 Failed: the bad revision was promoted \(phase (Promoting|Finalising|Succeeded), error rate 0\)/,
      );
      expect(run.stderr).not.toContain('timed out');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 240_000);
});
