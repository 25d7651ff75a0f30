// Idle: the whole fleet Initialized and nothing changing. What does the controller cost then?
import { countRequests } from '../audit-log.js';
import type { BenchContext } from '../context.js';
import { WorldCpu } from '../world-cpu.js';
import { UsageWindow, readProc, round, type WindowUsage } from '../proc-stats.js';
import { sleep } from '../stats.js';
import { waitQuiet } from '../quiet.js';
import { controllerHeapBytes } from '../prometheus-counters.js';

const MIB = 1024 * 1024;

export interface IdleResult extends WindowUsage {
  readonly seconds: number;
  /** From the scenario's start until the controller had sent nothing for settleSeconds. */
  readonly settledSeconds: number;
  /** VmHWM: the process's peak RSS since it started (includes building the fleet). */
  readonly lifetimePeakRssMiB: number;
  /** V8 heap in use at the end of the window (weightlifter's own metric; null for a peer). */
  readonly heapUsedMiB: number | null;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly writes: number;
  readonly byCall: Readonly<Record<string, number>>;
  /** Controller log lines written during the window. */
  readonly logLines: number;
  /** CPU seconds of the other processes in the window. */
  readonly worldCpuSeconds: Readonly<Record<string, number>>;
}

export async function runIdle(ctx: BenchContext): Promise<IdleResult> {
  const { opts } = ctx;
  ctx.log(`idle: waiting for ${opts.settleSeconds} s without a request, then measuring`);
  const settledSeconds = await waitQuiet(ctx, 'idle');
  ctx.log(`idle: quiet after ${settledSeconds} s; measuring ${opts.idleSeconds} s`);
  const usage = new UsageWindow(ctx.controllerPid);
  await usage.start();
  const world = new WorldCpu(ctx.worldPids);
  await world.start();
  const logsBefore = ctx.controller.logLines;
  const from = Date.now();
  await sleep(opts.idleSeconds * 1000);
  const to = Date.now();
  const used = await usage.stop();
  const worldCpuSeconds = await world.stop();
  const logLines = ctx.controller.logLines - logsBefore;
  const { hwmBytes } = await readProc(ctx.controllerPid);
  const heap =
    ctx.controller.healthUrl === '' ? null : await controllerHeapBytes(ctx.controller.healthUrl);
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
