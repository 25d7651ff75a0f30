// `weightlifter run`: the controller entry point. Flags mirror the WEIGHTLIFTER_* environment
// variables (src/config/keys.ts); flags win, then the environment, then defaults.
import { Command, Option } from 'commander';
import { resolveConfig, type ConfigFlags } from '../config/config.js';
import { CONFIG_KEYS, ENV_NAMES, type ConfigKey } from '../config/keys.js';
import { onShutdownSignal } from '../runtime/shutdown.js';
import { startController } from '../main.js';
import { createRootLogger } from '../telemetry/logger.js';
import { isWeightlifterError } from '../errors/catalogue.js';

const HELP: Record<ConfigKey, string> = {
  kubeconfig: "kubeconfig file (default: KUBECONFIG's first file, ~/.kube/config, or in-cluster)",
  context: 'kubeconfig context (default: its current-context)',
  namespaces: 'comma-separated namespaces to watch (default: all)',
  controllerNamespace:
    'namespace the controller runs in (default: POD_NAMESPACE or weightlifter-system)',
  prometheusUrl: 'Prometheus base URL used by analysis by default (required)',
  mesh: 'mesh whose metrics compute trafficMetrics: linkerd, istio or osm (default linkerd)',
  trafficMetrics: 'trafficMetrics source: auto, api or computed (default auto)',
  routingProvider:
    'routing API of Canaries that set no spec.routing.provider: auto, smi or gatewayapi (default auto)',
  concurrency: 'reconciles running at once (default 16)',
  maxConcurrentRuns: 'canaries in a run at once across the cluster, 0 = unlimited (default 0)',
  leaderElect: 'elect a leader through a Lease before reconciling (default false)',
  leaseNamespace: 'namespace of the leader Lease (default: the controller namespace)',
  leaseName:
    'name of the leader Lease (default weightlifter-controller, plus -<shard> with --watch-label-selector)',
  leaseDuration:
    'how long a Lease holds without renewal; a dead leader is replaced after it (default 15s)',
  renewDeadline:
    'the leader stops acting if it cannot renew for this long; each Lease request is abandoned after half of it (default 10s)',
  retryPeriod: 'pause between Lease acquire/renew attempts (default 2s)',
  healthAddress: 'host:port of /healthz, /readyz and /metrics (default 127.0.0.1:8080)',
  logLevel: 'fatal, error, warn, info, debug or trace (default info)',
  allowedHosts:
    'comma-separated hosts webhooks and template metrics may call (default: any outside the blocked ranges)',
  allowedCidrs:
    'comma-separated CIDRs webhooks and template metrics may call (default: any outside the blocked ranges)',
  unblockCidrs:
    'comma-separated CIDRs inside the blocked ranges (loopback, link-local, cloud metadata) webhooks and template metrics may call anyway (default: none)',
  endpointGate: 'send weight only to backends with ready endpoints (default true)',
  notifyConfig:
    'YAML/JSON file of alert providers (slack, msteams, discord, generic), e.g. a mounted ConfigMap (default: no alerts)',
  idleScaleAttempts:
    'scale-downs of an idle target a GitOps tool keeps scaling up, the routine one included, before leaving it (default 3)',
  idleScaleBackoff: 'pause before the 2nd such scale-down, doubling after (default 60s)',
  watchLabelSelector:
    'shard: reconcile only Canaries (and use only objects) whose weightlifter.io/shard label this selects, e.g. "weightlifter.io/shard in (a)"; the Lease name gets the shard (default: all)',
};

const BOOLEAN: ReadonlySet<ConfigKey> = new Set(['leaderElect', 'endpointGate']);

/** commander's property name for a flag: --max-concurrent-runs -> maxConcurrentRuns. */
const property = (flag: string): string =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function flagsFromOptions(options: Record<string, unknown>): ConfigFlags {
  const flags: ConfigFlags = {};
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const v = options[property(CONFIG_KEYS[key])];
    if (typeof v === 'string' || typeof v === 'boolean') flags[key] = v;
  }
  return flags;
}

export function runCommand(): Command {
  const cmd = new Command('run').description('run the canary controller');
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const flag = CONFIG_KEYS[key];
    const help = `${HELP[key]} [env ${ENV_NAMES[key]}]`;
    if (BOOLEAN.has(key)) {
      cmd.addOption(new Option(`${flag} [bool]`, help));
      cmd.addOption(new Option(`--no-${flag.slice(2)}`, `same as ${flag}=false`));
    } else {
      cmd.addOption(new Option(`${flag} <value>`, help));
    }
  }
  cmd.action(async (options: Record<string, unknown>) => {
    let config;
    try {
      config = resolveConfig(flagsFromOptions(options), process.env);
    } catch (err) {
      if (!isWeightlifterError(err, 'WL_CONFIG_INVALID')) throw err;
      process.stderr.write(`weightlifter: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    const logger = createRootLogger({ level: config.logLevel });
    try {
      const running = await startController(config, { logger });
      onShutdownSignal(() => running.stop(), { logger });
      void running.restartRequired.then(async (why) => {
        logger.warn({ why }, 'restarting to pick up a change in the cluster');
        await running.stop();
        process.exit(1);
      });
    } catch (err) {
      logger.fatal({ err }, 'controller failed to start');
      process.exitCode = 1;
    }
  });
  return cmd;
}
