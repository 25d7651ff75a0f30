import { spawn } from 'node:child_process';
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
  /** Stops the watchdog (its whole process group, including a pending `sleep`). */
  kill(): void;
}

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
  const pid = child.pid;
  if (pid === undefined)
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.SPAWN_FAILED,
      'the watchdog did not start: is bash installed?',
    );
  return {
    pid,
    kill: () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch (err) {
        // ESRCH: it already exited (its parent check never fails while we live, but be tolerant).
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    },
  };
}
