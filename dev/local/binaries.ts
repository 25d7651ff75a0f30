import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import { repoRoot } from './paths.js';

/** Where each control-plane binary lives; optional ones are absent when they could not be had. */
export interface Binaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
  readonly kubectl: string;
  readonly kubeControllerManager?: string;
  readonly kubeScheduler?: string;
  readonly kwok?: string;
  /** Why an optional binary is missing, for logs and reports. */
  readonly notes: readonly string[];
}

export const BINARY_NAMES = {
  kubeApiserver: 'kube-apiserver',
  etcd: 'etcd',
  kubectl: 'kubectl',
  kubeControllerManager: 'kube-controller-manager',
  kubeScheduler: 'kube-scheduler',
  kwok: 'kwok',
} as const;
type Key = keyof typeof BINARY_NAMES;
const REQUIRED: readonly Key[] = ['kubeApiserver', 'etcd', 'kubectl'];
const OPTIONAL: readonly Key[] = ['kubeControllerManager', 'kubeScheduler', 'kwok'];

export const INSTALL_GO_HINT =
  'install the Go toolchain >= 1.26 (the official Go tarball for your platform; any Go >= 1.21 ' +
  "also works, it fetches 1.26 through the Go module proxy; Debian 12's golang-go 1.19 is too old) " +
  'so hack/build-binaries.sh can build them, or set KUBEBUILDER_ASSETS to a directory holding ' +
  'kube-apiserver, etcd and kubectl';

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Runs hack/build-binaries.sh and returns the directory it printed (injectable for unit tests). */
  build?: () => Promise<string>;
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' ||
      (err as NodeJS.ErrnoException).code === 'EACCES'
    )
      return false;
    throw err;
  }
};

const find = (dir: string, key: Key): string | undefined => {
  const path = join(dir, BINARY_NAMES[key]);
  return isExecutable(path) ? path : undefined;
};

type Found = Partial<Record<Key, string>>;

/** Fills in, from `dir`, the binaries `found` still lacks. */
function collect(found: Found, dir: string, keys: readonly Key[]): void {
  for (const key of keys) {
    const path = found[key] ?? find(dir, key);
    if (path !== undefined) found[key] = path;
  }
}

function toBinaries(found: Found, notes: readonly string[], source: string): Binaries {
  const required = (key: Key): string => {
    const path = found[key];
    if (path === undefined) {
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.BINARY_MISSING,
        `${BINARY_NAMES[key]} was not found in ${source}; ${INSTALL_GO_HINT}`,
        {
          details: { binary: BINARY_NAMES[key], source },
        },
      );
    }
    return path;
  };
  const optional = <K extends 'kubeControllerManager' | 'kubeScheduler' | 'kwok'>(
    key: K,
  ): { [P in K]?: string } =>
    (found[key] === undefined ? {} : { [key]: found[key] }) as { [P in K]?: string };
  return {
    kubeApiserver: required('kubeApiserver'),
    etcd: required('etcd'),
    kubectl: required('kubectl'),
    ...optional('kubeControllerManager'),
    ...optional('kubeScheduler'),
    ...optional('kwok'),
    notes,
  };
}

/**
 * KUBEBUILDER_ASSETS first (the envtest convention; it must hold kube-apiserver and etcd), then
 * the build cache filled by hack/build-binaries.sh for everything else.
 */
export async function resolveBinaries(opts: ResolveOptions = {}): Promise<Binaries> {
  const env = opts.env ?? process.env;
  const build = opts.build ?? (() => runBuildScript(env));
  const found: Found = {};
  const notes: string[] = [];
  const assets = env['KUBEBUILDER_ASSETS'];
  if (assets !== undefined && assets !== '') {
    for (const key of ['kubeApiserver', 'etcd'] as const) {
      if (find(assets, key) === undefined) {
        throw new LocalClusterError(
          LOCAL_ERROR_CODES.BINARY_MISSING,
          `KUBEBUILDER_ASSETS=${assets} has no executable ${BINARY_NAMES[key]}; point it at a directory holding kube-apiserver and etcd, or unset it to build them with hack/build-binaries.sh`,
          { details: { dir: assets, binary: BINARY_NAMES[key] } },
        );
      }
    }
    collect(found, assets, [...REQUIRED, ...OPTIONAL]);
  }
  const missing = [...REQUIRED, ...OPTIONAL].filter((k) => found[k] === undefined);
  if (missing.length > 0) {
    const names = missing.map((k) => BINARY_NAMES[k]).join(', ');
    try {
      collect(found, await build(), missing);
    } catch (err) {
      // Without kubectl nothing works; without the optional ones the cluster is only smaller.
      if (missing.some((k) => REQUIRED.includes(k))) throw err;
      notes.push(`${names} not available: ${(err as Error).message}`);
    }
  }
  for (const key of OPTIONAL) {
    if (found[key] === undefined && !notes.some((n) => n.includes(BINARY_NAMES[key]))) {
      notes.push(
        `${BINARY_NAMES[key]} is not available (see the output of hack/build-binaries.sh)`,
      );
    }
  }
  if (notes.length > 0) opts.logger?.warn({ notes }, 'optional control-plane binaries missing');
  return toBinaries(
    found,
    notes,
    assets === undefined || assets === ''
      ? 'the build cache'
      : `KUBEBUILDER_ASSETS=${assets} or the build cache`,
  );
}

/** Exit status hack/build-binaries.sh uses when `go` is not on PATH. */
const EXIT_NO_GO = 3;

/** Runs the idempotent build script (seconds when cached, about ten minutes cold on 2 cores). */
export function runBuildScript(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const script = join(repoRoot(), 'hack', 'build-binaries.sh');
  return new Promise((resolve, reject) => {
    // stderr is inherited so a cold build shows its progress instead of looking hung.
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', (err) => {
      reject(
        new LocalClusterError(LOCAL_ERROR_CODES.BUILD_FAILED, `could not run ${script}`, {
          cause: err,
        }),
      );
    });
    child.on('close', (code) => {
      const dir = out.trim().split('\n').pop() ?? '';
      if (code === 0 && dir !== '') {
        resolve(dir);
        return;
      }
      if (code === EXIT_NO_GO) {
        reject(
          new LocalClusterError(
            LOCAL_ERROR_CODES.GO_TOOLCHAIN_MISSING,
            `kube-apiserver and etcd are not available: ${INSTALL_GO_HINT}`,
          ),
        );
        return;
      }
      reject(
        new LocalClusterError(
          LOCAL_ERROR_CODES.BUILD_FAILED,
          `${script} failed with exit code ${code ?? 'signal'}`,
          {
            details: { script, code },
          },
        ),
      );
    });
  });
}

/** The binaries in one directory (ControlPlaneOptions.binDir): no build, no fallback. */
export function binariesInDir(dir: string): Binaries {
  const found: Found = {};
  collect(found, dir, [...REQUIRED, ...OPTIONAL]);
  const notes = OPTIONAL.filter((k) => found[k] === undefined).map(
    (k) => `${BINARY_NAMES[k]} is not in ${dir}`,
  );
  return toBinaries(found, notes, dir);
}
