// What every ops subcommand shares: the cluster flags (--kubeconfig, --context, -n), the streams
// it writes to, and the clock. Everything is injected through CliDeps so tests drive the commands
// in-process against the real API server and read what they printed.
import type { Command } from 'commander';
import { createKubeClients, type KubeClients } from '../../kube/client.js';
import type { Env, OutputStream } from '../render/style.js';

export interface ClusterOptions {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
}

export interface CliDeps {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Env;
  readonly connect: (opts: ClusterOptions) => KubeClients;
  readonly now: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Ends `--watch` (the real CLI aborts it on SIGINT/SIGTERM). */
  readonly watchSignal: () => AbortSignal;
  readonly setExitCode: (code: number) => void;
  readonly readFile: (path: string) => Promise<string>;
}

export {
  ANALYSIS_TEMPLATE_REF,
  CANARY_REF,
  CLUSTER_ANALYSIS_TEMPLATE_REF,
} from '../../api/resources.js';

/** Exit codes: 0 success, 1 failure or problems found, 2 an operation was not acknowledged in time. */
export const EXIT = { ok: 0, failed: 1, notAcknowledged: 2 } as const;

/** Adds the cluster flags to a subcommand (local flags: a root-level option would take them from `run`). */
export function withClusterOptions(cmd: Command): Command {
  return cmd
    .option(
      '--kubeconfig <path>',
      "kubeconfig file (default: KUBECONFIG's first file, ~/.kube/config)",
    )
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .option(
      '-n, --namespace <namespace>',
      "namespace (default: the context's namespace, else default)",
    );
}

export function clusterOptions(opts: Record<string, unknown>): ClusterOptions {
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : undefined;
  return {
    kubeconfig: str(opts['kubeconfig']),
    context: str(opts['context']),
    namespace: str(opts['namespace']),
  };
}

export function connectDefault(opts: ClusterOptions): KubeClients {
  return createKubeClients({
    kubeconfigPath: opts.kubeconfig,
    context: opts.context,
    requestTimeoutMs: 15_000,
  });
}

/** -n, else the kubeconfig context's namespace, else `default` (kubectl's rule). */
export function namespaceOf(clients: KubeClients, opts: ClusterOptions): string {
  if (opts.namespace !== undefined) return opts.namespace;
  return clients.kc.namespace ?? 'default';
}

export function writeLines(stream: OutputStream, lines: readonly string[]): void {
  stream.write(lines.map((l) => `${l}\n`).join(''));
}
