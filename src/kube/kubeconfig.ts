// Where the API server is and who we are to it: a kubeconfig file (the fields kubectl users have
// in practice) or the in-cluster ServiceAccount. Only the first file of a colon-separated
// KUBECONFIG list is read (kubectl merges them all). Anything this does not implement (legacy
// auth-provider plugins, basic auth, impersonation, proxies) is refused with a clear error rather
// than connecting without it.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { WeightlifterError } from '../errors/catalogue.js';
import {
  ClientCertFiles,
  ExecPlugin,
  TokenFile,
  combineCredentials,
  staticCredentials,
  type CredentialSource,
  type ExecCluster,
  type ExecConfig,
} from './credentials.js';

export interface ClusterTls {
  /** PEM; undefined = the system's trusted CAs. */
  readonly ca: Buffer | undefined;
  readonly insecureSkipVerify: boolean;
  /** SNI and certificate name to expect instead of the server URL's host. */
  readonly serverName: string | undefined;
}

/** One resolved context: the server, its TLS trust, our credentials and the default namespace. */
export interface KubeConfig {
  /** The file it came from, or `in-cluster`. */
  readonly source: string;
  readonly context: string;
  readonly server: string;
  readonly namespace: string | undefined;
  readonly tls: ClusterTls;
  readonly credentials: CredentialSource;
}

export interface LoadOptions {
  /** Kubeconfig file; undefined = KUBECONFIG (its first file), ~/.kube/config, in-cluster. */
  readonly kubeconfigPath?: string | undefined;
  /** Context to use instead of the file's current-context. */
  readonly context?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly serviceAccountDir?: string;
  readonly now?: () => number;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function loadKubeConfig(opts: LoadOptions = {}): KubeConfig {
  const env = opts.env ?? process.env;
  const now = opts.now ?? Date.now;
  const explicit = opts.kubeconfigPath ?? firstOf(env['KUBECONFIG']);
  const home = join(opts.home ?? homedir(), '.kube', 'config');
  const path = explicit ?? (existsSync(home) ? home : undefined);
  if (path !== undefined) return fromFile(path, opts.context, now);
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined && opts.context === undefined) {
    return inCluster(env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, now);
  }
  throw invalid('no kubeconfig: set --kubeconfig or KUBECONFIG, or run in a cluster', {
    context: opts.context,
  });
}

function firstOf(list: string | undefined): string | undefined {
  const first = list?.split(':').find((p) => p !== '');
  return first === undefined || first === '' ? undefined : first;
}

function invalid(message: string, details: Record<string, unknown>, cause?: unknown) {
  return new WeightlifterError('WL_KUBECONFIG_INVALID', message, {
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}

export function inCluster(env: NodeJS.ProcessEnv, dir: string, now: () => number): KubeConfig {
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(dir, file));
    } catch (cause) {
      throw invalid(`in-cluster: cannot read ${join(dir, file)}`, { file }, cause);
    }
  };
  const namespace = existsSync(join(dir, 'namespace'))
    ? read('namespace').toString('utf8').trim()
    : undefined;
  return {
    source: 'in-cluster',
    context: 'in-cluster',
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    namespace,
    tls: { ca: read('ca.crt'), insecureSkipVerify: false, serverName: undefined },
    credentials: new TokenFile(join(dir, 'token'), now),
  };
}

type Yaml = Record<string, unknown>;

function fromFile(path: string, context: string | undefined, now: () => number): KubeConfig {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw invalid(`cannot read kubeconfig ${path}`, { path }, cause);
  }
  if (!isObject(doc)) throw invalid(`kubeconfig ${path} is not a mapping`, { path });
  return resolveKubeConfig(doc, { path, context, now });
}

/** Resolves the chosen context of a parsed kubeconfig; relative paths are relative to `path`. */
export function resolveKubeConfig(
  doc: Yaml,
  opts: { path: string; context?: string | undefined; now: () => number },
): KubeConfig {
  const { path } = opts;
  const contextName = opts.context ?? str(doc['current-context']);
  if (contextName === undefined || contextName === '') {
    throw invalid(`kubeconfig ${path} has no current-context`, { path });
  }
  const where = { path, context: contextName };
  const ctx = named(doc, 'contexts', 'context', contextName, where);
  const clusterName = str(ctx['cluster']) ?? '';
  const cluster = named(doc, 'clusters', 'cluster', clusterName, where);
  const userName = str(ctx['user']);
  const user = userName === undefined ? {} : named(doc, 'users', 'user', userName, where);
  const server = str(cluster['server']);
  if (server === undefined || server === '') {
    throw invalid(`kubeconfig ${path}: cluster ${clusterName} has no server`, where);
  }
  if (cluster['proxy-url'] !== undefined) {
    throw invalid(
      `kubeconfig ${path}: cluster ${clusterName} sets proxy-url, not supported`,
      where,
    );
  }
  const base = dirname(path);
  const file = (p: unknown): string | undefined => {
    const s = str(p);
    return s === undefined || s === '' ? undefined : isAbsolute(s) ? s : join(base, s);
  };
  const bytes = (data: unknown, filePath: unknown, what: string): Buffer | undefined => {
    const d = str(data);
    if (d !== undefined && d !== '') return Buffer.from(d, 'base64');
    const f = file(filePath);
    if (f === undefined) return undefined;
    try {
      return readFileSync(f);
    } catch (cause) {
      throw invalid(`kubeconfig ${path}: cannot read ${what} ${f}`, where, cause);
    }
  };
  const tls: ClusterTls = {
    ca: bytes(cluster['certificate-authority-data'], cluster['certificate-authority'], 'CA'),
    insecureSkipVerify: cluster['insecure-skip-tls-verify'] === true,
    serverName: str(cluster['tls-server-name']),
  };
  const ns = str(ctx['namespace']);
  return {
    source: path,
    context: contextName,
    server: server.replace(/\/+$/, ''),
    namespace: ns === '' ? undefined : ns,
    tls,
    credentials: credentialsOf(user, { ...where, user: userName }, file, bytes, opts.now, {
      server,
      tls,
    }),
  };
}

