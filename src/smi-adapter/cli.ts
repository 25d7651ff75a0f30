// `weightlifter smi-adapter`: translates SMI TrafficSplits into Gateway API HTTPRoutes, for meshes
// that serve Gateway API only. Registered on the main program by src/cli/main.ts.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DNS_LABEL, parseHostPort, parseList } from '../config/parse.js';
import { onShutdownSignal } from '../runtime/shutdown.js';
import { createRootLogger, LOG_LEVELS, type LogLevel } from '../telemetry/logger.js';
import { startSmiAdapter } from './run.js';

export interface SmiAdapterFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespaces?: string;
  readonly concurrency: number;
  readonly leaderElect: boolean;
  readonly leaseNamespace?: string;
  readonly leaseName: string;
  readonly healthAddress: string;
  readonly logLevel: LogLevel;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return n;
}

function namespaces(value: string): string {
  const bad = parseList(value).filter((ns) => !DNS_LABEL.test(ns));
  if (bad.length > 0) throw new InvalidArgumentError(`not namespace names: ${bad.join(', ')}`);
  return value;
}

function hostPort(value: string): string {
  const problems: string[] = [];
  parseHostPort(value, '--health-address', problems);
  if (problems.length > 0) throw new InvalidArgumentError(problems.join('; '));
  return value;
}

export function registerSmiAdapterCommand(program: Command): Command {
  return program
    .command('smi-adapter')
    .description(
      'translate SMI TrafficSplits (v1alpha1-v1alpha4, with HTTPRouteGroup matches) into the ' +
        'equivalent Gateway API HTTPRoutes, for a mesh that serves Gateway API only',
    )
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .option(
      '--namespaces <list>',
      'comma-separated namespaces whose TrafficSplits are translated (default: all)',
      namespaces,
    )
    .option('--concurrency <n>', 'reconciles running at once', positive, 4)
    .option('--leader-elect', 'elect a leader through a Lease before translating', false)
    .option(
      '--lease-namespace <ns>',
      'namespace of the leader Lease (default: POD_NAMESPACE or weightlifter-system)',
    )
    .option('--lease-name <name>', 'name of the leader Lease', 'weightlifter-smi-adapter')
    .option(
      '--health-address <host:port>',
      '/healthz, /readyz and /metrics',
      hostPort,
      '127.0.0.1:8081',
    )
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .action(async (flags: SmiAdapterFlags) => {
      await startFromFlags(flags);
    });
}

export async function startFromFlags(flags: SmiAdapterFlags): Promise<void> {
  const logger = createRootLogger({ level: flags.logLevel });
  const list = flags.namespaces === undefined ? [] : parseList(flags.namespaces);
  try {
    const adapter = await startSmiAdapter({
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      namespaces: list.length === 0 ? 'all' : list,
      concurrency: flags.concurrency,
      leaderElection: {
        enabled: flags.leaderElect,
        namespace: flags.leaseNamespace ?? process.env['POD_NAMESPACE'] ?? 'weightlifter-system',
        name: flags.leaseName,
      },
      health: parseHostPort(flags.healthAddress, '--health-address', []),
      logger,
      ...(process.env['POD_NAME'] === undefined ? {} : { identity: process.env['POD_NAME'] }),
    });
    onShutdownSignal(() => adapter.stop(), { logger });
  } catch (err) {
    logger.fatal({ err }, 'smi-adapter failed to start');
    process.exitCode = 1;
  }
}
