import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/config.js';
import { problemsOf } from './problems.js';
import { parseHostPort } from '../../../src/config/parse.js';

const PROM = { prometheusUrl: 'http://127.0.0.1:9090' };
const PROM_ENV = { WEIGHTLIFTER_PROMETHEUS_URL: 'http://127.0.0.1:9090' };

describe('resolveConfig', () => {
  it('applies the defaults', () => {
    const c = resolveConfig(PROM, {});
    expect(c).toEqual({
      kubeconfig: undefined,
      context: undefined,
      namespaces: 'all',
      controllerNamespace: 'weightlifter-system',
      prometheusUrl: 'http://127.0.0.1:9090',
      mesh: 'linkerd',
      trafficMetrics: 'auto',
      routingProvider: 'auto',
      concurrency: 16,
      maxConcurrentRuns: 0,
      leaderElection: {
        enabled: false,
        namespace: 'weightlifter-system',
        name: 'weightlifter-controller',
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
        identity: undefined,
      },
      health: { host: '127.0.0.1', port: 8080 },
      logLevel: 'info',
      addressPolicy: { allowedHosts: [], allowedCidrs: [], unblockedCidrs: [] },
      endpointGate: true,
      idleScale: { maxAttempts: 3, baseDelayMs: 60_000 },
    });
  });

  it('reads WEIGHTLIFTER_* variables, and flags win over them', () => {
    const env = {
      WEIGHTLIFTER_PROMETHEUS_URL: 'http://127.0.0.1:1',
      WEIGHTLIFTER_NAMESPACES: 'a, b,,c',
      WEIGHTLIFTER_CONCURRENCY: '8',
      WEIGHTLIFTER_LEADER_ELECT: 'true',
      WEIGHTLIFTER_MESH: 'istio',
      WEIGHTLIFTER_ROUTING_PROVIDER: 'gatewayapi',
      WEIGHTLIFTER_ALLOWED_CIDRS: '10.0.0.0/8,127.0.0.1/32',
      POD_NAMESPACE: 'ops',
    };
    const fromEnv = resolveConfig({}, env);
    expect(fromEnv.prometheusUrl).toBe('http://127.0.0.1:1');
    expect(fromEnv.namespaces).toEqual(['a', 'b', 'c']);
    expect(fromEnv.concurrency).toBe(8);
    expect(fromEnv.mesh).toBe('istio');
    expect(fromEnv.routingProvider).toBe('gatewayapi');
    expect(resolveConfig({ routingProvider: 'smi' }, env).routingProvider).toBe('smi');
    expect(fromEnv.controllerNamespace).toBe('ops');
    expect(fromEnv.leaderElection).toEqual({
      enabled: true,
      namespace: 'ops',
      name: 'weightlifter-controller',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      identity: undefined,
    });
    expect(fromEnv.addressPolicy.allowedCidrs).toEqual(['10.0.0.0/8', '127.0.0.1/32']);
    const flagged = resolveConfig(
      {
        prometheusUrl: 'http://127.0.0.1:2',
        concurrency: '2',
        leaderElect: false,
        namespaces: 'x',
      },
      env,
    );
    expect(flagged.prometheusUrl).toBe('http://127.0.0.1:2');
    expect(flagged.concurrency).toBe(2);
    expect(flagged.leaderElection.enabled).toBe(false);
    expect(flagged.namespaces).toEqual(['x']);
  });

  it('treats an empty environment variable as unset', () => {
    expect(resolveConfig(PROM, { WEIGHTLIFTER_CONCURRENCY: '' }).concurrency).toBe(16);
  });

  it('"all" or "*" in the namespace list means cluster-wide', () => {
    expect(resolveConfig({ ...PROM, namespaces: 'a,*' }).namespaces).toBe('all');
    expect(resolveConfig({ ...PROM, namespaces: 'all' }).namespaces).toBe('all');
  });

  it('a boolean flag without a value is true; words are accepted', () => {
    expect(resolveConfig({ ...PROM, leaderElect: true }).leaderElection.enabled).toBe(true);
    expect(resolveConfig({ ...PROM, endpointGate: 'off' }).endpointGate).toBe(false);
    expect(resolveConfig({ ...PROM, endpointGate: 'yes' }).endpointGate).toBe(true);
  });

  it('names every problem at once', () => {
    const problems = problemsOf(() =>
      resolveConfig(
        {
          mesh: 'consul',
          concurrency: '0',
          maxConcurrentRuns: '-1',
          logLevel: 'loud',
          healthAddress: 'nowhere',
          leaderElect: 'maybe',
          trafficMetrics: 'guess',
          routingProvider: 'istio',
        },
        {},
      ),
    );
    expect(problems).toHaveLength(9);
    expect(problems.join('\n')).toMatch(/--prometheus-url .*required/);
    expect(problems.join('\n')).toContain('--mesh: "consul"');
    expect(problems.join('\n')).toContain(
      '--routing-provider: "istio" is not one of auto, smi, gatewayapi',
    );
    expect(problems.join('\n')).toContain('--concurrency: "0" is not an integer >= 1');
    expect(problems.join('\n')).toContain('--max-concurrent-runs: "-1"');
    expect(problems.join('\n')).toContain('--log-level: "loud"');
    expect(problems.join('\n')).toContain('--health-address: "nowhere"');
    expect(problems.join('\n')).toContain('--leader-elect: "maybe"');
    expect(problems.join('\n')).toContain('--traffic-metrics: "guess"');
  });

  it('takes the Lease timings as durations and the identity from POD_NAME', () => {
    const c = resolveConfig(
      { ...PROM, leaseDuration: '6s', renewDeadline: '4s', retryPeriod: '500ms' },
      { POD_NAME: 'weightlifter-7d9f-abcde' },
    );
    expect(c.leaderElection).toMatchObject({
      leaseDurationMs: 6_000,
      renewDeadlineMs: 4_000,
      retryPeriodMs: 500,
      identity: 'weightlifter-7d9f-abcde',
    });
    const env = resolveConfig({}, { ...PROM_ENV, WEIGHTLIFTER_LEASE_DURATION: '1m' });
    expect(env.leaderElection.leaseDurationMs).toBe(60_000);
  });

  it('refuses Lease timings a leader could not keep, and bad durations', () => {
    expect(problemsOf(() => resolveConfig({ ...PROM, renewDeadline: '20s' }))).toEqual([
      '--retry-period < --renew-deadline < --lease-duration must hold (got 2000 ms, 20000 ms, 15000 ms)',
    ]);
    expect(problemsOf(() => resolveConfig({ ...PROM, leaseDuration: '15' }))).toEqual([
      '--lease-duration: "15" is not a duration of at least 100 ms (e.g. 15s)',
    ]);
  });

  it('takes the idle-scale policy from flags', () => {
    const c = resolveConfig({ ...PROM, idleScaleAttempts: '1', idleScaleBackoff: '5s' });
    expect(c.idleScale).toEqual({ maxAttempts: 1, baseDelayMs: 5_000 });
    expect(problemsOf(() => resolveConfig({ ...PROM, idleScaleAttempts: '0' }))).toEqual([
      '--idle-scale-attempts: "0" is not an integer >= 1',
    ]);
  });

  it('refuses a namespace list with a name no namespace can have', () => {
    expect(problemsOf(() => resolveConfig({ ...PROM, namespaces: 'shop,Pay_ments' }))).toEqual([
      '--namespace: "Pay_ments" is not a namespace name',
    ]);
  });

  it('rejects a Prometheus address that is not an http(s) URL', () => {
    expect(problemsOf(() => resolveConfig({ prometheusUrl: 'prometheus:9090' }))).toEqual([
      '--prometheus-url: "prometheus:9090" is not an http(s) URL',
    ]);
  });

  it('rejects a flag that needs a value but was given none', () => {
    expect(problemsOf(() => resolveConfig({ ...PROM, mesh: true }))).toEqual([
      '--mesh: expects a value',
    ]);
  });
});

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    [':9000', { host: '0.0.0.0', port: 9000 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
  ])('%s', (value, expected) => {
    const problems: string[] = [];
    expect(parseHostPort(value, '--x', problems)).toEqual(expected);
    expect(problems).toEqual([]);
  });

  it.each(['8080', 'host:', 'host:70000', '::1:80'])('rejects %s', (value) => {
    const problems: string[] = [];
    parseHostPort(value, '--x', problems);
    expect(problems).toHaveLength(1);
  });
});