const UNSUPPORTED_USER_FIELDS = ['auth-provider', 'username', 'password', 'as', 'as-groups'];

function credentialsOf(
  user: Yaml,
  where: Record<string, unknown>,
  file: (p: unknown) => string | undefined,
  bytes: (data: unknown, path: unknown, what: string) => Buffer | undefined,
  now: () => number,
  cluster: ExecCluster,
): CredentialSource {
  for (const field of UNSUPPORTED_USER_FIELDS) {
    if (user[field] !== undefined) {
      const hint =
        field === 'auth-provider'
          ? ' (legacy auth-provider plugins are gone from kubectl too; use an exec plugin)'
          : '';
      throw invalid(
        `kubeconfig ${String(where['path'])}: user ${String(where['user'])} uses ${field}, which weightlifter does not support${hint}`,
        { ...where, field },
      );
    }
  }
  const sources: CredentialSource[] = [];
  const certFile = file(user['client-certificate']);
  const keyFile = file(user['client-key']);
  const hasCertData = str(user['client-certificate-data']) !== undefined;
  const hasKeyData = str(user['client-key-data']) !== undefined;
  if (hasCertData || hasKeyData || certFile !== undefined || keyFile !== undefined) {
    if (certFile !== undefined && keyFile !== undefined && !hasCertData && !hasKeyData) {
      sources.push(new ClientCertFiles(certFile, keyFile));
    } else {
      const cert = bytes(
        user['client-certificate-data'],
        user['client-certificate'],
        'certificate',
      );
      const key = bytes(user['client-key-data'], user['client-key'], 'key');
      if (cert === undefined || key === undefined) {
        throw invalid(
          `kubeconfig ${String(where['path'])}: a client certificate needs its key`,
          where,
        );
      }
      sources.push(staticCredentials({ cert, key }));
    }
  }
  const token = str(user['token']);
  const tokenFile = file(user['tokenFile']);
  if (token !== undefined && token !== '') sources.push(staticCredentials({ token }));
  else if (tokenFile !== undefined) sources.push(new TokenFile(tokenFile, now));
  const exec = user['exec'];
  if (exec !== undefined) {
    if (!isObject(exec)) throw invalid('kubeconfig: user exec is not a mapping', where);
    sources.push(new ExecPlugin(execConfig(exec, where, file), cluster, now));
  }
  return combineCredentials(sources);
}

const EXEC_VERSIONS = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
] as const;

function execConfig(
  exec: Yaml,
  where: Record<string, unknown>,
  file: (p: unknown) => string | undefined,
): ExecConfig {
  const apiVersion = str(exec['apiVersion']) ?? '';
  if (!(EXEC_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw invalid(`kubeconfig: exec plugin apiVersion "${apiVersion}" is not supported`, {
      ...where,
      supported: EXEC_VERSIONS,
    });
  }
  const command = str(exec['command']) ?? '';
  if (command === '') throw invalid('kubeconfig: exec plugin has no command', where);
  if (exec['interactiveMode'] === 'Always') {
    throw invalid(
      'kubeconfig: exec plugin needs interactiveMode Always; weightlifter has no terminal for it',
      where,
    );
  }
  const args = Array.isArray(exec['args']) ? exec['args'].map(String) : [];
  const env: Record<string, string> = {};
  for (const e of Array.isArray(exec['env']) ? (exec['env'] as unknown[]) : []) {
    if (isObject(e) && typeof e['name'] === 'string') env[e['name']] = str(e['value']) ?? '';
  }
  return {
    apiVersion: apiVersion as ExecConfig['apiVersion'],
    // Like kubectl: a command with a path separator is relative to the kubeconfig's directory.
    command: command.includes('/') ? (file(command) ?? command) : command,
    args,
    env,
    installHint: str(exec['installHint']),
    provideClusterInfo: exec['provideClusterInfo'] === true,
  };
}

function named(
  doc: Yaml,
  list: string,
  field: string,
  name: string,
  where: Record<string, unknown>,
): Yaml {
  const entries = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : [];
  const entry = entries.find((e) => isObject(e) && e['name'] === name);
  const value = isObject(entry) ? entry[field] : undefined;
  if (!isObject(value)) {
    throw invalid(`kubeconfig ${String(where['path'])}: no ${field} named "${name}"`, where);
  }
  return value;
}

function isObject(v: unknown): v is Yaml {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
