// The control plane's watchdog (a detached bash loop) as stop() ends it: once kill() resolves,
// nothing of its process group runs. A SIGKILLed process takes a moment to exit, and a caller that
// reported "stopped" before it had (the demo) left it to be found running (a fresh CI failure).
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWatchdog } from '../../dev/local/watchdog.js';
import { readProc } from './helpers/processes.js';

/** The state of every process in group `pgid`, zombies included. */
function groupStates(pgid: number): string[] {
  const states: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(() => readFileSync(`/proc/${entry}/stat`, 'utf8'));
    if (stat === undefined) continue;
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== undefined) states.push(state);
  }
  return states;
}

describe('watchdog', () => {
  const base = mkdtempSync(join(tmpdir(), 'weightlifter-watchdog-'));
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('kill() resolves only once no process of its group runs (20 times in a row)', async () => {
    const left: { pid: number; states: string[] }[] = [];
    for (let i = 0; i < 20; i++) {
      const dir = join(base, String(i));
      const pidFile = join(base, `${String(i)}.pids`);
      writeFileSync(pidFile, '');
      const dog = startWatchdog(dir, pidFile);
      // Running: its loop (and, most of the time, a `sleep` under it).
      expect(groupStates(dog.pid).filter((s) => s !== 'Z').length).toBeGreaterThanOrEqual(1);
      await dog.kill();
      const running = groupStates(dog.pid).filter((s) => s !== 'Z' && s !== 'X');
      if (running.length > 0) left.push({ pid: dog.pid, states: running });
    }
    expect(left).toEqual([]);
  });
});
