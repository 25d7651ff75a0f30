// `weightlifter metrics-api`: the SMI TrafficMetrics aggregated API server. Registered on the
// main program by src/cli/main.ts.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { onShutdownSignal } from '../runtime/shutdown.js';
import { isMeshName, MESHES, type MeshName } from '../metrics/mesh-queries.js';
import { createRootLogger, isLogLevel, LOG_LEVELS, type LogLevel } from '../telemetry/logger.js';
import { runMetricsApi } from './run.js';

export interface MetricsApiFlags {
  readonly securePort: number;
  readonly bindAddress: string;
  readonly certDir?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly prometheusUrl: string;
  readonly mesh: MeshName;
  readonly kubeconfig?: string;
  readonly clientCa?: string;
  readonly requestheaderAllowedNames?: string;
  readonly tokenAuth: boolean;
  readonly logLevel: LogLevel;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('expected a port number 0-65535');
  }
  return n;
}

export function registerMetricsApiCommand(program: Command): Command {
  return program
    .command('metrics-api')
    .description(
      'serve the SMI TrafficMetrics API (metrics.smi-spec.io/v1alpha1) as an aggregated API ' +
        'server, computed from Prometheus',
    )
    .option('--secure-port <port>', 'HTTPS port', port, 8443)
    .option('--bind-address <address>', 'address to listen on (0.0.0.0 in a pod)', '127.0.0.1')
    .option('--cert-dir <dir>', 'directory with tls.crt and tls.key (a mounted TLS Secret)')
    .option('--tls-cert <file>', 'serving certificate (PEM); SANs must include <svc>.<ns>.svc')
    .option('--tls-key <file>', 'serving key (PEM)')
    .requiredOption('--prometheus-url <url>', 'Prometheus base URL, e.g. http://prometheus:9090')
    .addOption(
      new Option('--mesh <mesh>', 'whose metrics Prometheus holds')
        .choices(MESHES)
        .default('linkerd'),
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig for delegated authentication/authorization (default: in-cluster, $KUBECONFIG)',
    )
    .option(
      '--client-ca <file>',
      'CA bundle of the front-proxy client certificate (default: requestheader-client-ca-file ' +
        'of kube-system/extension-apiserver-authentication)',
    )
    .option(
      '--requestheader-allowed-names <names>',
      'comma-separated CNs allowed to act as the front proxy (default: from the ConfigMap)',
    )
    .option('--no-token-auth', 'refuse bearer tokens of direct callers (no TokenReview)')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .action(async (flags: MetricsApiFlags) => {
      await startFromFlags(flags);
    });
}

export async function startFromFlags(flags: MetricsApiFlags): Promise<void> {
  const logger = createRootLogger({ level: isLogLevel(flags.logLevel) ? flags.logLevel : 'info' });
  if (!isMeshName(flags.mesh)) throw new InvalidArgumentError(`unknown mesh ${String(flags.mesh)}`);
  const server = await runMetricsApi({
    host: flags.bindAddress,
    port: flags.securePort,
    ...(flags.certDir === undefined ? {} : { certDir: flags.certDir }),
    ...(flags.tlsCert === undefined ? {} : { tlsCertFile: flags.tlsCert }),
    ...(flags.tlsKey === undefined ? {} : { tlsKeyFile: flags.tlsKey }),
    prometheusUrl: flags.prometheusUrl,
    mesh: flags.mesh,
    ...(flags.kubeconfig === undefined ? {} : { kubeconfigPath: flags.kubeconfig }),
    ...(flags.clientCa === undefined ? {} : { clientCaFile: flags.clientCa }),
    ...(flags.requestheaderAllowedNames === undefined
      ? {}
      : {
          allowedNames: flags.requestheaderAllowedNames
            .split(',')
            .map((n) => n.trim())
            .filter((n) => n !== ''),
        }),
    acceptTokens: flags.tokenAuth,
    logger,
  });
  onShutdownSignal(() => server.close(), { logger });
}
