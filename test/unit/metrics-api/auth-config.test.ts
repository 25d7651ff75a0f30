import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPki } from '../../../dev/local/pki.js';
import { authConfigFrom, parsePemBundle } from '../../../src/metrics-api/auth-config.js';
import { isWeightlifterError } from '../../../src/errors/catalogue.js';

let dir: string;
let ca: string;
let frontProxyCa: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-auth-config-'));
  const pki = await createPki(dir);
  [ca, frontProxyCa] = await Promise.all([
    readFile(pki.ca.cert, 'utf8'),
    readFile(pki.frontProxyCa.cert, 'utf8'),
  ]);
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('extension-apiserver-authentication ConfigMap', () => {
  it('reads the CAs, allowed names and header names', () => {
    const config = authConfigFrom({
      'client-ca-file': ca,
      'requestheader-client-ca-file': frontProxyCa,
      'requestheader-allowed-names': '["front-proxy-client","aggregator"]',
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    });
    expect(config.requestHeader?.allowedNames).toEqual(['front-proxy-client', 'aggregator']);
    expect(config.requestHeader?.cas.map((c) => c.subject)).toEqual([
      'CN=weightlifter-local-front-proxy-ca',
    ]);
    expect(config.clientCa?.cas.map((c) => c.subject)).toEqual(['CN=weightlifter-local-ca']);
  });

  it('applies kube-apiserver header defaults and the --client-ca override', () => {
    const config = authConfigFrom({}, { requestHeaderCaPem: frontProxyCa, allowedNames: [] });
    expect(config.requestHeader).toMatchObject({
      allowedNames: [],
      usernameHeaders: ['X-Remote-User'],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
    });
    expect(config.clientCa).toBeUndefined();
  });

  it('fails with a coded error when the cluster has no aggregation layer', () => {
    let caught: unknown;
    try {
      authConfigFrom({ 'client-ca-file': ca });
    } catch (err) {
      caught = err;
    }
    expect(isWeightlifterError(caught, 'WL_CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(/requestheader-client-ca-file/);
  });

  it('rejects malformed lists and bundles', () => {
    expect(() =>
      authConfigFrom({
        'requestheader-client-ca-file': frontProxyCa,
        'requestheader-allowed-names': 'front-proxy-client',
      }),
    ).toThrow(/not a JSON list/);
    expect(() => parsePemBundle('not a certificate', 'x')).toThrow(/no PEM certificate/);
    expect(parsePemBundle(`${ca}\n${frontProxyCa}`, 'both')).toHaveLength(2);
  });
});
