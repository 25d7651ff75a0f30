// Bench settings from flags, then BENCH_* environment variables, then defaults; a bad value
// stops the bench before anything starts, naming every problem.
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { CONTROLLER_RUNTIMES, type ControllerRuntime } from './controller-child.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';

export const SCENARIOS = ['idle', 'progressing', 'reaction'] as const;

/** Controllers the bench can run beside weightlifter, each in its own world (peer/). */
export const PEERS = ['flagger'] as const;
export type Peer = (typeof PEERS)[number];
/** Flagger raises any analysis interval under 10 s to 10 s: with a peer both sides run at >= 10 s. */
export const PEER_MIN_INTERVAL_SECONDS = 10;
export type Scenario = (typeof SCENARIOS)[number];

/** Who makes pods Ready: the emulator's kubelet role (default) or kcm + scheduler + kwok. */
export const POD_MODES = ['emulator', 'kwok'] as const;
export type PodMode = (typeof POD_MODES)[number];

/** The routing API of the world's mesh and of every Canary (spec.routing.provider). */
export const BENCH_ROUTERS = ['smi', 'gatewayapi'] as const;
export type BenchRouter = (typeof BENCH_ROUTERS)[number];

export interface BenchOptions {
  readonly n: readonly number[];
  /** smi: TrafficSplit in an SMI world; gatewayapi: HTTPRoute in a Gateway API (GAMMA) world. */
  readonly router: BenchRouter;
  readonly scenarios: readonly Scenario[];
  readonly idleSeconds: number;
  /** Quiet time after the fleet is Initialized, before the idle window opens. */
  readonly settleSeconds: number;
  readonly intervalSeconds: number;
  /** Every metric's window; a step lasts max(interval, window). */
  readonly windowSeconds: number;
  readonly steps: number;
  readonly reactionSamples: number;
  /** Error rate (0..1) of the reaction's bad revision; 0 makes it healthy, so the bench fails. */
  readonly reactionErrorRate: number;
  /** How long the controller may take to go quiet (undefined: 600 s + 0.3 s per canary). */
  readonly quietTimeoutSeconds: number | undefined;
  readonly perNamespace: number;
  readonly rps: number;
  readonly scrapeSeconds: number;
  readonly pods: PodMode;
  /** Object creations in flight while building the fleet. */
  readonly createConcurrency: number;
  /** Passed to the controller as --concurrency (undefined: its default). */
  readonly controllerConcurrency: number | undefined;
  /**
   * Controller replicas, one per shard (docs/sharding.md): canary i carries the shard label
   * s<i mod shards> and replica k runs with --watch-label-selector selecting s<k>. 1: unsharded.
   */
  readonly shards: number;
  /** bundled: dist/bundle (as in production); compiled: tsc's dist/; tsx: the sources. */
  readonly controller: ControllerRuntime;
  /**
   * Node flags for the controller process, e.g. --max-old-space-size=192 (a memory limit); by
   * default those the shipped Deployment sets (deployedNodeOptions).
   */
  readonly controllerNodeOptions: readonly string[];
  readonly outDir: string;
  readonly keepLogs: boolean;
  /** Directory for a heap snapshot of each controller replica at the end of each N; undefined: none. */
  readonly heapSnapshotDir: string | undefined;
  /** Also run this controller with the same fleet, checks and interval, and compare. */
  readonly peer: Peer | undefined;
  /** Where the comparison's table is written (a marked section), or undefined: nowhere. */
  readonly docsFile: string | undefined;
}

