// CPU used by everything else on the machine's cores during a window: the control plane, the
// real Prometheus, and this process (bench + mesh emulator). On a 2-core machine they compete
// with the controller; their share explains figures the controller alone does not.
import { readFileSync, readdirSync } from 'node:fs';
import { readProc, round } from './proc-stats.js';

export interface WorldPids {
  readonly [component: string]: number;
}

/** Pids of kube-apiserver and etcd of the control plane in `dir` (found by their command lines). */
export function controlPlanePids(dir: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // ended meanwhile
      throw err;
    }
    if (!cmd.includes(dir)) continue;
    for (const name of ['kube-apiserver', 'etcd', 'kube-controller-manager', 'kwok']) {
      if (cmd.split(' ')[0]?.endsWith(`/${name}`) === true) found[name] = Number(entry);
    }
  }
  return found;
}

/** CPU seconds per component between start() and stop(). */
export class WorldCpu {
  #before: Record<string, number> = {};

  constructor(private readonly pids: WorldPids) {}

  async #sample(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      out[name] = (await readProc(pid)).cpuSeconds;
    }
    return out;
  }

  async start(): Promise<void> {
    this.#before = await this.#sample();
  }

  async stop(): Promise<Record<string, number>> {
    const after = await this.#sample();
    return Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, round(v - (this.#before[k] ?? v), 1)]),
    );
  }
}
