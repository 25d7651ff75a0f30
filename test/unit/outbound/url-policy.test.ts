import { describe, expect, it } from '@jest/globals';
import {
  AddressNotAllowedError,
  createUrlPolicy,
  type Resolver,
  type UrlPolicy,
} from '../../../src/outbound/url-policy.js';
import { apiServerAddresses } from '../../../src/outbound/api-server.js';

/** Resolves from a fixed table (our own Resolver seam; no DNS). */
const table =
  (entries: Record<string, string[]>): Resolver =>
  (host) =>
    host in entries
      ? Promise.resolve(entries[host] ?? [])
      : Promise.reject(new Error(`ENOTFOUND ${host}`));

const rule = async (policy: UrlPolicy, url: string): Promise<string> => {
  const v = await policy.check(url);
  return v.allowed ? 'allowed' : v.rule;
};

describe('the default policy (nothing configured)', () => {
  const policy = createUrlPolicy(
    { apiServer: [{ address: '10.96.0.1', port: 443 }] },
    table({
      'metadata.google.internal': ['169.254.169.254'],
      'loadtester.test': ['10.0.0.7'],
      'rebinds.test': ['10.0.0.8', '127.0.0.1'],
      'kubernetes.default.svc': ['10.96.0.1'],
    }),
  );

  it.each<[string, string]>([
    ['http://10.0.0.7:8080/gate', 'allowed'],
    // Nothing to refuse: the connection's own lookup fails (or checks what it finds then).
    ['https://hooks.example.com.test/', 'allowed'],
    ['http://loadtester.test/', 'allowed'],
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[fd00:ec2::254]/', 'cloud-metadata'],
    ['http://100.100.100.200/', 'cloud-metadata'],
    ['http://168.63.129.16/', 'cloud-metadata'],
    ['http://127.0.0.1:9090/', 'loopback'],
    ['http://127.8.9.10/', 'loopback'],
    ['http://[::1]:8080/', 'loopback'],
    ['http://0.0.0.0:8080/', 'this-host'],
    ['http://[::]:8080/', 'this-host'],
    ['http://rebinds.test/', 'loopback'],
    ['https://10.96.0.1/', 'api-server'],
    ['https://10.96.0.1:443/api', 'api-server'],
    ['https://kubernetes.default.svc/', 'api-server'],
    ['http://10.96.0.1:8080/', 'allowed'],
    ['file:///etc/passwd', 'scheme'],
    ['not a url', 'scheme'],
  ])('%s -> %s', async (url, expected) => {
    expect(await rule(policy, url)).toBe(expected);
  });

  it('names the URL’s address, the range and the rule in the reason', async () => {
    const v = await policy.check('http://metadata.google.internal/');
    expect(v).toEqual({
      allowed: false,
      rule: 'link-local',
      reason:
        'host metadata.google.internal resolves to 169.254.169.254, which is in the blocked range ' +
        '169.254.0.0/16 (rule link-local); the operator can unblock it with --unblock-cidrs',
    });
  });
});

describe('IPv4-mapped and NAT64 IPv6 addresses are classified as the IPv4 address they carry', () => {
  const policy = createUrlPolicy({ apiServer: [{ address: '10.96.0.1', port: 443 }] });
  it.each<[string, string]>([
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://[::ffff:a9fe:a9fe]/', 'link-local'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'link-local'],
    ['https://[::ffff:10.96.0.1]/', 'api-server'],
    ['http://[::ffff:10.0.0.1]/', 'allowed'],
    ['http://[2001:db8::1]/', 'allowed'],
  ])('%s -> %s', async (url, expected) => {
    expect(await rule(policy, url)).toBe(expected);
  });
});

