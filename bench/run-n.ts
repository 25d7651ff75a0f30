// One bench run for one N: its own world (control plane with an audit log, Prometheus, mesh
// emulator), the controller as a child process under its own identity, the fleet, the scenarios.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { IDENTITIES } from '../dev/local/identities.js';
import { ControllerChild } from './controller-child.js';
import { auditPolicyFor } from './audit-log.js';
import type { BenchContext } from './context.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import {
  createFleet,
  fleetMembers,
  shardName,
  shardSelector,
  type CanaryManifests,
} from './fleet.js';
import { liveHeapBytes, openInspector, writeHeapSnapshot } from './live-heap.js';
import { loadAverage } from './machine.js';
import type { BenchOptions } from './options.js';
import type { RunResult } from './report.js';
import { runIdle } from './scenarios/idle.js';
import { runProgressing } from './scenarios/progressing.js';
import { runReaction } from './scenarios/reaction.js';
import { livePids, round } from './proc-stats.js';
import { sleep } from './stats.js';
import { FleetTracker } from './tracker.js';
import { startBenchWorld } from './world.js';
import type { WorldOptions } from '../dev/local/world.js';
import { controlPlanePids } from './world-cpu.js';

const CONTROLLER_USER = IDENTITIES.controller.user;

export interface RunHandle {
  /** Set while a world runs, for Ctrl-C. */
  current: { stop(): Promise<void> } | undefined;
}

/** The world options every run uses, weightlifter's and a peer's alike. */
export function benchWorldOptions(
  opts: BenchOptions,
  auditLog: string,
  user: string,
): WorldOptions {
  return {
    defaultRps: opts.rps,
    scrapeIntervalSeconds: opts.scrapeSeconds,
    logger: pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }),
    controlPlaneOptions: {
      controllerManager: opts.pods === 'kwok',
      auditLog: { path: auditLog, policy: auditPolicyFor(user) },
    },
    emulator: { labels: 'lean', maxPodsPerDeployment: 1, kubeletConcurrency: 64 },
  };
}

function controllerArgs(opts: BenchOptions): string[] {
  return [
    '--log-level',
    'info',
    // No SMI metrics API is registered in the bench world: compute from Prometheus.
    '--traffic-metrics',
    'computed',
    ...(opts.controllerConcurrency === undefined
      ? []
      : ['--concurrency', String(opts.controllerConcurrency)]),
  ];
}

export async function waitInitialized(ctx: BenchContext, timeoutMs: number): Promise<void> {
  const keys = ctx.members.map((m) => m.key);
  const start = Date.now();
  let lastReport = start;
  for (;;) {
    const ready = ctx.tracker.count(keys, (s) => s.phase === 'Initialized');
    if (ready === keys.length) return;
    if (Date.now() - start > timeoutMs) {
      throw new BenchError(
        BENCH_ERROR_CODES.TIMEOUT,
        `only ${ready}/${keys.length} canaries Initialized after ${timeoutMs} ms`,
      );
    }
    if (Date.now() - lastReport > 10_000) {
      ctx.log(`setup: ${ready}/${keys.length} Initialized`);
      lastReport = Date.now();
    }
    await sleep(250);
  }
}

/**
 * Creates the fleet (`canaries`: whose Canary objects), waits until every Canary is Initialized,
 * then runs the idle and progressing scenarios that were asked for; the same for every controller
 * the bench measures.
 */
export async function setUpAndMeasure(
  ctx: BenchContext,
  canaries?: CanaryManifests,
): Promise<RunResult> {
  const { members, opts } = ctx;
  const n = members.length;
  const t0 = Date.now();
  await createFleet(ctx.admin, members, opts, opts.createConcurrency, canaries);
  const createSeconds = round((Date.now() - t0) / 1000, 1);
  await waitInitialized(ctx, 120_000 + n * 300);
  const initializedSeconds = round((Date.now() - t0) / 1000, 1);
  ctx.log(`all ${n} Initialized after ${initializedSeconds} s`);
  const result: RunResult = {
    n,
    namespaces: new Set(members.map((m) => m.namespace)).size,
    replicas: ctx.controllers.length,
    setup: { createSeconds, initializedSeconds },
    loadAverageAfter: [],
  };
  if (opts.scenarios.includes('idle')) result.idle = await runIdle(ctx);
  if (opts.scenarios.includes('progressing')) result.progressing = await runProgressing(ctx);
  return result;
}

