// The controller's configuration: every setting typed, validated and resolved once at start-up
// from flags, then WEIGHTLIFTER_* environment variables, then defaults. Nothing else in the
// controller reads process.env; a bad value stops the process before it touches the cluster,
// with every problem named at once.
import { isLogLevel, type LogLevel } from '../telemetry/logger.js';
import { WeightlifterError } from '../errors/catalogue.js';
import { ROUTING_PROVIDERS, type RoutingProvider } from '../api/constants.js';
import { isMeshName, type MeshName } from '../metrics/mesh-queries.js';
import { TRAFFIC_METRICS_SETTINGS, type TrafficMetricsSetting } from '../metrics/factory.js';
import { CONFIG_KEYS, ENV_NAMES, type ConfigKey } from './keys.js';
import { resolveShard, shardLeaseName, type ShardConfig } from './shard.js';
import {
  loadNotifySettings,
  readTextFile,
  type NotifySettings,
  type ReadText,
} from './notify-file.js';
import {
  DNS_LABEL,
  parseBool,
  parseDurationMs,
  parseHostPort,
  parseInteger,
  parseList,
} from './parse.js';

export interface LeaderElectionConfig {
  readonly enabled: boolean;
  readonly namespace: string;
  readonly name: string;
  /** How long a Lease is valid without renewal: a dead leader is replaced after this long. */
  readonly leaseDurationMs: number;
  /** The leader steps down when it could not renew for this long (< leaseDurationMs). */
  readonly renewDeadlineMs: number;
  /** Pause between acquire/renew attempts (< renewDeadlineMs). */
  readonly retryPeriodMs: number;
  /** This replica's holderIdentity: POD_NAME in a pod; undefined: `<hostname>_<pid>`. */
  readonly identity: string | undefined;
}

export interface ControllerConfig {
  /** undefined: KUBECONFIG (its first file), ~/.kube/config, else the in-cluster ServiceAccount. */
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  /** Namespaces whose Canaries are reconciled; 'all' watches cluster-wide. */
  readonly namespaces: 'all' | readonly string[];
  /** Where the controller runs: ClusterAnalysisTemplate secrets and the default lease live here. */
  readonly controllerNamespace: string;
  readonly prometheusUrl: string;
  readonly mesh: MeshName;
  readonly trafficMetrics: TrafficMetricsSetting;
  /** The routing API of a Canary that sets no spec.routing.provider. */
  readonly routingProvider: RoutingProvider;
  /** Reconciles running at once. */
  readonly concurrency: number;
  /** Canaries in a run at once across the cluster; 0 = no limit. */
  readonly maxConcurrentRuns: number;
  readonly leaderElection: LeaderElectionConfig;
  /** /healthz, /readyz, /metrics. Port 0 picks a free port. */
  readonly health: { readonly host: string; readonly port: number };
  readonly logLevel: LogLevel;
  /**
   * Outbound addresses for webhooks and template Prometheus addresses (src/outbound/url-policy.ts):
   * allowed hosts and CIDRs both empty = any address outside the blocked ranges; unblocked CIDRs
   * open parts of those ranges (loopback, link-local, cloud metadata).
   */
  readonly addressPolicy: {
    readonly allowedHosts: readonly string[];
    readonly allowedCidrs: readonly string[];
    readonly unblockedCidrs: readonly string[];
  };
  /** Weight goes to a backend only when its Service has ready endpoints (EndpointSlices). */
  readonly endpointGate: boolean;
  /**
   * How often an idle target scaled back up by a GitOps tool is scaled down again (the first,
   * routine scale-down included) and the pause before the 2nd attempt, doubling after.
   */
  readonly idleScale: { readonly maxAttempts: number; readonly baseDelayMs: number };
  /** Alert providers from the --notify-config file; undefined: no alerts. */
  readonly notify: NotifySettings | undefined;
  /** --watch-label-selector: this replica's shard; undefined: every Canary. */
  readonly shard: ShardConfig | undefined;
}

export interface ResolveOptions {
  /** Reads the --notify-config file. @default readFileSync as UTF-8 */
  readonly readText?: ReadText;
}

/** Raw values as given: flags (commander's parsed options) take precedence over the environment. */
export type ConfigFlags = Partial<Record<ConfigKey, string | boolean | undefined>>;