describe('operator rules', () => {
  it('unblocks exactly the CIDRs named, and never the API server', async () => {
    const policy = createUrlPolicy({
      unblockedCidrs: ['127.0.0.2/32', '169.254.10.0/24'],
      apiServer: [{ address: '127.0.0.2', port: 6443 }],
    });
    expect(await rule(policy, 'http://127.0.0.2:8080/')).toBe('allowed');
    expect(await rule(policy, 'http://127.0.0.1:8080/')).toBe('loopback');
    expect(await rule(policy, 'http://169.254.10.9/')).toBe('allowed');
    expect(await rule(policy, 'http://169.254.169.254/')).toBe('link-local');
    expect(await rule(policy, 'https://127.0.0.2:6443/')).toBe('api-server');
  });

  it.each(['0.0.0.0/0', '10.0.0.0/8', '127.0.0.0/7', '::/0', '127.0.0.1'])(
    'refuses to unblock %s at start-up: it is not inside a blocked range',
    (cidr) => {
      expect(() => createUrlPolicy({ unblockedCidrs: [cidr] })).toThrow(
        /is not inside a blocked range|invalid CIDR/,
      );
    },
  );

  it.each<[string, boolean]>([
    ['http://loadtester.test/', true],
    ['http://LOADTESTER.test:8080/gate', true],
    ['http://gate.hooks.example.com/', true],
    ['http://example.com/', false],
    ['http://evil-hooks.example.com/', false],
    ['http://10.1.2.3/', true],
    ['http://10.255.255.255:9090/', true],
    ['http://11.0.0.1/', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['http://[fd00::1]/', true],
    ['http://[::1]/', false],
    ['http://in-cluster.svc/', true],
    ['http://partly-outside.svc/', false],
    ['http://unknown.svc/', false],
  ])('allowed hosts and CIDRs narrow the rest: %s -> %s', async (url, allowed) => {
    const policy = createUrlPolicy(
      {
        allowedHosts: ['loadtester.test', '*.hooks.example.com'],
        allowedCidrs: ['10.0.0.0/8', 'fd00::/8'],
      },
      table({
        'loadtester.test': ['10.0.0.5'],
        'gate.hooks.example.com': ['192.0.2.1'],
        'example.com': ['192.0.2.2'],
        'evil-hooks.example.com': ['192.0.2.3'],
        'in-cluster.svc': ['10.96.0.10'],
        'partly-outside.svc': ['10.0.0.1', '8.8.8.8'],
      }),
    );
    const verdict = await policy.check(url);
    expect(verdict.allowed).toBe(allowed);
    if (!verdict.allowed) expect(verdict.reason.length).toBeGreaterThan(0);
  });

  it('checks the addresses of an allowed host name against the blocked ranges too', async () => {
    const policy = createUrlPolicy(
      { allowedHosts: ['hooks.test'] },
      table({ 'hooks.test': ['169.254.169.254'] }),
    );
    expect(await rule(policy, 'http://hooks.test/')).toBe('link-local');
  });

  it.each(['10.0.0.0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/x', 'ten/8'])(
    'refuses the invalid CIDR %s at start-up with a config error',
    (cidr) => {
      expect(() => createUrlPolicy({ allowedCidrs: [cidr] })).toThrow(/invalid CIDR/);
    },
  );
});

/** Calls a policy lookup the way node:net does (all: true, as with autoSelectFamily). */
function lookupAll(
  policy: UrlPolicy,
  url: string,
  host: string,
): Promise<readonly { address: string; family: number }[]> {
  return new Promise((resolve, reject) => {
    policy.lookupFor(url)(host, { all: true }, (err, addresses) => {
      if (err !== null) reject(err);
      else resolve(addresses as unknown as { address: string; family: number }[]);
    });
  });
}

describe('the connection’s lookup', () => {
  it('hands the socket the addresses it checked, and refuses a name that now resolves into a blocked range', async () => {
    const answers: Record<string, string[]> = { 'hooks.test': ['10.0.0.9'] };
    const policy = createUrlPolicy({}, (host) => Promise.resolve(answers[host] ?? []));
    expect(await lookupAll(policy, 'http://hooks.test/', 'hooks.test')).toEqual([
      { address: '10.0.0.9', family: 4 },
    ]);
    // DNS rebinding: the check passed, then the name answers with the metadata address.
    expect(await rule(policy, 'http://hooks.test/')).toBe('allowed');
    answers['hooks.test'] = ['169.254.169.254'];
    const refused = lookupAll(policy, 'http://hooks.test/', 'hooks.test');
    await expect(refused).rejects.toBeInstanceOf(AddressNotAllowedError);
    await expect(refused).rejects.toMatchObject({
      code: 'WL_ADDRESS_NOT_ALLOWED',
      rule: 'link-local',
    });
  });

  it('judges the API server by the URL’s port', async () => {
    const policy = createUrlPolicy(
      { apiServer: [{ address: '10.96.0.1', port: 443 }] },
      table({ 'kubernetes.default.svc': ['10.96.0.1'] }),
    );
    const host = 'kubernetes.default.svc';
    await expect(lookupAll(policy, `https://${host}/`, host)).rejects.toMatchObject({
      rule: 'api-server',
    });
    expect(await lookupAll(policy, `http://${host}:8080/`, host)).toEqual([
      { address: '10.96.0.1', family: 4 },
    ]);
  });
});

describe('the API server’s addresses', () => {
  it('come from the kubeconfig server (resolved) and the in-cluster Service variables', async () => {
    const found = await apiServerAddresses(
      'https://api.cluster.test:6443',
      { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      table({ 'api.cluster.test': ['192.0.2.10', '2001:db8::10'] }),
    );
    expect(found).toEqual([
      { address: '192.0.2.10', port: 6443 },
      { address: '2001:db8::10', port: 6443 },
      { address: '10.96.0.1', port: 443 },
    ]);
    expect(await apiServerAddresses('https://[::1]:6443', {}, table({}))).toEqual([
      { address: '::1', port: 6443 },
    ]);
  });
});
