// The operator's restriction of outbound addresses (DESIGN §6: "webhook and metrics addresses can
// be restricted"). Canary authors choose webhook URLs and template Prometheus addresses; without
// a policy the controller would call anything its network reaches (cloud metadata endpoints,
// the API server...). A policy lists allowed host names (exact, or `*.suffix`) and CIDRs; a host
// name outside the name list passes only when every address it resolves to is inside an allowed
// CIDR. Resolution happens per call, so a name that later resolves elsewhere is caught (a DNS
// rebinding window between this lookup and the connection remains; an egress NetworkPolicy is
// the complete answer and this is the in-process check).
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { WeightlifterError } from '../errors/catalogue.js';

export interface UrlPolicyConfig {
  /** Host names allowed as written, or `*.example.com` for any subdomain. */
  readonly allowedHosts?: readonly string[];
  /** IPv4/IPv6 CIDRs (e.g. 10.0.0.0/8, 127.0.0.1/32, fd00::/8). */
  readonly allowedCidrs?: readonly string[];
  /** @default ['http:', 'https:'] */
  readonly allowedSchemes?: readonly string[];
}

export type UrlVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface UrlPolicy {
  /** True when the operator configured no restriction. */
  readonly unrestricted: boolean;
  check(url: string): Promise<UrlVerdict>;
}

export type Resolver = (host: string) => Promise<readonly string[]>;

const defaultResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, order: 'verbatim' })).map((a) => a.address);

/** A policy that allows any http(s) URL. */
export const ALLOW_ALL: UrlPolicy = {
  unrestricted: true,
  check: (url) => Promise.resolve(schemeVerdict(url, ['http:', 'https:'])),
};

/** Throws on an invalid CIDR: the policy comes from the operator's config, read at start-up. */
export function createUrlPolicy(
  config: UrlPolicyConfig,
  resolve: Resolver = defaultResolver,
): UrlPolicy {
  const hosts = (config.allowedHosts ?? []).map((h) => h.toLowerCase());
  const cidrs = config.allowedCidrs ?? [];
  const schemes = config.allowedSchemes ?? ['http:', 'https:'];
  if (hosts.length === 0 && cidrs.length === 0) {
    return { unrestricted: true, check: (url) => Promise.resolve(schemeVerdict(url, schemes)) };
  }
  const blocks = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', bits = ''] = cidr.split('/');
    const family = isIP(net);
    const prefix = Number(bits);
    if (family === 0 || bits === '' || !Number.isInteger(prefix)) {
      throw new WeightlifterError(
        'WL_CONFIG_INVALID',
        `invalid CIDR "${cidr}" in the address policy`,
        {
          details: { cidr },
        },
      );
    }
    blocks.addSubnet(net, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  const inCidrs = (ip: string): boolean => blocks.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  const hostAllowed = (host: string): boolean =>
    hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));

  return {
    unrestricted: false,
    async check(url) {
      const scheme = schemeVerdict(url, schemes);
      if (!scheme.allowed) return scheme;
      const host = new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
      if (hostAllowed(host)) return { allowed: true };
      if (isIP(host) !== 0) {
        return inCidrs(host)
          ? { allowed: true }
          : denied(`address ${host} is outside the allowed CIDRs`);
      }
      if (cidrs.length === 0) return denied(`host ${host} is not in the allowed hosts`);
      let addresses: readonly string[];
      try {
        addresses = await resolve(host);
      } catch (cause) {
        return denied(
          `host ${host} did not resolve (${cause instanceof Error ? cause.message : String(cause)})`,
        );
      }
      const outside = addresses.filter((a) => !inCidrs(a));
      if (addresses.length === 0 || outside.length > 0) {
        return denied(
          `host ${host} resolves outside the allowed CIDRs (${outside.join(', ') || 'no address'})`,
        );
      }
      return { allowed: true };
    },
  };
}

function denied(reason: string): UrlVerdict {
  return { allowed: false, reason };
}

function schemeVerdict(url: string, schemes: readonly string[]): UrlVerdict {
  if (!URL.canParse(url)) return denied(`"${url}" is not an absolute URL`);
  const { protocol } = new URL(url);
  return schemes.includes(protocol)
    ? { allowed: true }
    : denied(`scheme ${protocol} is not allowed`);
}
