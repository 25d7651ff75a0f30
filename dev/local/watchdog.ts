import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';

/**
 * A detached bash loop that outlives a SIGKILLed parent: when its parent process is gone it
 * terminates every process group listed in `pidFile`, then removes `dir`. Checking the watchdog's
 * own parent pid (reparenting happens at the parent's exit, even while it is an unreaped zombie) is
 * more reliable than `kill -0 <parent>`.
 */
const SCRIPT = `
parent="$1"; dir="$2"; pids="$3"
ppid_now() { local s; read -r s < /proc/$$/stat 2>/dev/null || { echo 0; return; }; s="\${s##*) }"; set -- $s; echo "$2"; }
while [ "$(ppid_now)" = "$parent" ] && kill -0 "$parent" 2>/dev/null; do sleep 1; done
if [ -f "$pids" ]; then
  while read -r p; do [ -n "$p" ] && kill -TERM -- "-$p" 2>/dev/null; done < "$pids"
  sleep 2
  while read -r p; do [ -n "$p" ] && kill -KILL -- "-$p" 2>/dev/null; done < "$pids"
fi
rm -rf -- "$dir"
`;

export interface Watchdog {
  readonly pid: number;
  /**
   * Stops the watchdog (its whole process group, including a pending `sleep`) and resolves once
   * none of the group runs any more (exited, or a zombie waiting to be reaped), waiting at most
   * GONE_WAIT_MS after the watchdog itself exited. A SIGKILLed process takes a moment to exit:
   * without the wait, a caller that reports "stopped" could still have it running.
   */
  kill(): Promise<void>;
  /** Sends the same SIGKILL without waiting: for process 'exit', where nothing can wait. */
  killNow(): void;
}

/** How often kill() looks at the group, and how long at most it waits for it. */
const GONE_POLL_MS = 10;
const GONE_WAIT_MS = 5_000;

export function startWatchdog(dir: string, pidFile: string): Watchdog {
  const child = spawn(
    'bash',
    ['-c', SCRIPT, 'weightlifter-watchdog', String(process.pid), dir, pidFile],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.unref();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined)
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.SPAWN_FAILED,
      'the watchdog did not start: is bash installed?',
    );
  const killNow = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (err) {
      // ESRCH: it already exited (its parent check never fails while we live, but be tolerant).
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  return {
    pid,
    killNow,
    kill: async () => {
      // The handle is unref'd; a caller awaiting this must stay alive until the exit is seen.
      child.ref();
      killNow();
      await exited;
      // Its `sleep` was signalled with it, and is reparented now: wait until it is no longer running.
      for (let waited = 0; waited < GONE_WAIT_MS && groupRunning(pid); waited += GONE_POLL_MS)
        await sleep(GONE_POLL_MS);
    },
  };
}

/** Whether any process of group `pgid` still runs (zombies do not: they only await reaping). */
function groupRunning(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch (err) {
      // Gone between the listing and the read (ENOENT), or exiting during the read (ESRCH).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') continue;
      throw err;
    }
    // After the parenthesised command: state(3) ppid(4) pgrp(5).
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}
