// `weightlifter dashboard`: the web dashboard, with the user's kubeconfig identity. Registered on
// the main program by src/cli/main.ts.
import { Command, InvalidArgumentError, Option } from 'commander';
import { isWeightlifterError } from '../errors/catalogue.js';
import { createKubeClients } from '../kube/client.js';
import { MESHES, type MeshName } from '../metrics/mesh-queries.js';
import { onShutdownSignal } from '../runtime/shutdown.js';
import { createRootLogger } from '../telemetry/logger.js';
import { DEFAULT_DASHBOARD_ADDRESS, startDashboard } from './start.js';

/** `host:port`, `[v6]:port` or `:port` (the default host). */
export function parseAddress(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected host:port, e.g. 127.0.0.1:3100');
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? DEFAULT_DASHBOARD_ADDRESS.host : host, port };
}

/** An http(s) base URL without user info, query or fragment (no credential on a command line). */
export function parsePrometheusUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    // Not a URL; commander reports the argument error.
    throw new InvalidArgumentError('expected an http(s) URL, e.g. http://127.0.0.1:9090');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new InvalidArgumentError('expected an http(s) URL, e.g. http://127.0.0.1:9090');
  }
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') {
    throw new InvalidArgumentError('expected a URL without user info, query or fragment');
  }
  return value;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const collect = (value: string, previous: string[]): string[] => [
  ...previous,
  ...value.split(',').filter((s) => s !== ''),
];

export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description(
      'serve the web dashboard: every Canary at a glance, each run as charts, operations at a click',
    )
    .option(
      '--address <host:port>',
      'where to listen (loopback by default; anything else is reachable by others)',
      parseAddress,
      DEFAULT_DASHBOARD_ADDRESS,
    )
    .option(
      '-n, --namespace <namespace>',
      'namespace to show; repeat or comma-separate for more (default: all the identity may watch, else the context namespace)',
      collect,
      [],
    )
    .option('--read-only', 'no operations: the buttons are hidden and the server refuses them')
    .option(
      '--prometheus-url <url>',
      "chart the canary's and the primary's series of each check; the server queries this Prometheus",
      parsePrometheusUrl,
    )
    .addOption(
      new Option(
        '--mesh <mesh>',
        "whose metrics chart trafficMetrics checks, as the controller's --mesh (default linkerd)",
      ).choices(MESHES),
    )
    .option(
      '--kubeconfig <path>',
      "kubeconfig file (default: KUBECONFIG's first file, ~/.kube/config)",
    )
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .addHelpText(
      'after',
      `
The dashboard acts with your kubeconfig identity: Kubernetes RBAC decides which Canaries you see
and which operations you may request. Operations write the same annotation as the CLI's
promote/abort/retry/pause/resume.`,
    )
    .action(async (opts: Record<string, unknown>) => {
      try {
        await serve(opts);
      } catch (err) {
        const cause =
          err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
        const code = isWeightlifterError(err) ? ` [${err.code}]` : '';
        process.stderr.write(
          `weightlifter: ${err instanceof Error ? err.message : String(err)}${cause}${code}\n`,
        );
        process.exitCode = 1;
      }
    });
}

async function serve(opts: Record<string, unknown>): Promise<void> {
  const logger = createRootLogger({ level: 'warn' });
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const clients = createKubeClients({
    kubeconfigPath: str(opts['kubeconfig']),
    context: str(opts['context']),
    requestTimeoutMs: 15_000,
  });
  const address = opts['address'] as { host: string; port: number };
  const dashboard = await startDashboard({
    raw: clients.raw,
    logger,
    namespaces: opts['namespace'] as string[],
    contextNamespace: clients.kc.namespace,
    readOnly: opts['readOnly'] === true,
    address,
    ...(typeof opts['prometheusUrl'] === 'string' ? { prometheusUrl: opts['prometheusUrl'] } : {}),
    ...(typeof opts['mesh'] === 'string' ? { mesh: opts['mesh'] as MeshName } : {}),
  });
  const scope = dashboard.namespaces?.join(', ') ?? 'all namespaces';
  const mode =
    (opts['readOnly'] === true ? '; read-only' : '') +
    (typeof opts['prometheusUrl'] === 'string' ? `; series from ${opts['prometheusUrl']}` : '');
  process.stdout.write(`weightlifter dashboard: ${dashboard.url} (${scope}${mode})\n`);
  if (!LOOPBACK.has(address.host)) {
    process.stderr.write(
      `weightlifter: listening on ${address.host}, not loopback: anyone who reaches it acts with your identity\n`,
    );
  }
  onShutdownSignal(() => dashboard.stop(), { logger });
}
