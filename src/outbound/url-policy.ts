// The address policy of every outbound call whose address a Canary or template chose (webhooks,
// template and inline Prometheus addresses). Safe by default (issue 22 item 2): with no
// configuration, loopback, this-host, link-local and cloud metadata addresses and the API server's
// own address are refused (address-rules.ts); an operator unblocks a part of those ranges with
// --unblock-cidrs. --allowed-hosts / --allowed-cidrs narrow the rest: a host name outside the
// name list passes only when every address it resolves to is inside an allowed CIDR.
// The check runs on resolved addresses: `check` gives the verdict for status and Events, and
// `lookupFor` is the DNS lookup of the connection itself (it resolves, checks, and hands the
// socket exactly the addresses it checked), so a name that resolves elsewhere between the two
// (DNS rebinding) is refused at connect time. Redirects are never followed (http-request.ts).
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { WeightlifterError } from '../errors/catalogue.js';
import {
  BLOCK_RULES,
  blockedRange,
  canonicalAddress,
  CidrSet,
  parseCidr,
  unblockedCidrs,
  type BlockRule,
} from './address-rules.js';

/** Where the API server listens, as the controller reaches it (api-server.ts). */
export interface ApiServerAddress {
  readonly address: string;
  readonly port: number;
}

export interface UrlPolicyConfig {
  /** Host names allowed as written, or `*.example.com` for any subdomain. */
  readonly allowedHosts?: readonly string[];
  /** IPv4/IPv6 CIDRs (e.g. 10.0.0.0/8, fd00::/8). */
  readonly allowedCidrs?: readonly string[];
  /** Parts of the blocked ranges that may be called anyway (e.g. 127.0.0.0/8 for a local world). */
  readonly unblockedCidrs?: readonly string[];
  /** Refused whatever else is configured. */
  readonly apiServer?: readonly ApiServerAddress[];
  /** @default ['http:', 'https:'] */
  readonly allowedSchemes?: readonly string[];
}

/** Why a URL is refused: a blocked range, or a URL, allow-list or DNS problem. */
export type DenyRule = BlockRule | 'scheme' | 'not-allowed' | 'unresolved';

export type UrlVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: DenyRule; readonly reason: string };

export interface UrlPolicy {
  check(url: string): Promise<UrlVerdict>;
  /** The DNS lookup for a connection to `url`'s host and port; refuses what check() refuses. */
  lookupFor(url: string): LookupFunction;
}

export type Resolver = (host: string) => Promise<readonly string[]>;

/** The system's resolver (getaddrinfo), every address in the order it gives them. */
export const resolveHost: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, order: 'verbatim' })).map((a) => a.address);

/** A connection refused by the policy (code WL_ADDRESS_NOT_ALLOWED). */
export class AddressNotAllowedError extends WeightlifterError {
  readonly rule: DenyRule;

