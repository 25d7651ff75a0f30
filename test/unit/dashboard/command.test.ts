// `weightlifter dashboard`'s flags: --prometheus-url takes an http(s) URL without credentials,
// --mesh one of the meshes whose queries the controller knows.
import { describe, expect, it } from '@jest/globals';
import { dashboardCommand, parsePrometheusUrl } from '../../../src/dashboard/command.js';

describe('--prometheus-url', () => {
  it.each(['http://127.0.0.1:9090', 'https://prometheus.monitoring:9090/prom/'])(
    'takes %s',
    (url) => {
      expect(parsePrometheusUrl(url)).toBe(url);
    },
  );

  it.each([
    ['not a URL', 'not a url', 'expected an http(s) URL'],
    ['another scheme', 'file:///etc/passwd', 'expected an http(s) URL'],
    ['user info', 'http://user:secret@prometheus:9090', 'without user info, query or fragment'],
    ['a query', 'http://prometheus:9090/?token=x', 'without user info, query or fragment'],
    ['a fragment', 'http://prometheus:9090/#x', 'without user info, query or fragment'],
  ])('refuses %s', (_what, url, message) => {
    expect(() => parsePrometheusUrl(url)).toThrow(message);
  });
});

describe('the command line', () => {
  const parse = (argv: string[]): Record<string, unknown> => {
    const cmd = dashboardCommand().exitOverride();
    cmd.configureOutput({ writeErr: () => undefined });
    cmd.parseOptions(argv);
    return cmd.opts();
  };

  it('has no Prometheus and no mesh unless given', () => {
    expect(parse([])).not.toHaveProperty('prometheusUrl');
    expect(parse([])).not.toHaveProperty('mesh');
  });

  it('reads --prometheus-url and --mesh', () => {
    expect(parse(['--prometheus-url', 'http://127.0.0.1:9090', '--mesh', 'istio'])).toMatchObject({
      prometheusUrl: 'http://127.0.0.1:9090',
      mesh: 'istio',
    });
  });

  it('refuses a mesh it has no queries for, and a URL with credentials', () => {
    expect(() => parse(['--mesh', 'consul'])).toThrow(/linkerd, istio, osm/);
    expect(() => parse(['--prometheus-url', 'http://u:p@h:9090'])).toThrow(/user info/);
  });
});
