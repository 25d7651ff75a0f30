import { describe, expect, it } from '@jest/globals';
import { apiServerArgs } from '../../../dev/local/apiserver.js';
import type { Pki } from '../../../dev/local/pki.js';

const pair = (stem: string): { cert: string; key: string } => ({
  cert: `/pki/${stem}.crt`,
  key: `/pki/${stem}.key`,
});
const pki: Pki = {
  dir: '/pki',
  ca: pair('ca'),
  serving: pair('serving'),
  frontProxyCa: pair('front-proxy-ca'),
  proxyClient: pair('front-proxy-client'),
  serviceAccountKey: '/pki/sa.key',
  serviceAccountPub: '/pki/sa.pub',
  clientCert: () => Promise.reject(new Error('not used')),
};

describe('apiServerArgs: the audit log', () => {
  it('is one file that is never rotated (the default rotates at 100 MB; the bench reads one file)', () => {
    const args = apiServerArgs(pki, 6443, 'http://127.0.0.1:2379', {
      path: '/tmp/audit.log',
      policyFile: '/tmp/policy.yaml',
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--audit-log-path=/tmp/audit.log',
        '--audit-policy-file=/tmp/policy.yaml',
        '--audit-log-format=json',
        '--audit-log-maxsize=0',
      ]),
    );
  });

  it('is off unless asked for', () => {
    const args = apiServerArgs(pki, 6443, 'http://127.0.0.1:2379');
    expect(args.filter((a) => a.startsWith('--audit-'))).toEqual([]);
  });
});