  constructor(verdict: Extract<UrlVerdict, { allowed: false }>, url: string) {
    super('WL_ADDRESS_NOT_ALLOWED', verdict.reason, { details: { url, rule: verdict.rule } });
    this.rule = verdict.rule;
  }
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

function denied(rule: DenyRule, reason: string): UrlVerdict {
  return { allowed: false, rule, reason };
}

/** Throws on an invalid CIDR: the policy comes from the operator's config, read at start-up. */
export function createUrlPolicy(
  config: UrlPolicyConfig,
  resolve: Resolver = resolveHost,
): UrlPolicy {
  const hosts = (config.allowedHosts ?? []).map((h) => h.toLowerCase());
  const allowed = new CidrSet((config.allowedCidrs ?? []).map(parseCidr));
  const unblocked = unblockedCidrs(config.unblockedCidrs ?? []);
  const apiServer = (config.apiServer ?? []).map((a) => ({
    address: canonicalAddress(a.address) ?? a.address,
    port: a.port,
  }));
  const schemes = config.allowedSchemes ?? ['http:', 'https:'];
  const restricted = hosts.length > 0 || allowed.cidrs.length > 0;
  const hostAllowed = (host: string): boolean =>
    hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));

  /** The verdict on connecting to `addresses` (what `host` resolved to) on `port`. */
  const judge = (host: string, port: number, addresses: readonly string[]): UrlVerdict => {
    if (addresses.length === 0) return denied('unresolved', `host ${host} resolved to no address`);
    const via = (ip: string): string =>
      ip === host ? `address ${ip}` : `host ${host} resolves to ${ip}, which`;
    for (const ip of addresses) {
      const canonical = canonicalAddress(ip) ?? ip;
      if (apiServer.some((a) => a.address === canonical && a.port === port)) {
        return denied(
          BLOCK_RULES.apiServer,
          `${via(ip)} is the Kubernetes API server (${canonical} port ${port}; rule ${BLOCK_RULES.apiServer})`,
        );
      }
      const range = blockedRange(canonical);
      if (range !== undefined && !unblocked.has(canonical)) {
        return denied(
          range.rule,
          `${via(ip)} is in the blocked range ${range.cidr} (rule ${range.rule}); ` +
            `the operator can unblock it with --unblock-cidrs`,
        );
      }
    }
    if (!restricted || (isIP(host) === 0 && hostAllowed(host))) return { allowed: true };
    const outside = addresses.filter((ip) => !allowed.has(canonicalAddress(ip) ?? ip));
    if (outside.length === 0) return { allowed: true };
    return denied(
      'not-allowed',
      isIP(host) !== 0
        ? `address ${host} is outside the allowed CIDRs`
        : allowed.cidrs.length === 0
          ? `host ${host} is not in the allowed hosts`
          : `host ${host} is not in the allowed hosts and resolves outside the allowed CIDRs (${outside.join(', ')})`,
    );
  };

  /**
   * Resolves `host` (an IP stands for itself) and judges the addresses. A name that does not
   * resolve cannot be connected to: without an allow-list it is not refused here (the call fails
   * as a network error, a DNS answer is only a moment's), with one it is outside it.
   */
  const resolveAndJudge = async (
    host: string,
    port: number,
  ): Promise<{ verdict: UrlVerdict; addresses: readonly string[]; dnsError?: Error }> => {
    if (isIP(host) !== 0) return { verdict: judge(host, port, [host]), addresses: [host] };
    let addresses: readonly string[];
    try {
      addresses = await resolve(host);
    } catch (cause) {
      const dnsError = cause instanceof Error ? cause : new Error(String(cause));
      const verdict = restricted
        ? denied('unresolved', `host ${host} did not resolve (${dnsError.message})`)
        : { allowed: true as const };
      return { verdict, addresses: [], dnsError };
    }
    return { verdict: judge(host, port, addresses), addresses };
  };

  return {
    async check(url) {
      const target = parseTarget(url, schemes);
      if ('rule' in target) return target;
      return (await resolveAndJudge(target.host, target.port)).verdict;
    },
    lookupFor(url) {
      const target = parseTarget(url, schemes);
      return (hostname, options, callback) => {
        const answer = (err: Error | null, addresses: readonly string[]): void => {
          const wanted = addresses.filter(
            (ip) => !options.family || isIP(ip) === Number(options.family),
          );
          const list = wanted.map((address) => ({ address, family: isIP(address) }));
          const first = list[0];
          // The callback's overloads (one address, or all) are one function at run time.
          const cb = callback as (e: Error | null, a: unknown, f?: number) => void;
          if (err !== null) cb(err, options.all === true ? [] : '');
          else if (options.all === true) cb(null, list);
          else if (first === undefined) cb(new Error(`no address of family ${options.family}`), '');
          else cb(null, first.address, first.family);
        };
        if ('rule' in target) {
          answer(new AddressNotAllowedError(target, url), []);
          return;
        }
        const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
        resolveAndJudge(host, target.port).then(
          ({ verdict, addresses, dnsError }) => {
            if (dnsError !== undefined) answer(dnsError, []);
            else if (verdict.allowed) answer(null, addresses);
            else answer(new AddressNotAllowedError(verdict, url), []);
          },
          (err: unknown) => {
            answer(err instanceof Error ? err : new Error(String(err)), []);
          },
        );
      };
    },
  };
}

/** The URL's host (brackets and case removed) and port, or why it cannot be called. */
function parseTarget(
  url: string,
  schemes: readonly string[],
): { readonly host: string; readonly port: number } | Extract<UrlVerdict, { allowed: false }> {
  if (!URL.canParse(url)) {
    return { allowed: false, rule: 'scheme', reason: `"${url}" is not an absolute URL` };
  }
  const parsed = new URL(url);
  if (!schemes.includes(parsed.protocol)) {
    return { allowed: false, rule: 'scheme', reason: `scheme ${parsed.protocol} is not allowed` };
  }
  const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? (DEFAULT_PORTS[parsed.protocol] ?? 0) : Number(parsed.port);
  return { host, port };
}
