import { spawn } from 'node:child_process';
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
 * (callers assert on it); only failing to run kubectl at all throws.
 */
export function kubectlFor(binary: string, defaultKubeconfig: string, cacheDir: string): Kubectl {
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
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', (err) => {
        reject(
          new LocalClusterError(LOCAL_ERROR_CODES.KUBECTL_FAILED, `could not run ${binary}`, {
            cause: err,
          }),
        );
      });
      child.on('close', (code, signal) => {
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