export const CONFIG_DEFAULTS = {
  controllerNamespace: 'weightlifter-system',
  mesh: 'linkerd',
  trafficMetrics: 'auto',
  routingProvider: 'auto',
  concurrency: 16,
  maxConcurrentRuns: 0,
  leaderElect: false,
  leaseName: 'weightlifter-controller',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  healthAddress: '127.0.0.1:8080',
  logLevel: 'info',
  endpointGate: true,
  idleScaleAttempts: 3,
  idleScaleBackoffMs: 60_000,
} as const;

/** Resolves and validates the configuration; throws WL_CONFIG_INVALID listing every problem. */
export function resolveConfig(
  flags: ConfigFlags,
  env: Readonly<Record<string, string | undefined>> = {},
  opts: ResolveOptions = {},
): ControllerConfig {
  const problems: string[] = [];
  const causes: unknown[] = [];
  const raw = (key: ConfigKey): string | boolean | undefined => {
    const flag = flags[key];
    if (flag !== undefined) return flag;
    const fromEnv = env[ENV_NAMES[key]];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const text = (key: ConfigKey): string | undefined => {
    const v = raw(key);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') {
      problems.push(`${CONFIG_KEYS[key]}: expects a value`);
      return undefined;
    }
    return v.trim();
  };
  const int = (key: ConfigKey, fallback: number, min: number): number =>
    parseInteger(text(key), fallback, min, CONFIG_KEYS[key], problems);
  const bool = (key: ConfigKey, fallback: boolean): boolean =>
    parseBool(raw(key), fallback, CONFIG_KEYS[key], problems);

  const prometheusUrl = text('prometheusUrl');
  if (prometheusUrl === undefined) {
    problems.push(
      `${CONFIG_KEYS.prometheusUrl} (or ${ENV_NAMES.prometheusUrl}) is required: the Prometheus ` +
        'that analysis queries by default',
    );
  } else if (!URL.canParse(prometheusUrl) || !/^https?:$/.test(new URL(prometheusUrl).protocol)) {
    problems.push(`${CONFIG_KEYS.prometheusUrl}: "${prometheusUrl}" is not an http(s) URL`);
  }
  const mesh = text('mesh') ?? CONFIG_DEFAULTS.mesh;
  if (!isMeshName(mesh))
    problems.push(`${CONFIG_KEYS.mesh}: "${mesh}" is not linkerd, istio or osm`);
  const trafficMetrics = text('trafficMetrics') ?? CONFIG_DEFAULTS.trafficMetrics;
  if (!(TRAFFIC_METRICS_SETTINGS as readonly string[]).includes(trafficMetrics)) {
    problems.push(
      `${CONFIG_KEYS.trafficMetrics}: "${trafficMetrics}" is not one of ${TRAFFIC_METRICS_SETTINGS.join(', ')}`,
    );
  }
  const routingProvider = text('routingProvider') ?? CONFIG_DEFAULTS.routingProvider;
  if (!isRoutingProvider(routingProvider)) {
    problems.push(
      `${CONFIG_KEYS.routingProvider}: "${routingProvider}" is not one of ${ROUTING_PROVIDERS.join(', ')}`,
    );
  }
  const logLevel = text('logLevel') ?? CONFIG_DEFAULTS.logLevel;
  if (!isLogLevel(logLevel)) problems.push(`${CONFIG_KEYS.logLevel}: "${logLevel}" is not a level`);
  const nsList = parseList(text('namespaces'));
  for (const ns of nsList) {
    if (ns !== '*' && ns !== 'all' && !DNS_LABEL.test(ns)) {
      problems.push(`${CONFIG_KEYS.namespaces}: "${ns}" is not a namespace name`);
    }
  }
  const namespaces =
    nsList.length === 0 || nsList.includes('*') || nsList.includes('all') ? 'all' : nsList;
  const controllerNamespace =
    text('controllerNamespace') ?? env['POD_NAMESPACE'] ?? CONFIG_DEFAULTS.controllerNamespace;
  const health = parseHostPort(
    text('healthAddress') ?? CONFIG_DEFAULTS.healthAddress,
    CONFIG_KEYS.healthAddress,
    problems,
  );
  const shard = resolveShard(text('watchLabelSelector'), CONFIG_KEYS.watchLabelSelector, problems);
  const leaderElection = resolveLeaderElection(
    text,
    bool,
    { controllerNamespace, shard },
    env,
    problems,
  );
  const notifyPath = text('notifyConfig');
  const notify =
    notifyPath === undefined || notifyPath === ''
      ? undefined
      : loadNotifySettings(
          notifyPath,
          CONFIG_KEYS.notifyConfig,
          opts.readText ?? readTextFile,
          problems,
          causes,
        );
  const config: ControllerConfig = {
    kubeconfig: text('kubeconfig'),
    context: text('context'),
    namespaces,
    controllerNamespace,
    prometheusUrl: prometheusUrl ?? '',
    mesh: isMeshName(mesh) ? mesh : CONFIG_DEFAULTS.mesh,
    trafficMetrics: trafficMetrics as TrafficMetricsSetting,
    routingProvider: isRoutingProvider(routingProvider)
      ? routingProvider
      : CONFIG_DEFAULTS.routingProvider,
    concurrency: int('concurrency', CONFIG_DEFAULTS.concurrency, 1),
    maxConcurrentRuns: int('maxConcurrentRuns', CONFIG_DEFAULTS.maxConcurrentRuns, 0),
    leaderElection,
    health,
    logLevel: isLogLevel(logLevel) ? logLevel : CONFIG_DEFAULTS.logLevel,
    addressPolicy: {
      allowedHosts: parseList(text('allowedHosts')),
      allowedCidrs: parseList(text('allowedCidrs')),
      unblockedCidrs: parseList(text('unblockCidrs')),
    },
    endpointGate: bool('endpointGate', CONFIG_DEFAULTS.endpointGate),
    idleScale: {
      maxAttempts: int('idleScaleAttempts', CONFIG_DEFAULTS.idleScaleAttempts, 1),
      baseDelayMs: parseDurationMs(
        text('idleScaleBackoff'),
        CONFIG_DEFAULTS.idleScaleBackoffMs,
        100,
        CONFIG_KEYS.idleScaleBackoff,
        problems,
      ),
    },
    notify,
    shard,
  };
  if (problems.length > 0) {
    throw new WeightlifterError(
      'WL_CONFIG_INVALID',
      `invalid configuration: ${problems.join('; ')}`,
      { details: { problems }, ...(causes.length === 0 ? {} : { cause: causes[0] }) },
    );
  }
  return config;
}

