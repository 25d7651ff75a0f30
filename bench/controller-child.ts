// The controller under measurement: `weightlifter run` as its own process, under the controller
// identity's kubeconfig. By default it runs the bundle a production image runs (dist/bundle, npm run
// build:bundle); `compiled` runs tsc's unbundled dist/ with node_modules beside it, and `tsx` the
// sources (the tsx loader adds about 65 MiB of RSS that has nothing to do with the controller).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import { sleep } from './stats.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BUILD_DIR = 'dist';

export const CONTROLLER_RUNTIMES = ['bundled', 'compiled', 'tsx'] as const;
export type ControllerRuntime = (typeof CONTROLLER_RUNTIMES)[number];

export interface Captured {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in the repository and collects its output (also used by the smoke test). */
export function runCaptured(cmd: string, args: readonly string[]): Promise<Captured> {
  const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Compiles src/ into dist/ (tsc -p tsconfig.build.json, as npm run build); returns the entry point. */
export async function buildController(log: (m: string) => void): Promise<string> {
  const entry = `${BUILD_DIR}/cli/main.js`;
  log(`compiling the controller into ${BUILD_DIR}`);
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  const r = await runCaptured(process.execPath, [tsc, '-p', 'tsconfig.build.json']);
  const output = `${r.stdout}${r.stderr}`;
  // Type errors elsewhere in the tree still emit JavaScript; a missing entry point does not.
  if (!existsSync(`${REPO}${entry}`)) {
    throw new BenchError(BENCH_ERROR_CODES.UNSUPPORTED, `tsc produced no ${entry}:\n${output}`);
  }
  if (r.code !== 0)
    log(`tsc reported errors (JavaScript emitted anyway):\n${output.slice(0, 2000)}`);
  return entry;
}

/** Bundles src/ into dist/bundle (npm run build:bundle, as the image does); returns the entry point. */
export async function bundleController(log: (m: string) => void): Promise<string> {
  const entry = `${BUILD_DIR}/bundle/main.js`;
  log(`bundling the controller into ${BUILD_DIR}/bundle`);
  const r = await runCaptured('npm', ['run', '--silent', 'build:bundle']);
  if (r.code !== 0 || !existsSync(`${REPO}${entry}`)) {
    throw new BenchError(
      BENCH_ERROR_CODES.UNSUPPORTED,
      `npm run build:bundle failed (${String(r.code)}):\n${r.stdout}${r.stderr}`,
    );
  }
  return entry;
}

/** The entry point to run for `runtime`, built first; undefined for tsx. */
export async function prepareController(
  runtime: ControllerRuntime,
  log: (m: string) => void,
): Promise<string | undefined> {
  if (runtime === 'bundled') return bundleController(log);
  if (runtime === 'compiled') return buildController(log);
  return undefined;
}

export interface ControllerChildOptions {
  readonly runtime: ControllerRuntime;
  /** The built entry point (runtimes 'bundled' and 'compiled'). */
  readonly entry?: string;
  readonly kubeconfig: string;
  readonly prometheusUrl: string;
  readonly endpointGate: boolean;
  readonly logFile: string;
  readonly extraArgs: readonly string[];
  readonly nodeOptions: readonly string[];
}

export class ControllerChild {
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #lines = 0;
  #file: WriteStream | undefined;
  healthUrl = '';
  /** The inspector's address once SIGUSR1 opened it (see live-heap.ts). */
  inspectorUrl: string | undefined;

  constructor(private readonly opts: ControllerChildOptions) {}

  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  /** Log lines written so far. */
  get logLines(): number {
    return this.#lines;
  }

  async start(timeoutMs = 120_000): Promise<void> {
    const o = this.opts;
    const program =
      o.runtime === 'tsx' ? ['--import', 'tsx', 'src/cli/main.ts'] : [o.entry ?? 'missing-entry'];
    const args = [
      // Where the inspector listens if SIGUSR1 opens it (live-heap.ts); closed until then.
      '--inspect-port=127.0.0.1:0',
      ...o.nodeOptions,
      ...program,
      'run',
      ...['--kubeconfig', o.kubeconfig, '--prometheus-url', o.prometheusUrl],
      ...['--health-address', '127.0.0.1:0', '--endpoint-gate', String(o.endpointGate)],
      // The local world listens on loopback, which the address policy blocks by default.
      ...['--unblock-cidrs', '127.0.0.0/8'],
      ...o.extraArgs,
    ];
    const file = createWriteStream(o.logFile, { flags: 'a' });
    this.#file = file;
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.#lines++;
      file.write(`${line}\n`);
      if (this.healthUrl === '' && line.includes('"weightlifter controller started"')) {
        this.healthUrl = String((JSON.parse(line) as { health?: string }).health);
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      file.write(`[stderr] ${line}\n`);
      this.inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1];
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.pid === undefined) {
        throw new BenchError(
          BENCH_ERROR_CODES.CONTROLLER_GONE,
          `controller exited; see ${o.logFile}`,
        );
      }
      if (this.healthUrl !== '') {
        const res = await fetch(`${this.healthUrl}/readyz`).catch(() => undefined);
        if (res?.status === 200) return;
      }
      if (Date.now() > deadline) {
        throw new BenchError(BENCH_ERROR_CODES.TIMEOUT, `controller not ready in ${timeoutMs} ms`);
      }
      await sleep(200);
    }
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await this.#exited;
      clearTimeout(timer);
    }
    const file = this.#file;
    if (file !== undefined) await new Promise<void>((resolve) => file.end(resolve));
    this.#file = undefined;
  }
}
