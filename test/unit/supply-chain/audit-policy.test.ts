import { describe, expect, it } from '@jest/globals';
import {
  advisoriesOf,
  judgeAudit,
  type AllowEntry,
} from '../../../hack/supply-chain/audit-policy.js';

/** The shape of `npm audit --json` (report version 2), trimmed to what the verdict reads. */
const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    axios: {
      name: 'axios',
      severity: 'high',
      via: [
        {
          source: 1,
          name: 'axios',
          title: 'SSRF',
          url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
          severity: 'high',
        },
      ],
    },
    'prometheus-query': { name: 'prometheus-query', severity: 'high', via: ['axios'] },
    'form-data': {
      name: 'form-data',
      severity: 'critical',
      via: [
        {
          name: 'form-data',
          title: 'unsafe boundary',
          url: 'https://github.com/advisories/GHSA-dddd-eeee-ffff',
          severity: 'critical',
        },
      ],
    },
    ms: {
      name: 'ms',
      severity: 'moderate',
      via: [
        {
          name: 'ms',
          title: 'ReDoS',
          url: 'https://github.com/advisories/GHSA-mmmm-nnnn-oooo',
          severity: 'moderate',
        },
      ],
    },
  },
};

const entry = (over: Partial<AllowEntry> = {}): AllowEntry => ({
  id: 'GHSA-aaaa-bbbb-cccc',
  package: 'axios',
  reason: 'the controller never sends a URL it did not check to axios',
  expires: '2027-01-31',
  ...over,
});

describe('the production dependency audit', () => {
  it('reads each advisory once, with its GHSA id, package and severity', () => {
    expect(advisoriesOf(report).map((a) => `${a.id} ${a.package} ${a.severity}`)).toEqual([
      'GHSA-aaaa-bbbb-cccc axios high',
      'GHSA-dddd-eeee-ffff form-data critical',
      'GHSA-mmmm-nnnn-oooo ms moderate',
    ]);
  });

  it('fails on high and critical advisories, not on moderate ones', () => {
    const v = judgeAudit(advisoriesOf(report), [], '2026-12-04');
    expect(v.blocking.map((a) => a.id)).toEqual(['GHSA-aaaa-bbbb-cccc', 'GHSA-dddd-eeee-ffff']);
    expect(v.badEntries).toEqual([]);
  });

  it('lets a reviewed, unexpired allow-list entry excuse exactly its advisory and package', () => {
    const v = judgeAudit(advisoriesOf(report), [entry()], '2026-12-04');
    expect(v.allowed.map((a) => a.id)).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(v.blocking.map((a) => a.id)).toEqual(['GHSA-dddd-eeee-ffff']);
    const otherPackage = judgeAudit(advisoriesOf(report), [entry({ package: 'x' })], '2026-12-04');
    expect(otherPackage.blocking).toHaveLength(2);
  });

  it('fails on an expired entry or one without a reason or expiry', () => {
    const v = judgeAudit(
      advisoriesOf(report),
      [
        entry({ expires: '2026-12-03' }),
        entry({ id: 'GHSA-dddd-eeee-ffff', package: 'form-data', reason: ' ' }),
      ],
      '2026-12-04',
    );
    expect(v.badEntries).toEqual([
      'GHSA-aaaa-bbbb-cccc: expired on 2026-12-03; review it again',
      'GHSA-dddd-eeee-ffff: needs a reason and an expiry (YYYY-MM-DD)',
    ]);
    expect(v.blocking).toHaveLength(2);
  });

  it('fails loudly when npm could not reach the advisory endpoint', () => {
    expect(() =>
      advisoriesOf({ message: '405 Method Not Allowed - POST .../advisories/bulk' }),
    ).toThrow(
      /npm audit gave no report \(the advisory endpoint must answer\): 405 Method Not Allowed/,
    );
  });
});
