// --watch-label-selector at start-up: a valid shard selector is kept in the API server's spelling
// and names the shard's Lease; an invalid one, or one naming a label the controller cannot keep on
// the objects it creates, stops the process with WL_CONFIG_INVALID naming the fault.
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/config.js';
import { problemsOf } from './problems.js';

const PROM = { prometheusUrl: 'http://127.0.0.1:9090' };

describe('--watch-label-selector', () => {
  it('is off by default: every Canary, the one Lease', () => {
    const c = resolveConfig(PROM, {});
    expect(c.shard).toBeUndefined();
    expect(c.leaderElection.name).toBe('weightlifter-controller');
  });

  it.each([
    ['weightlifter.io/shard in (a)', 'weightlifter.io/shard in (a)', 'weightlifter-controller-a'],
    ['weightlifter.io/shard=a', 'weightlifter.io/shard=a', 'weightlifter-controller-a'],
    [
      'weightlifter.io/shard in (b,a)',
      'weightlifter.io/shard in (a,b)',
      'weightlifter-controller-a-b',
    ],
    [
      'weightlifter.io/shard in (Team_A.1)',
      'weightlifter.io/shard in (Team_A.1)',
      'weightlifter-controller-team-a-1',
    ],
    // The unsharded main instance keeps the unsharded controller's Lease: moving an install to
    // shards never has the old and the new replicas both acting on unlabelled Canaries.
    ['!weightlifter.io/shard', '!weightlifter.io/shard', 'weightlifter-controller'],
  ])('takes %j as a shard with its own Lease', (value, selector, lease) => {
    const c = resolveConfig({ ...PROM, watchLabelSelector: value }, {});
    expect(c.shard?.selector).toBe(selector);
    expect(c.leaderElection.name).toBe(lease);
  });

  it('names the Lease of any other shard selector by a hash of it, the same for the same shard', () => {
    const lease = (v: string): string =>
      resolveConfig({ ...PROM, watchLabelSelector: v }, {}).leaderElection.name;
    const a = lease('weightlifter.io/shard notin (a,b)');
    expect(a).toMatch(/^weightlifter-controller-s[0-9a-f]{10}$/);
    expect(lease('weightlifter.io/shard notin ( b,a )')).toBe(a);
    expect(lease('weightlifter.io/shard notin (a)')).not.toBe(a);
  });

  it('reads WEIGHTLIFTER_WATCH_LABEL_SELECTOR; an explicit --lease-name wins', () => {
    const c = resolveConfig(
      { ...PROM, leaseName: 'mine' },
      { WEIGHTLIFTER_WATCH_LABEL_SELECTOR: 'weightlifter.io/shard in (b)' },
    );
    expect(c.shard?.selector).toBe('weightlifter.io/shard in (b)');
    expect(c.leaderElection.name).toBe('mine');
  });

  it('takes an empty value as unset', () => {
    expect(resolveConfig({ ...PROM, watchLabelSelector: ' ' }, {}).shard).toBeUndefined();
  });

  it.each([
    ['weightlifter.io/shard in (a', 'unbalanced or nested parentheses'],
    ['weightlifter.io/shard in ()', '"weightlifter.io/shard": the set of values in ( ) is empty'],
    [
      'weightlifter.io/shard=a b',
      '"a b" is not a label value (at most 63 characters, alphanumeric at both ends, "-", "_" or "." inside)',
    ],
  ])('refuses the malformed %j, naming the fault', (value, why) => {
    expect(problemsOf(() => resolveConfig({ ...PROM, watchLabelSelector: value }, {}))).toEqual([
      `--watch-label-selector: "${value}" is not a label selector: ${why}`,
    ]);
  });

  it.each(['team=a', 'weightlifter.io/shard in (a),env=prod', '!sharding.fluxcd.io/key'])(
    'refuses %j: only weightlifter.io/shard is copied onto the objects a Canary creates',
    (value) => {
      const [problem, ...rest] = problemsOf(() =>
        resolveConfig({ ...PROM, watchLabelSelector: value }, {}),
      );
      expect(rest).toEqual([]);
      expect(problem).toContain(`--watch-label-selector: "${value}" selects by the label`);
      expect(problem).toContain('only weightlifter.io/shard can shard');
    },
  );

  it('reports a bad selector together with the other problems', () => {
    const problems = problemsOf(() =>
      resolveConfig({ watchLabelSelector: 'x in (', concurrency: '0' }, {}),
    );
    expect(problems).toHaveLength(3);
  });
});
