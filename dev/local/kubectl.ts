import { spawn, type ChildProcess } from 'node:child_process';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';

export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export type Kubectl = (
  args: readonly string[],
  opts?: { kubeconfig?: string; input?: string },
) => Promise<KubectlResult>;

/**
 * kubectl bound to a binary and a default kubeconfig. A non-zero exit is a result, not an error
 * (callers assert on it); only failing to run kubectl at all throws. Each kubectl is in
 * `inFlight` while it runs, so whoever stops the control plane can end the ones still running
 * (stopKubectls) instead of leaving them behind.
 */
export function kubectlFor(
  binary: string,
  defaultKubeconfig: string,
  cacheDir: string,
  inFlight: Set<ChildProcess> = new Set(),
): Kubectl {
  return (args, opts = {}) =>
    new Promise((resolve, reject) => {
      // Our own discovery cache: ~/.kube/cache is keyed by host:port, and a later control plane on
      // a reused port may serve different versions.
      const flags = [
        `--kubeconfig=${opts.kubeconfig ?? defaultKubeconfig}`,
        `--cache-dir=${cacheDir}`,
      ];
      const child = spawn(binary, [...flags, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        // A developer's KUBECONFIG or cache must not leak into what the test sees.
        env: { ...process.env, KUBECONFIG: opts.kubeconfig ?? defaultKubeconfig },
      });
      inFlight.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', (err) => {
        inFlight.delete(child);
        reject(
          new LocalClusterError(LOCAL_ERROR_CODES.KUBECTL_FAILED, `could not run ${binary}`, {
            cause: err,
          }),
        );
      });
      child.on('close', (code, signal) => {
        inFlight.delete(child);
        resolve({ stdout, stderr, code: code ?? (signal === null ? -1 : 128) });
      });
      child.stdin.on('error', (err: NodeJS.ErrnoException) => {
        // EPIPE: kubectl exited before reading its input; its exit code and stderr say why.
        if (err.code !== 'EPIPE')
          reject(
            new LocalClusterError(LOCAL_ERROR_CODES.KUBECTL_FAILED, 'kubectl stdin', {
              cause: err,
            }),
          );
      });
      child.stdin.end(opts.input ?? '');
    });
}

/**
 * Kills the kubectls still running (SIGKILL: the cluster they talk to is going away) and waits
 * until each has exited.
 */
export async function stopKubectls(inFlight: ReadonlySet<ChildProcess>): Promise<void> {
  await Promise.all(
    [...inFlight].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => {
            resolve();
          });
          child.kill('SIGKILL');
        }),
    ),
  );
}
