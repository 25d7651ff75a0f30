// CPU and memory of one process from /proc (Linux): the controller runs as its own child, so its
// figures are not mixed with the world's (API server, Prometheus, emulator).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';

export interface ProcSample {
  /** user + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  /** Peak resident set size since the process started (VmHWM). */
  readonly hwmBytes: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const n = Number(out);
    ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

function kib(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (m?.[1] === undefined) throw new Error(`/proc status has no ${field}`);
  return Number(m[1]) * 1024;
}

export async function readProc(pid: number): Promise<ProcSample> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  // The command name may contain spaces; fields after it are fixed (utime is the 14th overall).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return {
    cpuSeconds: (utime + stime) / clockTicks(),
    rssBytes: kib(status, 'VmRSS'),
    hwmBytes: kib(status, 'VmHWM'),
  };
}

export interface WindowUsage {
  readonly cpuSeconds: number;
  /** CPU seconds per wall second (1 = one core busy). */
  readonly cpuCores: number;
  /** The largest process's peak RSS in the window (a replica's, when there are several). */
  readonly peakRssMiB: number;
  readonly endRssMiB: number;
}

const MIB = 1024 * 1024;

/**
 * Samples the RSS of each process (a controller's replicas) every `everyMs` from start() to
 * stop(), and takes their CPU delta: CPU is summed over them, RSS is the largest process's.
 */
export class UsageWindow {
  #first: ProcSample[] = [];
  #startedAt = 0;
  #peak = 0;
  #timer: NodeJS.Timeout | undefined;
  #failure: unknown;

  constructor(
    private readonly pids: readonly number[],
    private readonly everyMs = 500,
    private readonly read: (pid: number) => Promise<ProcSample> = readProc,
  ) {}

  async start(): Promise<void> {
    this.#first = await this.#read();
    this.#startedAt = performance.now();
    this.#peak = Math.max(...this.#first.map((s) => s.rssBytes));
    this.#timer = setInterval(() => {
      this.#read().then(
        (all) => (this.#peak = Math.max(this.#peak, ...all.map((s) => s.rssBytes))),
        (err: unknown) => (this.#failure ??= err),
      );
    }, this.everyMs);
  }

  async stop(): Promise<WindowUsage> {
    clearInterval(this.#timer);
    if (this.#first.length === 0) throw new Error('UsageWindow.stop() before start()');
    if (this.#failure !== undefined) {
      throw new Error(`reading /proc/${this.pids.join(',')} failed (did the controller exit?)`, {
        cause: this.#failure,
      });
    }
    const last = await this.#read();
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const cpu = sum(last.map((s) => s.cpuSeconds)) - sum(this.#first.map((s) => s.cpuSeconds));
    const endRss = Math.max(...last.map((s) => s.rssBytes));
    return {
      cpuSeconds: round(cpu, 2),
      cpuCores: round(cpu / seconds, 3),
      peakRssMiB: round(Math.max(this.#peak, endRss) / MIB, 1),
      endRssMiB: round(endRss / MIB, 1),
    };
  }

  #read(): Promise<ProcSample[]> {
    return Promise.all(this.pids.map(this.read));
  }
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The pids of the measured processes; refuses when one has exited. */
export function livePids(processes: readonly { readonly pid: number | undefined }[]): number[] {
  return processes.map((p) => {
    if (p.pid === undefined)
      throw new BenchError(BENCH_ERROR_CODES.CONTROLLER_GONE, 'a measured controller has exited');
    return p.pid;
  });
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
