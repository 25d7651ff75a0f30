// Who is asking. In order, as kube-apiserver's delegated authentication does it:
// 1. a client certificate signed by the front-proxy CA whose CN is an allowed name: the
//    aggregator, vouching for the user in X-Remote-User / X-Remote-Group / X-Remote-Extra-*;
// 2. a client certificate signed by the cluster's client CA: CN is the user, O the groups;
// 3. a bearer token, checked with a TokenReview (when a reviewer is configured);
// else anonymous. Authenticated users get the group system:authenticated, as everywhere in
// Kubernetes (RBAC's discovery roles are bound to it).
import type { IncomingMessage } from 'node:http';
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { AuthConfig, RequestHeaderConfig } from './auth-config.js';
import type { TokenReviewer } from './token-review.js';

export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export type AuthnResult =
  | { readonly kind: 'user'; readonly user: UserInfo; readonly via: 'proxy' | 'cert' | 'token' }
  | { readonly kind: 'anonymous'; readonly reason: string };

export const AUTHENTICATED_GROUP = 'system:authenticated';

export class Authenticator {
  readonly #config: AuthConfig;
  readonly #tokens: TokenReviewer | undefined;

  constructor(config: AuthConfig, tokens?: TokenReviewer) {
    this.#config = config;
    this.#tokens = tokens;
  }

  async authenticate(req: IncomingMessage): Promise<AuthnResult> {
    const leaf = peerCertificate(req);
    const rh = this.#config.requestHeader;
    if (leaf !== undefined && rh !== undefined && issuedByAny(leaf, rh.cas)) {
      const proxied = fromHeaders(req, rh, leaf);
      if (proxied !== undefined) return { kind: 'user', user: proxied, via: 'proxy' };
    }
    const clientCa = this.#config.clientCa;
    if (leaf !== undefined && clientCa !== undefined && issuedByAny(leaf, clientCa.cas)) {
      return { kind: 'user', user: fromCertificate(leaf), via: 'cert' };
    }
    const token = bearerToken(req);
    if (token !== undefined) {
      if (this.#tokens === undefined) {
        return { kind: 'anonymous', reason: 'bearer tokens are not accepted by this server' };
      }
      const user = await this.#tokens.review(token);
      if (user === undefined) return { kind: 'anonymous', reason: 'invalid bearer token' };
      return { kind: 'user', user: withAuthenticated(user), via: 'token' };
    }
    return {
      kind: 'anonymous',
      reason: leaf === undefined ? 'no credentials' : 'client certificate not trusted',
    };
  }
}

/** The verified leaf certificate, if the TLS layer validated the client's chain. */
function peerCertificate(req: IncomingMessage): X509Certificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || socket.getPeerX509Certificate === undefined) return undefined;
  return socket.getPeerX509Certificate();
}

/**
 * The TLS layer trusts the union of both CA bundles; which one signed the leaf decides what the
 * certificate means, so it is checked again per bundle (direct issuance, as kubeadm and the
 * local control plane issue them).
 */
function issuedByAny(leaf: X509Certificate, cas: readonly X509Certificate[]): boolean {
  return cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
}

function commonName(cert: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
}

function fromHeaders(
  req: IncomingMessage,
  rh: RequestHeaderConfig,
  leaf: X509Certificate,
): UserInfo | undefined {
  const cn = commonName(leaf);
  if (rh.allowedNames.length > 0 && (cn === undefined || !rh.allowedNames.includes(cn))) {
    return undefined;
  }
  const first = (names: readonly string[]): string | undefined =>
    names.map((h) => headerValues(req, h)[0]).find((v) => v !== undefined && v !== '');
  const name = first(rh.usernameHeaders);
  if (name === undefined) return undefined;
  const uid = first(rh.uidHeaders);
  const groups = rh.groupHeaders.flatMap((h) => headerValues(req, h));
  const extra: Record<string, string[]> = {};
  for (const [header, values] of Object.entries(req.headersDistinct)) {
    const prefix = rh.extraHeaderPrefixes.find((p) => header.startsWith(p.toLowerCase()));
    if (prefix === undefined || values === undefined) continue;
    // Extra keys are percent-encoded in header names (k8s.io/apiserver requestheader).
    const key = safeDecode(header.slice(prefix.length));
    (extra[key] ??= []).push(...values);
  }
  return withAuthenticated({ name, ...(uid === undefined ? {} : { uid }), groups, extra });
}

function fromCertificate(leaf: X509Certificate): UserInfo {
  const subject = leaf.subject.split('\n');
  const groups = subject.filter((l) => l.startsWith('O=')).map((l) => l.slice(2));
  return withAuthenticated({ name: commonName(leaf) ?? '', groups, extra: {} });
}

function withAuthenticated(user: UserInfo): UserInfo {
  if (user.groups.includes(AUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

function headerValues(req: IncomingMessage, name: string): string[] {
  return req.headersDistinct[name.toLowerCase()] ?? [];
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text).toLowerCase();
  } catch {
    // Not a valid escape: the raw key is still a key (kube-apiserver keeps it too).
    return text.toLowerCase();
  }
}
