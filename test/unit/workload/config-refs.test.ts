import { describe, expect, it } from '@jest/globals';
import { configKey, configRefs, withPrimaryConfigRefs } from '../../../src/workload/config-refs.js';
import { target } from './fixtures.js';

describe('configRefs', () => {
  it('finds ConfigMaps and Secrets in env, envFrom, volumes and projected sources', () => {
    expect(configRefs(target().spec?.template)).toEqual([
      { kind: 'configmap', name: 'env-cm', optional: false },
      { kind: 'configmap', name: 'proj-cm', optional: false },
      { kind: 'configmap', name: 'settings', optional: false },
      { kind: 'secret', name: 'creds', optional: true },
      { kind: 'secret', name: 'init-secret', optional: false },
      { kind: 'secret', name: 'proj-secret', optional: false },
      { kind: 'secret', name: 'tls', optional: false },
    ]);
  });

  it('makes a config required when any reference to it is required', () => {
    const t = {
      spec: {
        containers: [
          {
            name: 'a',
            envFrom: [
              { configMapRef: { name: 'x', optional: true } },
              { configMapRef: { name: 'x' } },
            ],
          },
        ],
      },
    };
    expect(configRefs(t)).toEqual([{ kind: 'configmap', name: 'x', optional: false }]);
  });

  it('is empty for a template without references', () => {
    expect(configRefs({ spec: { containers: [{ name: 'a' }] } })).toEqual([]);
    expect(configRefs(undefined)).toEqual([]);
  });
});

describe('withPrimaryConfigRefs', () => {
  it('points copied configs at -primary and leaves the rest and the input alone', () => {
    const t = target().spec?.template ?? {};
    const copied = new Set([
      configKey('configmap', 'settings'),
      configKey('secret', 'tls'),
      configKey('secret', 'proj-secret'),
    ]);
    const out = withPrimaryConfigRefs(t, copied);
    expect(configRefs(out).map((r) => r.name)).toEqual([
      'env-cm',
      'proj-cm',
      'settings-primary',
      'creds',
      'init-secret',
      'proj-secret-primary',
      'tls-primary',
    ]);
    expect(out.spec?.volumes?.[0]?.configMap).toEqual({
      name: 'settings-primary',
      defaultMode: 420,
    });
    // Input untouched (the cached target must never be mutated).
    expect(configRefs(t).map((r) => r.name)).toContain('settings');
  });
});
