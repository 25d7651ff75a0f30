// Who we are to the API server, for the next request: a bearer token and/or a client certificate.
// Sources that can change underneath us (token files that the kubelet rotates, exec plugins whose
// tokens expire, certificate files renewed in place) hand out the same Buffer objects until their
// content changes, so the transport can keep one connection pool per identity.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { WeightlifterError } from '../errors/catalogue.js';
import type { ClusterTls } from './kubeconfig.js';

export interface Credentials {
  readonly token?: string | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

export interface CredentialSource {
  current(): Promise<Credentials>;
  /**
   * The server answered 401 to credentials from current(): forget what is cached. True when the
   * next current() may differ, so one retry is worth it.
   */
  invalidate(): boolean;
}

export function staticCredentials(creds: Credentials): CredentialSource {
  return { current: () => Promise.resolve(creds), invalidate: () => false };
}

/** Later sources win field by field (an exec plugin's certificate over the user's). */
export function combineCredentials(sources: readonly CredentialSource[]): CredentialSource {
  if (sources.length === 1 && sources[0] !== undefined) return sources[0];
  return {
    async current() {
      const all = await Promise.all(sources.map((s) => s.current()));
      return Object.assign({}, ...all.map(defined)) as Credentials;
    },
    invalidate: () => sources.map((s) => s.invalidate()).some(Boolean),
  };
}

function defined(c: Credentials): Credentials {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
}

/** How often a token file's mtime is looked at; the kubelet rotates tokens well before expiry. */
export const TOKEN_FILE_CHECK_MS = 1_000;

/** A bearer token re-read whenever the file changes (bound ServiceAccount tokens rotate). */
export class TokenFile implements CredentialSource {
  readonly #path: string;
  readonly #now: () => number;
  #stamp = '';
  #checkedAt = Number.NEGATIVE_INFINITY;
  #token = '';

  constructor(path: string, now: () => number = Date.now) {
    this.#path = path;
    this.#now = now;
  }

