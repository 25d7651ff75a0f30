// Flagger, the bench's peer (`--peer flagger`): built once from the Go module proxy by
// hack/build-flagger.sh into the cache beside the Kubernetes binaries, run as its own process with
// its Linkerd provider (TrafficSplit v1alpha1 and Linkerd's response_total / response_latency_ms
// queries, which the mesh emulator exposes) against the world's Prometheus.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CanaryStatus } from '../../src/api/canary.js';
import type { MeasuredProcess } from '../context.js';
import { BENCH_ERROR_CODES, BenchError } from '../errors.js';
import { stepWeights, type CanaryManifests } from '../fleet.js';
import { sleep } from '../stats.js';
import type { CanaryKind } from '../tracker.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const FLAGGER_VERSION = 'v1.44.0';
/** Flagger raises any analysis interval under this to it (its GetAnalysisInterval). */
export const FLAGGER_MIN_INTERVAL_SECONDS = 10;
/** The identity Flagger runs as in its world; the audit log counts its requests by this name. */
export const FLAGGER_USER = 'system:serviceaccount:flagger-system:flagger';

const FLAGGER_REF = {
  group: 'flagger.app',
  version: 'v1beta1',
  plural: 'canaries',
  kind: 'Canary',
  namespaced: true,
} as const;

export interface FlaggerBuild {
  readonly binary: string;
  readonly crds: string;
}

/**
 * Runs hack/build-flagger.sh: nothing to do when the cache holds the binary and its CRDs; else it
 * says what it builds and how long that takes, then one line when done (passed to `log`).
 */
export async function ensureFlagger(log: (m: string) => void): Promise<FlaggerBuild> {
  const child = spawn('bash', ['hack/build-flagger.sh'], {
    cwd: REPO,
    env: { ...process.env, WEIGHTLIFTER_FLAGGER_VERSION: FLAGGER_VERSION },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let dir = '';
  child.stdout.on('data', (d: Buffer) => (dir += d.toString()));
  createInterface({ input: child.stderr }).on('line', log);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new BenchError(BENCH_ERROR_CODES.SETUP, `hack/build-flagger.sh exited ${String(code)}`);
  }
  const d = dir.trim();
  return { binary: join(d, 'flagger'), crds: join(d, 'crd.yaml') };
}

interface FlaggerStatus {
  phase?: string;
  canaryWeight?: number;
  lastAppliedSpec?: string;
}

/** Flagger's Canaries, read as the scenarios read weightlifter's: its spec hash is the revision. */
export const FLAGGER_CANARIES: CanaryKind = {
  ref: FLAGGER_REF,
  status: (obj) => {
    const s = obj.status as FlaggerStatus | undefined;
    if (s?.phase === undefined) return undefined;
    return {
      phase: s.phase,
      ...(s.lastAppliedSpec === undefined ? {} : { revision: s.lastAppliedSpec }),
    } as CanaryStatus;
  },
};

/** The same fleet member as weightlifter's (fleet.ts): same weights, window, threshold, checks. */
export const FLAGGER_MANIFESTS: CanaryManifests = {
  ref: FLAGGER_REF,
  manifest: (m, shape) => ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: m.name, namespace: m.namespace },
    spec: {
      provider: 'linkerd',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: m.name },
      progressDeadlineSeconds: 300,
      service: { port: 9898, targetPort: 'http' },
      analysis: {
        interval: `${Math.max(shape.intervalSeconds, FLAGGER_MIN_INTERVAL_SECONDS)}s`,
        threshold: 1,
        stepWeights: stepWeights(shape.steps),
        // Its Linkerd provider's builtin checks: success rate (%) and p99 latency (ms).
        metrics: [
          {
            name: 'request-success-rate',
            interval: `${shape.windowSeconds}s`,
            thresholdRange: { min: 99 },
          },
          {
            name: 'request-duration',
            interval: `${shape.windowSeconds}s`,
            thresholdRange: { max: 500 },
          },
        ],
      },
    },
  }),
};

export interface FlaggerChildOptions {
  readonly binary: string;
  readonly kubeconfig: string;
  readonly prometheusUrl: string;
  readonly port: number;
  readonly logFile: string;
}

/** Flagger as a child process, measured like weightlifter's (pid, log lines). */
export class FlaggerChild implements MeasuredProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #file: WriteStream | undefined;
  #lines = 0;
  /** Flagger's /metrics are not read: the bench counts it from outside only. */
  readonly healthUrl = '';

  constructor(private readonly opts: FlaggerChildOptions) {}

  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  get logLines(): number {
    return this.#lines;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const o = this.opts;
    const args = [
      `-kubeconfig=${o.kubeconfig}`,
      '-mesh-provider=linkerd',
      `-metrics-server=${o.prometheusUrl}`,
      `-port=${o.port}`,
      '-log-level=info',
    ];
    const file = createWriteStream(o.logFile, { flags: 'a' });
    this.#file = file;
    const child = spawn(o.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    for (const input of [child.stdout, child.stderr]) {
      createInterface({ input }).on('line', (line) => {
        this.#lines++;
        file.write(`${line}\n`);
      });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.pid === undefined) {
        throw new BenchError(BENCH_ERROR_CODES.CONTROLLER_GONE, `flagger exited; see ${o.logFile}`);
      }
      const res = await fetch(`http://127.0.0.1:${o.port}/healthz`).catch(() => undefined);
      if (res?.status === 200) return;
      if (Date.now() > deadline) {
        throw new BenchError(BENCH_ERROR_CODES.TIMEOUT, `flagger not healthy in ${timeoutMs} ms`);
      }
      await sleep(200);
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.#exited;
      clearTimeout(timer);
    }
    const file = this.#file;
    if (file !== undefined) await new Promise<void>((resolve) => file.end(resolve));
    this.#file = undefined;
  }
}
