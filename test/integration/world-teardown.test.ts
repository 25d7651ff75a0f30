import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { startWorld } from '../../dev/local/world.js';
import { readProc } from './helpers/processes.js';

/** Live (non-zombie) processes whose command line mentions `needle`. */
function processesMentioning(needle: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmd = readProc(() =>
      readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '),
    );
    // Field 3 of stat, after the parenthesised command name.
    const state = readProc(
      () => readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0] ?? '?',
    );
    // The process ended between readdir and read: it is not there, which is what we count.
    if (cmd === undefined || state === undefined) continue;
    if (state !== 'Z' && cmd.includes(needle)) found.push({ pid: Number(entry), cmd });
  }
  return found;
}

describe('stopping the world', () => {
  it('leaves no process, no temp directory and no listener behind', async () => {
    const world = await startWorld();
    const dirs = [world.prometheus.dir, world.controlPlane.dir];
    // The check has teeth: while running, Prometheus and the control plane are found by their dirs.
    const running = dirs.flatMap(processesMentioning);
    expect(running.some((p) => p.cmd.includes('prometheus'))).toBe(true);
    expect(running.some((p) => p.cmd.includes('kube-apiserver'))).toBe(true);
    expect(running.some((p) => p.cmd.includes('etcd'))).toBe(true);
    for (const d of dirs) expect(existsSync(d)).toBe(true);
    expect((await fetch(world.emulator.metricsUrl)).status).toBe(200);
    expect((await fetch(`${world.prometheusUrl}/-/ready`)).status).toBe(200);

    await world.stop();

    expect(dirs.flatMap(processesMentioning)).toEqual([]);
    for (const d of dirs) expect(existsSync(d)).toBe(false);
    await expect(fetch(world.emulator.metricsUrl)).rejects.toThrow();
    await expect(fetch(`${world.prometheusUrl}/-/ready`)).rejects.toThrow();
    // stop() is idempotent.
    await world.stop();
  }, 120_000);
});