export async function runForN(
  opts: BenchOptions,
  n: number,
  workDir: string,
  handle: RunHandle,
  log: (m: string) => void,
  entry: string | undefined,
): Promise<RunResult> {
  const nlog = (m: string): void => {
    log(`[N=${n}] ${m}`);
  };
  const auditLog = join(workDir, `audit-${n}.log`);
  await mkdir(workDir, { recursive: true });
  nlog('starting the world and the controller');
  const bw = await startBenchWorld({
    ...benchWorldOptions(opts, auditLog, CONTROLLER_USER),
    meshApis: [opts.router],
  });
  const cp = bw.world.controlPlane;
  // One replica per shard, each selecting its shard's label; unsharded: one, selecting nothing.
  const controllers = Array.from({ length: opts.shards }, (_, k) => {
    const sharded = opts.shards > 1;
    return new ControllerChild({
      runtime: opts.controller,
      ...(entry === undefined ? {} : { entry }),
      kubeconfig: cp.controllerKubeconfig,
      prometheusUrl: bw.world.prometheusUrl,
      // Without kwok there are no pods, so no EndpointSlices: the gate could never open.
      endpointGate: cp.podsRunByKwok,
      logFile: join(
        workDir,
        sharded ? `controller-${n}-${shardName(k)}.log` : `controller-${n}.log`,
      ),
      extraArgs: [
        ...controllerArgs(opts),
        ...(sharded ? ['--watch-label-selector', shardSelector(k)] : []),
      ],
      nodeOptions: opts.controllerNodeOptions,
    });
  });
  const stopControllers = async (): Promise<void> => {
    await Promise.all(controllers.map((c) => c.stop()));
  };
  handle.current = {
    stop: async () => {
      await stopControllers();
      await bw.stop();
    },
  };
  const tracker = new FleetTracker(bw.admin, opts.router);
  try {
    await Promise.all(controllers.map((c) => c.start()));
    await tracker.start();
    const members = fleetMembers(n, opts.perNamespace, opts.shards);
    const ctx: BenchContext = {
      opts,
      admin: bw.admin,
      controllers,
      controllerUser: CONTROLLER_USER,
      quietOn: 'requests',
      auditLog,
      prometheusUrl: bw.world.prometheusUrl,
      members,
      tracker,
      worldPids: {
        ...controlPlanePids(cp.dir),
        prometheus: bw.world.prometheus.pid,
        'bench+emulator': process.pid,
      },
      log: nlog,
    };
    nlog(`creating ${n} Deployments and Canaries`);
    const result = await setUpAndMeasure(ctx);
    if (opts.scenarios.includes('reaction')) result.reaction = await runReaction(ctx);
    // Last, so that the inspector it opens is never part of what was measured.
    const heaps: number[] = [];
    for (const [k, pid] of livePids(controllers).entries()) {
      const inspector = await openInspector(pid, () => controllers[k]?.inspectorUrl);
      heaps.push(round((await liveHeapBytes(inspector)) / (1024 * 1024), 1));
      if (opts.heapSnapshotDir !== undefined) {
        const file = join(opts.heapSnapshotDir, `controller-n${n}-${k}.heapsnapshot`);
        await mkdir(opts.heapSnapshotDir, { recursive: true });
        await writeHeapSnapshot(inspector, file);
        nlog(`heap snapshot: ${file}`);
      }
    }
    result.liveHeapMiB = Math.max(...heaps);
    if (heaps.length > 1) result.liveHeapMiBByReplica = heaps;
    nlog(`live heap after a forced GC: ${heaps.join(', ')} MiB`);
    return { ...result, loadAverageAfter: loadAverage() };
  } finally {
    await tracker.stop();
    await stopControllers();
    await bw.stop();
    handle.current = undefined;
  }
}