export const USAGE = `npm run bench -- [options]
  --n 100,1000,2000        canary counts, one world each (BENCH_N)
  --router smi|gatewayapi  the mesh's routing API and every Canary's provider: TrafficSplit or
                           HTTPRoute (BENCH_ROUTER; default smi)
  --scenarios idle,progressing,reaction (BENCH_SCENARIOS)
  --idle-seconds 60        idle measurement window (BENCH_IDLE_SECONDS)
  --settle-seconds 10      wait after all are Initialized (BENCH_SETTLE_SECONDS)
  --interval-seconds 5     analysis interval of every Canary (BENCH_INTERVAL_SECONDS)
  --window-seconds 10      window of every metric (BENCH_WINDOW_SECONDS); a step lasts
                           max(interval, window)
  --steps 5                weight steps per run (BENCH_STEPS)
  --reaction-samples 20    canaries sampled for detection/rollback latency (BENCH_REACTION_SAMPLES)
  --reaction-error-rate 1  error rate of the reaction's bad revision (BENCH_REACTION_ERROR_RATE);
                           0 makes it healthy: the bench then fails as soon as one is promoted
  --quiet-timeout-seconds <s>  give up when the controller is not quiet by then
                           (BENCH_QUIET_TIMEOUT_SECONDS; default 600 + 0.3 per canary)
  --per-namespace 100      canaries per namespace (BENCH_PER_NAMESPACE)
  --rps 40                 emulated requests/s per app (BENCH_RPS)
  --scrape-seconds 2       Prometheus scrape interval (BENCH_SCRAPE_SECONDS)
  --pods emulator|kwok     who makes pods Ready (BENCH_PODS)
  --create-concurrency 32  creations in flight (BENCH_CREATE_CONCURRENCY)
  --controller-concurrency <k>  the controller's --concurrency (BENCH_CONTROLLER_CONCURRENCY)
  --shards 1               controller replicas, one per shard of the fleet (--watch-label-selector
                           on weightlifter.io/shard); CPU is summed over them, RSS and heap are the
                           largest replica's (BENCH_SHARDS; not with --peer)
  --controller bundled|compiled|tsx  run the production bundle (dist/bundle), tsc's unbundled
                           dist/ (both built first) or the sources through tsx (BENCH_CONTROLLER)
  --controller-node-options="--max-old-space-size=192"  Node flags of the controller
                           (BENCH_CONTROLLER_NODE_OPTIONS); default: NODE_OPTIONS of
                           deploy/deployment.yaml, as shipped; "" for none
  --out bench/results      results directory (BENCH_OUT)
  --peer flagger           also run Flagger (built once from the Go module proxy) in its own
                           world with the same fleet, checks and interval (raised to 10 s, its
                           floor) and print a side-by-side table (BENCH_PEER)
  --docs docs/benchmarks.md  file whose marked section gets the side-by-side table; "none"
                           writes none (BENCH_DOCS)
  --keep-logs              keep the audit and controller logs (BENCH_KEEP_LOGS=1)
  --heap-snapshot <dir>    at the end of each N, after the live heap, write each replica's V8 heap
                           snapshot to <dir>/controller-n<N>-<k>.heapsnapshot (BENCH_HEAP_SNAPSHOT)`;

const FLAGS = {
  n: { type: 'string' },
  router: { type: 'string' },
  scenarios: { type: 'string' },
  'idle-seconds': { type: 'string' },
  'settle-seconds': { type: 'string' },
  'interval-seconds': { type: 'string' },
  'window-seconds': { type: 'string' },
  steps: { type: 'string' },
  'reaction-samples': { type: 'string' },
  'reaction-error-rate': { type: 'string' },
  'quiet-timeout-seconds': { type: 'string' },
  'per-namespace': { type: 'string' },
  rps: { type: 'string' },
  'scrape-seconds': { type: 'string' },
  pods: { type: 'string' },
  'create-concurrency': { type: 'string' },
  'controller-concurrency': { type: 'string' },
  shards: { type: 'string' },
  controller: { type: 'string' },
  'controller-node-options': { type: 'string' },
  out: { type: 'string' },
  peer: { type: 'string' },
  docs: { type: 'string' },
  'keep-logs': { type: 'boolean' },
  'heap-snapshot': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type FlagName = Exclude<keyof typeof FLAGS, 'help'>;

const envName = (flag: FlagName): string => `BENCH_${flag.toUpperCase().replace(/-/g, '_')}`;

/**
 * The Node flags the shipped controller runs with: NODE_OPTIONS of the controller container in
 * deploy/deployment.yaml (the Dockerfile sets the same), '' when it sets none.
 */
export function deployedNodeOptions(deploymentYaml: string): string {
  const doc = parse(deploymentYaml) as {
    spec?: {
      template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } };
    };
  } | null;
  const env = doc?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  return env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
}

/**
 * undefined when --help was asked for. `deployedNodeFlags`: the controller's Node flags when
 * none are given (deployedNodeOptions of the shipped manifest).
 */
