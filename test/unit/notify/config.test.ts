// The notification config: defaults, and every mistake reported at once with its path.
import { describe, expect, it } from '@jest/globals';
import { notifyConfigFromText, parseNotifyConfig } from '../../../src/notify/config.js';
import { isWeightlifterError } from '../../../src/errors/catalogue.js';

function errorsOf(raw: unknown): string[] {
  try {
    parseNotifyConfig(raw);
  } catch (err) {
    if (!isWeightlifterError(err, 'WL_CONFIG_INVALID')) throw err;
    return err.details['errors'] as string[];
  }
  throw new Error('expected WL_CONFIG_INVALID');
}

describe('parseNotifyConfig', () => {
  it('fills defaults: name, minSeverity info, 5s timeout, 2 retries', () => {
    const c = parseNotifyConfig({ providers: [{ type: 'slack', url: 'https://hooks.example/x' }] });
    expect(c).toEqual({
      providers: [
        {
          name: 'slack-0',
          type: 'slack',
          url: 'https://hooks.example/x',
          minSeverity: 'info',
          timeoutMs: 5000,
          retries: 2,
        },
      ],
    });
  });

  it('keeps every field it knows, including a Secret reference and the cluster name', () => {
    const c = notifyConfigFromText(`
cluster: prod-eu
providers:
  - name: ops
    type: discord
    urlFrom: {secretKeyRef: {name: alerts, key: discord}}
    minSeverity: warn
    username: wl
    timeout: 1500ms
    retries: 0
  - {type: slack, url: 'http://127.0.0.1:1/x', channel: '#d'}
`);
    expect(c.cluster).toBe('prod-eu');
    expect(c.providers[0]).toEqual({
      name: 'ops',
      type: 'discord',
      urlFrom: { secretKeyRef: { name: 'alerts', key: 'discord' } },
      minSeverity: 'warn',
      username: 'wl',
      timeoutMs: 1500,
      retries: 0,
    });
    expect(c.providers[1]?.channel).toBe('#d');
  });

  it('treats an empty document as no providers', () => {
    expect(notifyConfigFromText('')).toEqual({ providers: [] });
  });

  it('reports every problem with its path', () => {
    const errors = errorsOf({
      extra: 1,
      providers: [
        { type: 'pagerduty', url: 'https://x' },
        { type: 'slack' },
        { type: 'slack', url: 'https://x', urlFrom: { secretKeyRef: { name: 'a', key: 'b' } } },
        {
          type: 'msteams',
          url: 'ftp://x',
          minSeverity: 'critical',
          timeout: 'soon',
          retries: 11,
          colour: 'red',
        },
        { type: 'discord', urlFrom: { secretKeyRef: { name: 'a' } } },
        { name: 'dup', type: 'generic', url: 'http://a' },
        { name: 'dup', type: 'generic', url: 'http://b' },
      ],
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'extra: unknown field',
        'providers[0].type: must be one of slack, msteams, discord, generic',
        'providers[1]: exactly one of url and urlFrom is required',
        'providers[2]: exactly one of url and urlFrom is required',
        'providers[3].colour: unknown field',
        'providers[3].minSeverity: must be one of info, warn, error',
        'providers[3].timeout: must be a duration such as 5s',
        'providers[3].retries: must be an integer from 0 to 10',
        'providers[3].url: must be an absolute http(s) URL',
        'providers[4].urlFrom: must be {secretKeyRef: {name, key}}',
        'providers: name "dup" is used twice',
      ]),
    );
    expect(errors).toHaveLength(11);
  });

  it('names its source when the text is not YAML', () => {
    expect(() => notifyConfigFromText('providers: [', '/etc/wl/notify.yaml')).toThrow(
      /\/etc\/wl\/notify.yaml: not valid YAML/,
    );
  });
});
