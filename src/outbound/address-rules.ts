// Which addresses an outbound call refuses by default (issue 22 item 2), as pure functions: the
// built-in blocked ranges, CIDR parsing, and the classification of one address. An IPv4-mapped
// (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address is classified as the IPv4 address it
// carries, so no spelling of 169.254.169.254 slips past the IPv4 rule.
import { BlockList, isIP } from 'node:net';
import { WeightlifterError } from '../errors/catalogue.js';

/** Why an address is refused by default; stable names, shown in status and Events. */
export const BLOCK_RULES = {
  loopback: 'loopback',
  thisHost: 'this-host',
  linkLocal: 'link-local',
  cloudMetadata: 'cloud-metadata',
  apiServer: 'api-server',
} as const;
export type BlockRule = (typeof BLOCK_RULES)[keyof typeof BLOCK_RULES];

/** The ranges refused unless the operator unblocks them (--unblock-cidrs). */
export const BLOCKED_RANGES: readonly { readonly cidr: string; readonly rule: BlockRule }[] = [
  { cidr: '127.0.0.0/8', rule: BLOCK_RULES.loopback },
  { cidr: '::1/128', rule: BLOCK_RULES.loopback },
  // Connecting to 0.0.0.0 or :: reaches this host's own listeners.
  { cidr: '0.0.0.0/8', rule: BLOCK_RULES.thisHost },
  { cidr: '::/128', rule: BLOCK_RULES.thisHost },
  // 169.254.169.254 is the metadata service of AWS, GCP, Azure, OpenStack and others.
  { cidr: '169.254.0.0/16', rule: BLOCK_RULES.linkLocal },
  { cidr: 'fe80::/10', rule: BLOCK_RULES.linkLocal },
  // AWS's IPv6 metadata service, Alibaba Cloud's metadata service, Azure's WireServer.
  { cidr: 'fd00:ec2::254/128', rule: BLOCK_RULES.cloudMetadata },
  { cidr: '100.100.100.200/32', rule: BLOCK_RULES.cloudMetadata },
  { cidr: '168.63.129.16/32', rule: BLOCK_RULES.cloudMetadata },
];

export interface Cidr {
  readonly text: string;
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Throws a config error on anything but `address/prefix`: CIDRs come from the operator's config. */
export function parseCidr(text: string): Cidr {
  const [net = '', bits = '', ...rest] = text.trim().split('/');
  const version = isIP(net);
  const prefix = Number(bits);
  const max = version === 6 ? 128 : 32;
  if (version === 0 || rest.length > 0 || !/^\d+$/.test(bits) || prefix > max) {
    throw new WeightlifterError(
      'WL_CONFIG_INVALID',
      `invalid CIDR "${text}" in the address policy`,
      {
        details: { cidr: text },
      },
    );
  }
  return { text: text.trim(), address: net, prefix, family: version === 6 ? 'ipv6' : 'ipv4' };
}

/** The eight 16-bit words of an IPv6 address (zone id dropped), or undefined if it is not one. */
function ipv6Words(ip: string): number[] | undefined {
  const bare = ip.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return undefined;
  let text = bare;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string | undefined): number[] =>
    s === undefined || s === '' ? [] : s.split(':').map((w) => parseInt(w, 16));
  const front = part(head);
  const back = part(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}

/**
 * The address as it is classified: an IPv4-mapped or NAT64 IPv6 address becomes the IPv4 address
 * it carries; a zone id is dropped. Undefined when `ip` is not an IP address.
 */
export function canonicalAddress(ip: string): string | undefined {
  if (isIP(ip) === 4) return ip;
  const w = ipv6Words(ip);
  if (w === undefined) return undefined;
  const mapped = w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff;
  const nat64 = w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0);
  if (mapped || nat64) {
    const [hi = 0, lo = 0] = w.slice(6);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return ip.replace(/%.*$/, '').toLowerCase();
}

const familyOf = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** A set of CIDRs that answers "is this address inside?". */
export class CidrSet {
  readonly #blocks = new BlockList();
  readonly cidrs: readonly Cidr[];

  constructor(cidrs: readonly Cidr[]) {
    this.cidrs = cidrs;
    for (const c of cidrs) this.#blocks.addSubnet(c.address, c.prefix, c.family);
  }

  /** `ip` must be canonical (canonicalAddress). */
  has(ip: string): boolean {
    return this.#blocks.check(ip, familyOf(ip));
  }
}

const BLOCKED = BLOCKED_RANGES.map((r) => ({ ...r, set: new CidrSet([parseCidr(r.cidr)]) }));

/** The built-in blocked range `ip` (canonical) falls in, if any. */
export function blockedRange(
  ip: string,
): { readonly cidr: string; readonly rule: BlockRule } | undefined {
  const hit = BLOCKED.find((r) => r.set.has(ip));
  return hit === undefined ? undefined : { cidr: hit.cidr, rule: hit.rule };
}

/**
 * Checks that each CIDR the operator unblocks lies inside a built-in blocked range: unblocking
 * 0.0.0.0/0 would silently open the metadata endpoint, so a wider or unrelated CIDR is refused.
 */
export function unblockedCidrs(texts: readonly string[]): CidrSet {
  const cidrs = texts.map((text) => {
    const cidr = parseCidr(text);
    const inside = BLOCKED.some((r) => {
      const [range] = r.set.cidrs;
      return (
        range !== undefined &&
        range.family === cidr.family &&
        cidr.prefix >= range.prefix &&
        r.set.has(cidr.address)
      );
    });
    if (!inside) {
      const ranges = BLOCKED_RANGES.map((r) => r.cidr).join(', ');
      throw new WeightlifterError(
        'WL_CONFIG_INVALID',
        `--unblock-cidrs: "${text}" is not inside a blocked range (${ranges})`,
        { details: { cidr: text } },
      );
    }
    return cidr;
  });
  return new CidrSet(cidrs);
}
