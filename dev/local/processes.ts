import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import { startWatchdog, type Watchdog } from './watchdog.js';

export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process exits, for whatever reason. */
  readonly exited: Promise<Exit>;
  /** Set once it has exited. */
  exit: Exit | undefined;
}

const GRACE_MS = 3_000;

/** The last lines of a component's log, for error messages. */
export function logTail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(no log at ${path}: ${(err as Error).message})`;
  }
}

/**
 * The children of one control plane. Each runs detached in its own process group (so a terminal's
 * Ctrl-C reaches us, not them, and we decide the order) and is listed in `<dir>/children.pids`
 * for the watchdog, which kills the groups if this process dies without calling stop().
 */
export class ProcessGroup {
  private readonly children: Child[] = [];
  /** The unref'd handles, ref'd again while stop() waits for them (see stop()). */
  private readonly handles = new Map<Child, ChildProcess>();
  private readonly pidFile: string;
  private watchdog: Watchdog | undefined;
  private stopped = false;

  constructor(
    readonly dir: string,
    readonly logDir: string,
    private readonly logger: Logger,
  ) {
    this.pidFile = join(dir, 'children.pids');
  }

  get running(): readonly Child[] {
    return this.children.filter((c) => c.exit === undefined);
  }

  start(spec: ChildSpec): Child {
    // A signal may stop the group while startControlPlane is still starting components.
    if (this.stopped) {
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.STOPPED,
        `not starting ${spec.name}: the control plane was stopped`,
      );
    }
    this.watchdog ??= startWatchdog(this.dir, this.pidFile);
    const logFile = join(this.logDir, `${spec.name}.log`);
    const fd = openSync(logFile, 'a');
    let proc;
    try {
      proc = spawn(spec.command, spec.args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: spec.env ?? process.env,
      });
    } finally {
      closeSync(fd);
    }
    let spawnError: Error | undefined;
    // Without a listener a spawn failure (ENOENT, EACCES) would be an uncaught 'error' event.
    proc.on('error', (err) => {
      spawnError = err;
      this.logger.error({ component: spec.name, err }, 'process error');
    });
    const pid = proc.pid;
    if (pid === undefined) {
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.SPAWN_FAILED,
        `could not start ${spec.name} (${spec.command})`,
        {
          cause: spawnError,
          details: { command: spec.command },
        },
      );
    }
    // Not unref'd children would keep a forgetful caller alive forever; the exit hook and the
    // watchdog clean up instead.
    proc.unref();
    appendFileSync(this.pidFile, `${pid}\n`);
    const exited = new Promise<Exit>((resolve) => {
      proc.on('exit', (code, signal) => {
        child.exit = { code, signal };
        resolve(child.exit);
      });
    });
    const child: Child = { name: spec.name, pid, logFile, exited, exit: undefined };
    this.children.push(child);
    this.handles.set(child, proc);
    this.logger.debug({ component: spec.name, pid, logFile }, 'started');
    return child;
  }

  /**
   * Stops the children in reverse start order (clients before kube-apiserver, kube-apiserver
   * before etcd: a server whose clients are gone has nothing to drain), each with SIGTERM and, after
   * the grace period, SIGKILL. Resolves once every child has exited, and then the watchdog.
   *
   * The children are unref'd while they run, so that they never keep a caller alive. A caller
   * that awaits stop() must be kept alive, though: when the children were the last handles, an
   * unref'd child and an unref'd timer left nothing in the event loop, and Node ended the process
   * in the middle of stop() (exit code 13 under a top-level await, a silent exit otherwise, the
   * 'exit' hook killing what was left). So the child is ref'd again and the grace timer is ref'd
   * (and cleared) while we wait for it.
   */
  async stop(graceMs = GRACE_MS): Promise<void> {
    this.stopped = true;
    for (const c of [...this.children].reverse()) {
      if (c.exit !== undefined) continue;
      const t0 = Date.now();
      this.handles.get(c)?.ref();
      signalGroup(c.pid, 'SIGTERM');
      let graceTimer: NodeJS.Timeout | undefined;
      const timer = new Promise<'timeout'>((resolve) => {
        graceTimer = setTimeout(() => {
          resolve('timeout');
        }, graceMs);
      });
      const first = await Promise.race([c.exited, timer]);
      clearTimeout(graceTimer);
      if (first === 'timeout') {
        this.logger.debug({ component: c.name, pid: c.pid }, 'did not stop after SIGTERM; SIGKILL');
        signalGroup(c.pid, 'SIGKILL');
        await c.exited;
      }
      // Grandchildren (none of ours fork, but be sure) share the group: sweep it while the group id
      // cannot have been reused yet.
      signalGroup(c.pid, 'SIGKILL');
      this.logger.debug({ component: c.name, ms: Date.now() - t0 }, 'stopped');
    }
    await this.watchdog?.kill();
    this.watchdog = undefined;
  }

  /** Synchronous last resort for process 'exit': no waiting is possible there. */
  killNow(): void {
    this.stopped = true;
    for (const c of this.running) signalGroup(c.pid, 'SIGKILL');
    this.watchdog?.killNow();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the group is already gone, which is what we want.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