const isRoutingProvider = (v: string): v is RoutingProvider =>
  (ROUTING_PROVIDERS as readonly string[]).includes(v);

function resolveLeaderElection(
  text: (key: ConfigKey) => string | undefined,
  bool: (key: ConfigKey, fallback: boolean) => boolean,
  where: { readonly controllerNamespace: string; readonly shard: ShardConfig | undefined },
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): LeaderElectionConfig {
  const duration = (key: ConfigKey, fallback: number): number =>
    parseDurationMs(text(key), fallback, 100, CONFIG_KEYS[key], problems);
  const leaseDurationMs = duration('leaseDuration', CONFIG_DEFAULTS.leaseDurationMs);
  const renewDeadlineMs = duration('renewDeadline', CONFIG_DEFAULTS.renewDeadlineMs);
  const retryPeriodMs = duration('retryPeriod', CONFIG_DEFAULTS.retryPeriodMs);
  // client-go's rule: a leader must give up before its Lease can be taken, and retry in time.
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    problems.push(
      `${CONFIG_KEYS.retryPeriod} < ${CONFIG_KEYS.renewDeadline} < ${CONFIG_KEYS.leaseDuration} ` +
        `must hold (got ${retryPeriodMs} ms, ${renewDeadlineMs} ms, ${leaseDurationMs} ms)`,
    );
  }
  const podName = env['POD_NAME'];
  return {
    enabled: bool('leaderElect', CONFIG_DEFAULTS.leaderElect),
    namespace: text('leaseNamespace') ?? where.controllerNamespace,
    // Each shard elects its own leader.
    name: text('leaseName') ?? shardLeaseName(CONFIG_DEFAULTS.leaseName, where.shard),
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    identity: podName === undefined || podName === '' ? undefined : podName,
  };
}
