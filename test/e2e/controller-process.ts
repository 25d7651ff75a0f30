// The controller under test as a real child process (`weightlifter run`), running as its own
// identity. Its JSON log lines are kept in memory (and in a file, for post-mortems) so tests can
// wait for and assert on them; it can be SIGKILLed and restarted like a crashing pod.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Loopback: where everything of the local world listens (dev/local). */
export const LOCAL_WORLD_UNBLOCK = '127.0.0.0/8';

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly canary?: string;
  readonly [key: string]: unknown;
}

export interface ControllerProcessOptions {
  /** The subcommand: the canary controller, or the SMI adapter (no Prometheus, no gate). @default 'run' */
  readonly command?: 'run' | 'smi-adapter';
  readonly kubeconfig: string;
  readonly prometheusUrl: string;
  readonly endpointGate: boolean;
  /** Appended (file) log of every line, across restarts. */
  readonly logFile: string;
  readonly extraArgs?: readonly string[];
}

export class ControllerProcess {
  readonly logs: LogLine[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> | undefined;
  readonly #opts: ControllerProcessOptions;
  readonly #file: WriteStream;
  healthUrl: string | undefined;
  /** The current process's name in the Lease and in Events (`identity` of its start line). */
  identity: string | undefined;
  /** Index in `logs` of the first line of the current (latest) process. */
  #startIndex = 0;
  #paused = false;

  constructor(opts: ControllerProcessOptions) {
    this.#opts = opts;
    this.#file = createWriteStream(opts.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the process and waits until /readyz answers 200 (informers synced). */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.#child !== undefined) throw new Error('controller already running');
    const o = this.#opts;
    const adapter = o.command === 'smi-adapter';
    const args = [
      '--import',
      'tsx',
      'src/cli/main.ts',
      adapter ? 'smi-adapter' : 'run',
      '--kubeconfig',
      o.kubeconfig,
      ...(adapter
        ? []
        : [
            '--prometheus-url',
            o.prometheusUrl,
            '--endpoint-gate',
            String(o.endpointGate),
            // The local world's webhook receivers and template Prometheus listen on loopback,
            // which the address policy blocks by default; a test may narrow this with its own
            // --unblock-cidrs. The adapter makes no outbound calls and has no such flag.
            '--unblock-cidrs',
            LOCAL_WORLD_UNBLOCK,
          ]),
      '--health-address',
      '127.0.0.1:0',
      '--log-level',
      'debug',
      ...(o.extraArgs ?? []),
    ];
    // process.execPath is the Node that runs the tests (22); `--import tsx` keeps it ONE process,
    // so SIGKILL really kills the controller (the tsx CLI would leave a grandchild behind).
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    const startedAt = this.logs.length;
    this.#startIndex = startedAt;
    this.#file.write(`--- controller start pid ${child.pid ?? '?'} ---\n`);
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.#file.write(`${line}\n`);
      try {
        const parsed = JSON.parse(line) as LogLine;
        this.logs.push(parsed);
      } catch {
        this.logs.push({ msg: line, level: 'raw' });
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.#file.write(`[stderr] ${line}\n`);
      this.logs.push({ msg: line, level: 'stderr' });
    });
    const startLine = adapter
      ? 'weightlifter smi-adapter started'
      : 'weightlifter controller started';
    const started = await this.waitForLog((l) => l.msg === startLine, timeoutMs, startedAt);
    this.healthUrl = String(started['health']);
    this.identity = String(started['identity']);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(`${this.healthUrl}/readyz`).catch(() => undefined);
      if (res?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`controller not ready within ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  /**
   * The first matching log line from index `from` on (default: the current process's first
   * line); rejects after the deadline or when no process runs.
   */
  async waitForLog(
    match: (l: LogLine) => boolean,
    timeoutMs = 60_000,
    from = this.#startIndex,
  ): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.slice(from).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching controller log line within ${timeoutMs} ms`);
      if (this.#child === undefined) throw new Error('controller is not running');
      await sleep(100);
    }
  }

  /** The current process's /metrics, in Prometheus text format. */
  async metricsText(): Promise<string> {
    if (this.healthUrl === undefined) throw new Error('controller never started');
    const res = await fetch(`${this.healthUrl}/metrics`);
    if (res.status !== 200) throw new Error(`/metrics answered ${String(res.status)}`);
    return res.text();
  }

  /** The sum of the samples of `metric` (a name with its suffix) whose labels match `labels`. */
  async metricSum(metric: string, labels: RegExp = /.*/): Promise<number> {
    return sumSamples(await this.metricsText(), metric, labels);
  }

  /** SIGSTOP: the process is frozen (a long GC pause, a frozen VM) until resume(). */
  pause(): void {
    this.#child?.kill('SIGSTOP');
    this.#paused = true;
  }

  /** SIGCONT after pause(): the process runs on, its timers long overdue. */
  resume(): void {
    this.#child?.kill('SIGCONT');
    this.#paused = false;
  }

  /** SIGKILL: no drain, no lease release — a crash. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await this.#exited;
    this.#child = undefined;
  }

  /** SIGTERM and wait for the graceful exit; returns the exit code. */
  async stop(): Promise<number | null> {
    const child = this.#child;
    if (child === undefined) return null;
    if (this.#paused) this.resume();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await this.#exited;
    clearTimeout(timer);
    this.#child = undefined;
    return code ?? null;
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => this.#file.end(resolve));
  }
}

/** API writes (POST, PUT, PATCH, DELETE) the current process has made, whatever their answer. */
export const WRITE_VERBS = /verb="(POST|PUT|PATCH|DELETE)"/;

export function sumSamples(text: string, metric: string, labels: RegExp): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `))
    .filter((l) => labels.test(l.slice(metric.length, l.lastIndexOf(' '))))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
