// Idle: the whole fleet Initialized and nothing changing. What does the controller cost then?
import { countRequests } from '../audit-log.js';
import type { BenchContext } from '../context.js';
import { WorldCpu } from '../world-cpu.js';
import { UsageWindow, livePids, readProc, round, type WindowUsage } from '../proc-stats.js';
import { sleep } from '../stats.js';
import { waitQuiet } from '../quiet.js';
import { controllerHeapBytes } from '../prometheus-counters.js';

const MIB = 1024 * 1024;

export interface IdleResult extends WindowUsage {
  readonly seconds: number;
  /** From the scenario's start until the controller had sent nothing for settleSeconds. */
  readonly settledSeconds: number;
  /** VmHWM: the process's peak RSS since it started (includes building the fleet); the largest replica's. */
  readonly lifetimePeakRssMiB: number;
  /**
   * V8 heap in use at the end of the window (weightlifter's own metric; null for a peer); the
   * largest replica's.
   */
  readonly heapUsedMiB: number | null;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly writes: number;
  readonly byCall: Readonly<Record<string, number>>;
  /** Controller log lines written during the window (all replicas). */
  readonly logLines: number;
  /** CPU seconds of the other processes in the window. */
  readonly worldCpuSeconds: Readonly<Record<string, number>>;
}

export async function runIdle(ctx: BenchContext): Promise<IdleResult> {
  const { opts } = ctx;
  ctx.log(`idle: waiting for ${opts.settleSeconds} s without a request, then measuring`);
  const settledSeconds = await waitQuiet(ctx, 'idle');
  ctx.log(`idle: quiet after ${settledSeconds} s; measuring ${opts.idleSeconds} s`);
  const pids = livePids(ctx.controllers);
  const usage = new UsageWindow(pids);
  await usage.start();
  const world = new WorldCpu(ctx.worldPids);
  await world.start();
  const logLinesNow = (): number => ctx.controllers.reduce((a, c) => a + c.logLines, 0);
  const logsBefore = logLinesNow();
  const from = Date.now();
  await sleep(opts.idleSeconds * 1000);
  const to = Date.now();
  const used = await usage.stop();
  const worldCpuSeconds = await world.stop();
  const logLines = logLinesNow() - logsBefore;
  const hwmBytes = Math.max(...(await Promise.all(pids.map(readProc))).map((p) => p.hwmBytes));
  const healthUrls = ctx.controllers.map((c) => c.healthUrl).filter((u) => u !== '');
  const heap =
    healthUrls.length === 0
      ? null
      : Math.max(...(await Promise.all(healthUrls.map(controllerHeapBytes))));
  const audit = await countRequests(ctx.auditLog, ctx.controllerUser, from, to);
  const seconds = (to - from) / 1000;
  return {
    seconds: round(seconds, 1),
    settledSeconds,
    ...used,
    lifetimePeakRssMiB: round(hwmBytes / MIB, 1),
    heapUsedMiB: heap === null ? null : round(heap / MIB, 1),
    requests: audit.requests,
    requestsPerSecond: round(audit.requests / seconds, 3),
    writes: audit.writes,
    byCall: audit.byCall,
    logLines,
    worldCpuSeconds,
  };
}
