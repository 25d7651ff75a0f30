import { describe, expect, it } from '@jest/globals';
import { endpointKey, prometheusAuthFromSecret } from '../../../src/metrics/executor.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('Prometheus credentials from a Secret', () => {
  it('prefers a bearer token, else basic auth, else none', () => {
    expect(
      prometheusAuthFromSecret({ token: b64('abc\n'), username: b64('u'), password: b64('p') }),
    ).toEqual({
      bearerToken: 'abc',
    });
    expect(prometheusAuthFromSecret({ username: b64('u'), password: b64('p') })).toEqual({
      username: 'u',
      password: 'p',
    });
    expect(prometheusAuthFromSecret({ username: b64('u') })).toBeUndefined();
    expect(prometheusAuthFromSecret(undefined)).toBeUndefined();
  });

  it('keys endpoints by address and identity, never by secret', () => {
    expect(endpointKey({ address: 'http://p:9090/' })).toBe(
      endpointKey({ address: 'http://p:9090' }),
    );
    const key = endpointKey({
      address: 'http://p:9090',
      auth: { username: 'grafana-reader', password: 'secret' },
    });
    expect(key).not.toContain('secret');
    expect(key).not.toContain('grafana-reader');
    expect(key).not.toBe(endpointKey({ address: 'http://p:9090' }));
    const a = endpointKey({ address: 'http://p:9090', auth: { bearerToken: 'team-a' } });
    const b = endpointKey({ address: 'http://p:9090', auth: { bearerToken: 'team-b' } });
    expect(a).not.toBe(b);
  });
});