  current(): Promise<Credentials> {
    try {
      const now = this.#now();
      if (now - this.#checkedAt >= TOKEN_FILE_CHECK_MS) {
        this.#checkedAt = now;
        const st = statSync(this.#path);
        const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
        if (stamp !== this.#stamp) {
          this.#token = readFileSync(this.#path, 'utf8').trim();
          this.#stamp = stamp;
        }
      }
    } catch (cause) {
      return Promise.reject(
        new WeightlifterError('WL_KUBECONFIG_INVALID', `cannot read token file ${this.#path}`, {
          cause,
          details: { path: this.#path },
        }),
      );
    }
    return Promise.resolve({ token: this.#token });
  }

  invalidate(): boolean {
    this.#stamp = '';
    this.#checkedAt = Number.NEGATIVE_INFINITY;
    return true;
  }
}

/** A client certificate and key from files, re-read after the server refused them. */
export class ClientCertFiles implements CredentialSource {
  readonly #certPath: string;
  readonly #keyPath: string;
  #pair: Credentials | undefined;

  constructor(certPath: string, keyPath: string) {
    this.#certPath = certPath;
    this.#keyPath = keyPath;
  }

  current(): Promise<Credentials> {
    try {
      this.#pair ??= { cert: readFileSync(this.#certPath), key: readFileSync(this.#keyPath) };
      return Promise.resolve(this.#pair);
    } catch (cause) {
      return Promise.reject(
        new WeightlifterError('WL_KUBECONFIG_INVALID', 'cannot read the client certificate', {
          cause,
          details: { cert: this.#certPath, key: this.#keyPath },
        }),
      );
    }
  }

  invalidate(): boolean {
    this.#pair = undefined;
    return true;
  }
}

export interface ExecConfig {
  readonly apiVersion: 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly installHint: string | undefined;
  readonly provideClusterInfo: boolean;
}

/** The cluster an exec plugin is told about when it sets provideClusterInfo. */
export interface ExecCluster {
  readonly server: string;
  readonly tls: ClusterTls;
}

/** What the plugin printed (ExecCredential.status). */
interface ExecStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

const EXEC_TIMEOUT_MS = 60_000;

/**
 * An exec credential plugin (client.authentication.k8s.io v1/v1beta1): run the command, cache its
 * answer until status.expirationTimestamp (no timestamp: until the server refuses it). Concurrent
 * requests share one run.
 */
export class ExecPlugin implements CredentialSource {
  readonly #config: ExecConfig;
  readonly #cluster: ExecCluster;
  readonly #now: () => number;
  #cached: { creds: Credentials; expiresAt: number } | undefined;
  #running: Promise<Credentials> | undefined;

  constructor(config: ExecConfig, cluster: ExecCluster, now: () => number = Date.now) {
    this.#config = config;
    this.#cluster = cluster;
    this.#now = now;
  }

  current(): Promise<Credentials> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.expiresAt)
      return Promise.resolve(cached.creds);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  invalidate(): boolean {
    this.#cached = undefined;
    return true;
  }

  async #run(): Promise<Credentials> {
    const c = this.#config;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        c.command,
        [...c.args],
        {
          env: { ...process.env, ...c.env, KUBERNETES_EXEC_INFO: JSON.stringify(this.#info()) },
          timeout: EXEC_TIMEOUT_MS,
          maxBuffer: 1 << 20,
          encoding: 'utf8',
        },
        (err, out, stderr) => {
          if (err === null) resolve(out);
          else reject(this.#failed('failed', err, stderr));
        },
      );
    });
    let status: ExecStatus | undefined;
    try {
      const parsed = JSON.parse(stdout) as { apiVersion?: unknown; status?: ExecStatus };
      if (parsed.apiVersion !== c.apiVersion) {
        throw new Error(`printed apiVersion ${String(parsed.apiVersion)}, not ${c.apiVersion}`);
      }
      status = parsed.status;
    } catch (cause) {
      throw this.#failed('printed no ExecCredential', cause, '');
    }
    const creds: Credentials = {
      token: status?.token,
      cert:
        status?.clientCertificateData === undefined
          ? undefined
          : Buffer.from(status.clientCertificateData),
      key: status?.clientKeyData === undefined ? undefined : Buffer.from(status.clientKeyData),
    };
    if (creds.token === undefined && (creds.cert === undefined || creds.key === undefined)) {
      throw this.#failed('gave neither a token nor a client certificate and key', undefined, '');
    }
    const expiry = status?.expirationTimestamp;
    const expiresAt = expiry === undefined ? Number.POSITIVE_INFINITY : Date.parse(expiry);
    this.#cached = { creds, expiresAt: Number.isNaN(expiresAt) ? 0 : expiresAt };
    return creds;
  }

  #info(): unknown {
    const spec: Record<string, unknown> = { interactive: false };
    if (this.#config.provideClusterInfo) {
      const { server, tls } = this.#cluster;
      spec['cluster'] = {
        server,
        ...(tls.ca === undefined
          ? {}
          : { 'certificate-authority-data': tls.ca.toString('base64') }),
        'insecure-skip-tls-verify': tls.insecureSkipVerify,
        ...(tls.serverName === undefined ? {} : { 'tls-server-name': tls.serverName }),
      };
    }
    return { apiVersion: this.#config.apiVersion, kind: 'ExecCredential', spec };
  }

  #failed(what: string, cause: unknown, stderr: string): WeightlifterError {
    const hint = this.#config.installHint;
    const missing =
      typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === 'ENOENT';
    return new WeightlifterError(
      'WL_KUBECONFIG_INVALID',
      `exec credential plugin ${this.#config.command} ${what}` +
        (missing && hint !== undefined ? `: ${hint}` : ''),
      { cause, details: { command: this.#config.command, stderr: stderr.slice(0, 500) } },
    );
  }
}
