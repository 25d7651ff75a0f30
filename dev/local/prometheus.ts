import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { stringify } from 'yaml';
import { registerCleanup, unregisterCleanup, type Cleanup } from './cleanup.js';
import { WORLD_ERROR_CODES, WorldError } from './emulator/errors.js';
import { freePort, LOOPBACK } from './ports.js';
import { ProcessGroup, type Child } from './processes.js';
import { waitUntil } from './wait.js';

/** Where the Debian package installs it (hack/install-prometheus.sh). */
export const DEFAULT_PROMETHEUS_BINARY = '/usr/bin/prometheus';
export const INSTALL_PROMETHEUS_HINT =
  'install it with `bash hack/install-prometheus.sh` (runs `apt-get update && apt-get install -y --no-install-recommends prometheus`)';

export interface PrometheusOptions {
  /** `host:port` targets scraped at /metrics (the mesh emulator), job "linkerd-proxy". */
  readonly targets: readonly string[];
  /** Scrape and rule evaluation interval. @default 1 */
  readonly scrapeIntervalSeconds?: number;
  /** @default $WEIGHTLIFTER_PROMETHEUS or /usr/bin/prometheus */
  readonly binary?: string;
  readonly logger?: Logger;
  /** Deadline for /-/ready. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

export interface Prometheus {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Temp dir with config, TSDB and log; removed by stop(). */
  readonly dir: string;
  /** The server's pid (a new one after restart()). */
  readonly pid: number;
  readonly logFile: string;
  readonly startupMs: number;
  /**
   * An outage, for tests: kills the server (SIGKILL; the port stops answering) and keeps its
   * TSDB. restart() brings it back on the same port with the same data.
   */
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period), then removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

export function prometheusConfig(targets: readonly string[], intervalSeconds: number): string {
  const interval = `${intervalSeconds}s`;
  return stringify({
    global: {
      scrape_interval: interval,
      // Must not exceed the interval; Prometheus refuses the config otherwise.
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    scrape_configs: [
      {
        job_name: 'linkerd-proxy',
        // The emulator writes namespace/pod/deployment itself, as linkerd-viz's relabelling would.
        honor_labels: true,
        static_configs: [{ targets: [...targets] }],
      },
    ],
  });
}

async function checkBinary(binary: string): Promise<void> {
  try {
    await access(binary, constants.X_OK);
  } catch (cause) {
    throw new WorldError(
      WORLD_ERROR_CODES.PROMETHEUS_MISSING,
      `Prometheus binary ${binary} is missing or not executable: ${INSTALL_PROMETHEUS_HINT}`,
      { cause, details: { binary } },
    );
  }
}

/**
 * Starts the real Prometheus on a free loopback port with a generated config and storage in a
 * temp dir. Its process group is registered with the control plane's process watchdog and exit
 * hooks, so a crashed or killed test run leaves no Prometheus behind either.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<Prometheus> {
  const t0 = performance.now();
  const binary = opts.binary ?? process.env.WEIGHTLIFTER_PROMETHEUS ?? DEFAULT_PROMETHEUS_BINARY;
  await checkBinary(binary);
  const logger = opts.logger ?? pino({ level: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'weightlifter-prom-'));
  const log = logger.child({ component: 'prometheus', dir });
  const procs = new ProcessGroup(dir, dir, log);
  let stopping: Promise<void> | undefined;
  const cleanup: Cleanup = {
    stop: () =>
      // ProcessGroup.stop() keeps the event loop alive itself until its children are gone.
      (stopping ??= (async () => {
        await procs.stop();
        await rm(dir, { recursive: true, force: true });
        unregisterCleanup(cleanup);
      })()),
    stopNow: () => {
      procs.killNow();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  registerCleanup(cleanup);
  try {
    const interval = opts.scrapeIntervalSeconds ?? 1;
    const configFile = join(dir, 'prometheus.yml');
    await writeFile(configFile, prometheusConfig(opts.targets, interval));
    await mkdir(join(dir, 'data'));
    const port = await freePort();
    const url = `http://${LOOPBACK}:${port}`;
    const spec = {
      name: 'prometheus',
      command: binary,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${LOOPBACK}:${port}`,
        '--storage.tsdb.retention.time=1d',
        // Nothing reads the WAL back after a run: compressing it is wasted CPU on a 2-core box.
        '--no-storage.tsdb.wal-compression',
        '--log.level=warn',
      ],
    };
    const ready = async (): Promise<boolean> =>
      (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
    const serve = async (): Promise<Child> => {
      const started = procs.start(spec);
      await waitUntil(ready, {
        what: 'Prometheus /-/ready',
        timeoutMs: opts.readyTimeoutMs ?? 30_000,
        intervalMs: 50,
        watch: [started],
      });
      return started;
    };
    let child = await serve();
    const startupMs = Math.round(performance.now() - t0);
    log.info({ url, startupMs }, 'prometheus ready');
    return {
      url,
      dir,
      get pid() {
        return child.pid;
      },
      logFile: child.logFile,
      startupMs,
      kill: async () => {
        process.kill(-child.pid, 'SIGKILL');
        await child.exited;
      },
      restart: async () => {
        if (child.exit === undefined) throw new Error('Prometheus is still running');
        child = await serve();
      },
      stop: () => cleanup.stop(),
    };
  } catch (err) {
    await cleanup.stop();
    throw err;
  }
}

/** One sample of an instant-query result. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * An instant query through Prometheus's HTTP API (for tests, the demo and the benchmark; the
 * controller has its own metric source). NaN values are kept: a 0/0 success rate is NaN.
 */
export async function promQuery(prometheusUrl: string, query: string): Promise<PromSample[]> {
  const res = await fetch(
    `${prometheusUrl}/api/v1/query?${new URLSearchParams({ query }).toString()}`,
  );
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
  };
  if (body.status !== 'success' || body.data === undefined) {
    throw new WorldError(
      WORLD_ERROR_CODES.PROMETHEUS_FAILED,
      `query failed: ${body.error ?? res.status}`,
      {
        details: { query, status: res.status },
      },
    );
  }
  if (body.data.resultType !== 'vector') {
    throw new WorldError(
      WORLD_ERROR_CODES.PROMETHEUS_FAILED,
      `expected a vector, got ${body.data.resultType}`,
      {
        details: { query },
      },
    );
  }
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}