export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  deployedNodeFlags = '',
): BenchOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true }));
  } catch (cause) {
    throw new BenchError(BENCH_ERROR_CODES.USAGE, `${(cause as Error).message}\n${USAGE}`, {
      cause,
    });
  }
  if (values.help === true) return undefined;
  const problems: string[] = [];
  const text = (f: FlagName): string | undefined => {
    const v = values[f];
    if (typeof v === 'string') return v;
    const e = env[envName(f)];
    return e === undefined || e === '' ? undefined : e;
  };
  const num = (f: FlagName, fallback: number, min: number): number => {
    const t = text(f);
    if (t === undefined) return fallback;
    const v = Number(t);
    if (!Number.isFinite(v) || v < min) problems.push(`--${f}: "${t}" is not a number >= ${min}`);
    return v;
  };
  const list = (f: FlagName, fallback: string): string[] =>
    (text(f) ?? fallback)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const n = list('n', '100,1000,2000').map(Number);
  if (n.length === 0 || n.some((x) => !Number.isInteger(x) || x < 1)) {
    problems.push(`--n: "${text('n') ?? ''}" is not a list of positive integers`);
  }
  const scenarios = list('scenarios', SCENARIOS.join(','));
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) problems.push(`--scenarios: unknown ${unknown.join(', ')}`);
  const pods = text('pods') ?? 'emulator';
  if (!(POD_MODES as readonly string[]).includes(pods)) {
    problems.push(`--pods: "${pods}" is not ${POD_MODES.join(' or ')}`);
  }
  const router = text('router') ?? 'smi';
  if (!(BENCH_ROUTERS as readonly string[]).includes(router)) {
    problems.push(`--router: "${router}" is not ${BENCH_ROUTERS.join(' or ')}`);
  }
  const controller = text('controller') ?? 'bundled';
  if (!(CONTROLLER_RUNTIMES as readonly string[]).includes(controller)) {
    problems.push(`--controller: "${controller}" is not ${CONTROLLER_RUNTIMES.join(' or ')}`);
  }
  const peer = text('peer');
  if (peer !== undefined && !(PEERS as readonly string[]).includes(peer)) {
    problems.push(`--peer: "${peer}" is not ${PEERS.join(' or ')}`);
  }
  const docs = text('docs') ?? 'docs/benchmarks.md';
  const interval = num('interval-seconds', peer === undefined ? 5 : PEER_MIN_INTERVAL_SECONDS, 1);
  const cc = text('controller-concurrency');
  const qt = text('quiet-timeout-seconds');
  const opts: BenchOptions = {
    n,
    router: router as BenchRouter,
    scenarios: scenarios as Scenario[],
    idleSeconds: num('idle-seconds', 60, 1),
    settleSeconds: num('settle-seconds', 10, 0),
    intervalSeconds: peer === undefined ? interval : Math.max(interval, PEER_MIN_INTERVAL_SECONDS),
    windowSeconds: num('window-seconds', 10, 1),
    steps: Math.round(num('steps', 5, 1)),
    reactionSamples: Math.round(num('reaction-samples', 20, 1)),
    reactionErrorRate: num('reaction-error-rate', 1, 0),
    quietTimeoutSeconds: qt === undefined ? undefined : num('quiet-timeout-seconds', 600, 1),
    perNamespace: Math.round(num('per-namespace', 100, 1)),
    rps: num('rps', 40, 1),
    scrapeSeconds: num('scrape-seconds', 2, 1),
    pods: pods as PodMode,
    createConcurrency: Math.round(num('create-concurrency', 32, 1)),
    controllerConcurrency: cc === undefined ? undefined : num('controller-concurrency', 4, 1),
    shards: num('shards', 1, 1),
    controller: controller as ControllerRuntime,
    controllerNodeOptions: (text('controller-node-options') ?? deployedNodeFlags)
      .split(/\s+/)
      .filter((f) => f !== ''),
    outDir: text('out') ?? 'bench/results',
    keepLogs: values['keep-logs'] === true || env['BENCH_KEEP_LOGS'] === '1',
    heapSnapshotDir: text('heap-snapshot'),
    peer: peer as Peer | undefined,
    docsFile: peer === undefined || docs === 'none' ? undefined : docs,
  };
  if (!Number.isInteger(opts.shards)) problems.push(`--shards: ${opts.shards} is not an integer`);
  // Flagger has no sharding: a sharded fleet against one Flagger would compare different things.
  if (opts.shards > 1 && opts.peer !== undefined) {
    problems.push(`--shards: ${opts.shards} with --peer; Flagger has no shards to compare with`);
  }
  if (opts.reactionErrorRate > 1) {
    problems.push(`--reaction-error-rate: ${opts.reactionErrorRate} is not between 0 and 1`);
  }
  // The controller refuses a window with fewer than two scrapes in it (AnalysisWindowTooShort).
  if (opts.windowSeconds < 2 * opts.scrapeSeconds) {
    problems.push(
      `--window-seconds: ${opts.windowSeconds} holds fewer than two scrapes of ${opts.scrapeSeconds} s`,
    );
  }
  if (problems.length > 0)
    throw new BenchError(BENCH_ERROR_CODES.USAGE, `${problems.join('\n')}\n\n${USAGE}`);
  return opts;
}
