import { describe, expect, it } from '@jest/globals';
import { WorkloadSpecError } from '../../../src/workload/errors.js';
import type { ConfigJson } from '../../../src/workload/k8s-types.js';
import { targetRevision, trackedConfigSources } from '../../../src/workload/config-tracking.js';
import { MemoryReader } from '../routing/fixtures.js';
import { target } from './fixtures.js';

const cm = (
  name: string,
  data: Record<string, string>,
  annotations: Record<string, string> = {},
): ConfigJson => ({
  metadata: { name, namespace: 'shop', annotations },
  data,
});
const secret = (name: string, type = 'Opaque'): ConfigJson => ({
  metadata: { name, namespace: 'shop' },
  type,
  data: { k: 'dg==' },
});

function caches(configMaps: ConfigJson[], secrets: ConfigJson[]) {
  return { configMaps: new MemoryReader(configMaps), secrets: new MemoryReader(secrets) };
}

const all = caches(
  [
    cm('settings', { a: '1' }),
    cm('env-cm', { b: '2' }, { 'weightlifter.io/config-tracking': 'disabled' }),
    cm('proj-cm', {}),
  ],
  [
    secret('init-secret'),
    secret('tls', 'kubernetes.io/tls'),
    secret('proj-secret', 'kubernetes.io/service-account-token'),
  ],
);

describe('trackedConfigSources', () => {
  it('tracks existing configs, skipping opted-out ones, SA tokens and missing optional ones', () => {
    expect(trackedConfigSources(target(), all).map((s) => s.key)).toEqual([
      'configmap/proj-cm',
      'configmap/settings',
      'secret/init-secret',
      'secret/tls',
    ]);
  });

  it('fails with a typed error when a required config is missing', () => {
    expect(() => trackedConfigSources(target(), caches([], []))).toThrow(WorkloadSpecError);
  });
});

describe('targetRevision', () => {
  it('changes when tracked config data changes, not when an untracked one does', () => {
    const r1 = targetRevision(target(), all);
    const changedTracked = caches(
      [
        cm('settings', { a: '2' }),
        cm('env-cm', { b: '2' }, { 'weightlifter.io/config-tracking': 'disabled' }),
        cm('proj-cm', {}),
      ],
      [
        secret('init-secret'),
        secret('tls', 'kubernetes.io/tls'),
        secret('proj-secret', 'kubernetes.io/service-account-token'),
      ],
    );
    const changedUntracked = caches(
      [
        cm('settings', { a: '1' }),
        cm('env-cm', { b: '9' }, { 'weightlifter.io/config-tracking': 'disabled' }),
        cm('proj-cm', {}),
      ],
      [
        secret('init-secret'),
        secret('tls', 'kubernetes.io/tls'),
        secret('proj-secret', 'kubernetes.io/service-account-token'),
      ],
    );
    expect(targetRevision(target(), changedTracked).revision).not.toBe(r1.revision);
    expect(targetRevision(target(), changedUntracked).revision).toBe(r1.revision);
    expect(Object.keys(r1.trackedConfigs)).toEqual(r1.sources.map((s) => s.key));
  });
});
