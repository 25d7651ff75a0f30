import { describe, expect, it } from '@jest/globals';
import { ALLOW_ALL, createUrlPolicy, type Resolver } from '../../../src/outbound/url-policy.js';

/** Resolves from a fixed table (our own Resolver seam; no DNS). */
const table =
  (entries: Record<string, string[]>): Resolver =>
  (host) =>
    host in entries
      ? Promise.resolve(entries[host] ?? [])
      : Promise.reject(new Error(`ENOTFOUND ${host}`));

describe('address policy', () => {
  it('allows any http(s) URL when unrestricted, and nothing else', async () => {
    expect(await ALLOW_ALL.check('http://anything:8080/')).toEqual({ allowed: true });
    expect((await ALLOW_ALL.check('file:///etc/passwd')).allowed).toBe(false);
    expect((await ALLOW_ALL.check('not a url')).allowed).toBe(false);
    expect(createUrlPolicy({}).unrestricted).toBe(true);
  });

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
  ])('%s -> %s', async (url, allowed) => {
    const policy = createUrlPolicy(
      {
        allowedHosts: ['loadtester.test', '*.hooks.example.com'],
        allowedCidrs: ['10.0.0.0/8', 'fd00::/8'],
      },
      table({ 'in-cluster.svc': ['10.96.0.10'], 'partly-outside.svc': ['10.0.0.1', '8.8.8.8'] }),
    );
    const verdict = await policy.check(url);
    expect(verdict.allowed).toBe(allowed);
    if (!verdict.allowed) expect(verdict.reason.length).toBeGreaterThan(0);
  });

  it('refuses an invalid CIDR at start-up with a config error', () => {
    expect(() => createUrlPolicy({ allowedCidrs: ['10.0.0.0'] })).toThrow(/invalid CIDR/);
  });
});
