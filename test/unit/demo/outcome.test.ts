import { describe, expect, it } from '@jest/globals';
import type { CanaryStatus } from '../../../src/api/canary.js';
import {
  describeSplit,
  httpRouteWeights,
  outcomeOf,
  splitWeights,
} from '../../../dev/demo/outcome.js';
import { demoCanary } from './fixtures.js';

describe('outcomeOf', () => {
  const cases: [string, CanaryStatus, string | undefined][] = [
    [
      'the previous run still on record',
      { phase: 'Succeeded', revision: 'r1', lastPromotedRevision: 'r1' },
      undefined,
    ],
    ['the new revision analysed', { phase: 'Progressing', revision: 'r2' }, undefined],
    [
      'Succeeded, but the new revision not promoted yet',
      { phase: 'Succeeded', revision: 'r2', lastPromotedRevision: 'r1' },
      undefined,
    ],
    [
      'the new revision promoted',
      { phase: 'Succeeded', revision: 'r2', lastPromotedRevision: 'r2' },
      'Promoted',
    ],
    [
      'the new revision rolled back',
      { phase: 'Failed', revision: 'r2', lastPromotedRevision: 'r1' },
      'RolledBack',
    ],
    ['a Failed left over from the previous run', { phase: 'Failed', revision: 'r1' }, undefined],
    ['no status yet', {}, undefined],
  ];
  it.each(cases)('%s', (_, status, expected) => {
    expect(outcomeOf(demoCanary(status), 'r1')).toBe(expected);
  });
});

describe('splitWeights', () => {
  it('reads integer weights (v1alpha2+) and Quantities (v1alpha1)', () => {
    const ints = splitWeights({
      spec: {
        backends: [
          { service: 'podinfo-primary', weight: 100 },
          { service: 'podinfo-canary', weight: 0 },
        ],
      },
    });
    expect(describeSplit(ints)).toBe('podinfo-primary 100 / podinfo-canary 0');
    const quantities = splitWeights({
      spec: {
        backends: [
          { service: 'podinfo-primary', weight: '900m' },
          { service: 'podinfo-canary', weight: '100m' },
        ],
      },
    });
    expect(quantities.get('podinfo-primary')).toBeCloseTo(0.9);
    expect(quantities.get('podinfo-canary')).toBeCloseTo(0.1);
  });

  it('is empty for a split without backends', () => {
    expect(splitWeights({}).size).toBe(0);
  });
});

describe('httpRouteWeights', () => {
  it('reads the rule that sends to the primary, a missing weight as 1, other rules ignored', () => {
    const route = {
      spec: {
        rules: [
          { backendRefs: [{ name: 'legacy', weight: 5 }] },
          {
            backendRefs: [
              { name: 'podinfo-primary', weight: 100 },
              { name: 'podinfo-canary', weight: 0 },
            ],
          },
        ],
      },
    };
    expect(describeSplit(httpRouteWeights(route, 'podinfo-primary'))).toBe(
      'podinfo-primary 100 / podinfo-canary 0',
    );
    const unweighted = { spec: { rules: [{ backendRefs: [{ name: 'podinfo-primary' }] }] } };
    expect(httpRouteWeights(unweighted, 'podinfo-primary').get('podinfo-primary')).toBe(1);
    expect(httpRouteWeights({}, 'podinfo-primary').size).toBe(0);
  });
});
