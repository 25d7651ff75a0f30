// What kstatus, Flux (the shipped healthCheckExprs) and Argo CD (the shipped health Lua) make of
// Canary objects, asked of hack/health-checker: a Go program that runs those projects' own code.
// It is built by hack/build-health-checker.sh (hack/setup.sh runs it) into the cache, under a name
// carrying a hash of its sources; this module finds it by the same hash and never builds it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(REPO, 'hack', 'health-checker');
const BUILD = 'bash hack/build-health-checker.sh';

export interface Verdict {
  readonly status: string;
  readonly message: string;
  readonly error?: string;
}

export interface HealthReport {
  readonly name: string;
  readonly kstatus: Verdict;
  readonly flux: Verdict;
  readonly argocd: Verdict;
}

/** The path hack/build-health-checker.sh builds to (same cache dir, same hash of the same bytes). */
export function healthCheckerPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env['WEIGHTLIFTER_CACHE'] ??
    join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'weightlifter');
  const files = [
    'go.mod',
    'go.sum',
    ...readdirSync(SOURCES)
      .filter((f) => f.endsWith('.go'))
      .sort(),
  ];
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(join(SOURCES, f)));
  return join(cache, 'bin', `health-checker-${hash.digest('hex').slice(0, 16)}`);
}

/** The checker binary; throws, naming the command that builds it, when it is not there. */
export function requireHealthChecker(): string {
  const bin = healthCheckerPath();
  try {
    accessSync(bin, constants.X_OK);
  } catch (err) {
    throw new Error(
      `the GitOps health checker ${bin} is not built (or its sources changed since): run \`${BUILD}\` ` +
        '(or `bash hack/setup.sh`, which runs it) with Go >= 1.26 installed',
      { cause: err },
    );
  }
  return bin;
}

export interface CheckOptions {
  /** The Kustomization holding healthCheckExprs. @default deploy/flux/podinfo.yaml */
  readonly fluxFile?: string;
  /** The argocd-cm ConfigMap. @default deploy/argocd/argocd-cm.yaml */
  readonly argocdFile?: string;
}

/** Runs the checker over `objects` (plain JSON as the API server returns them), in order. */
export function checkHealth(
  objects: readonly unknown[],
  opts: CheckOptions = {},
): Promise<HealthReport[]> {
  const bin = requireHealthChecker();
  const args = [
    '-flux',
    opts.fluxFile ?? join(REPO, 'deploy', 'flux', 'podinfo.yaml'),
    '-argocd',
    opts.argocdFile ?? join(REPO, 'deploy', 'argocd', 'argocd-cm.yaml'),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${bin} exited with ${String(code)}: ${err}`));
        return;
      }
      resolve(JSON.parse(out) as HealthReport[]);
    });
    child.stdin.end(JSON.stringify(objects));
  });
}
