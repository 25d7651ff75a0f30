// `npm run bench` (usage: --help; what it measures: docs/benchmarks.md). Figures to read, not pass/fail.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareController } from './controller-child.js';
import { BenchError } from './errors.js';
import { loadAverage, machineInfo } from './machine.js';
import { USAGE, deployedNodeOptions, parseOptions } from './options.js';
import { table, writeResults, type RunResult } from './report.js';
import { runForN, type RunHandle } from './run-n.js';
import { compare, comparisonTable, writeDocsSection } from './peer/compare.js';
import { FLAGGER_VERSION, ensureFlagger } from './peer/flagger.js';
import { runFlaggerForN } from './peer/run-peer.js';

const log = (m: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${m}\n`);
};

async function main(): Promise<number> {
  const deployment = await readFile(new URL('../deploy/deployment.yaml', import.meta.url), 'utf8');
  const opts = parseOptions(process.argv.slice(2), process.env, deployedNodeOptions(deployment));
  if (opts === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const workDir = await mkdtemp(join(tmpdir(), 'weightlifter-bench-'));
  const handle: RunHandle = { current: undefined };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the controller and the world`);
    const stopped = handle.current?.stop() ?? Promise.resolve();
    const bounded = new Promise((r) => setTimeout(r, 20_000).unref());
    void Promise.race([stopped, bounded])
      .catch((err: unknown) => {
        log(`cleanup failed: ${String(err)}`);
      })
      .then(() => rm(workDir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(
    `bench: N=${opts.n.join(',')} scenarios=${opts.scenarios.join(',')} shards=${opts.shards} controller Node flags "${opts.controllerNodeOptions.join(' ')}" on ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadAverage.join(' ')}`,
  );
  const runs: RunResult[] = [];
  const peerRuns: RunResult[] = [];
  try {
    // The peer is built first: a build failure should not cost a weightlifter run.
    const flagger = opts.peer === 'flagger' ? await ensureFlagger(log) : undefined;
    const entry = await prepareController(opts.controller, log);
    for (const n of opts.n) runs.push(await runForN(opts, n, workDir, handle, log, entry));
    if (flagger !== undefined) {
      for (const n of opts.n) {
        peerRuns.push(await runFlaggerForN(opts, n, workDir, handle, log, flagger));
      }
    }
  } finally {
    if (!opts.keepLogs) await rm(workDir, { recursive: true, force: true });
    else log(`logs kept in ${workDir}`);
  }
  const comparison = opts.peer === undefined ? undefined : compare(runs, peerRuns);
  const finishedAt = new Date().toISOString();
  const file = await writeResults(opts.outDir, {
    startedAt,
    finishedAt,
    machine,
    loadAverageAtEnd: loadAverage(),
    options: opts,
    runs,
    ...(opts.peer === undefined
      ? {}
      : { peer: { name: opts.peer, version: FLAGGER_VERSION, runs: peerRuns, comparison } }),
  });
  process.stdout.write(`${table(runs)}\n`);
  if (comparison !== undefined) {
    const side = comparisonTable(comparison, 'Flagger');
    process.stdout.write(`\nweightlifter vs Flagger ${FLAGGER_VERSION}:\n${side}\n`);
    if (opts.docsFile !== undefined) {
      await writeDocsSection(opts.docsFile, {
        table: side,
        machine,
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
        finishedAt,
        peerVersion: FLAGGER_VERSION,
        resultsFile: file,
      });
      process.stdout.write(`table written to ${opts.docsFile}\n`);
    }
  }
  process.stdout.write(`\nresults: ${file}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof BenchError) log(`${err.code}: ${err.message}`);
    else log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
