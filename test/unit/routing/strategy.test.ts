import { describe, expect, it } from '@jest/globals';
import type { TrafficSplitVersion } from '../../../src/api/smi.js';
import { UnsupportedStrategyError } from '../../../src/routing/errors.js';
import { assertStrategySupported } from '../../../src/routing/strategy.js';
import type { TrafficStrategy } from '../../../src/routing/types.js';
import { conditionReasonOf } from '../../../src/workload/errors.js';

const weighted: TrafficStrategy = { kind: 'weighted' };
const header: TrafficStrategy = { kind: 'headerMatch', routeGroups: ['beta'] };
const mirror: TrafficStrategy = { kind: 'mirror' };

describe('assertStrategySupported', () => {
  const table: [TrafficStrategy, TrafficSplitVersion, boolean][] = [
    [weighted, 'v1alpha1', true],
    [weighted, 'v1alpha4', true],
    [header, 'v1alpha1', false],
    [header, 'v1alpha2', false],
    [header, 'v1alpha3', true],
    [header, 'v1alpha4', true],
    [mirror, 'v1alpha1', false],
    [mirror, 'v1alpha4', false],
  ];
  it.each(table)('%j over %s: supported=%s', (strategy, version, ok) => {
    const run = (): void => {
      assertStrategySupported(strategy, version);
    };
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(UnsupportedStrategyError);
  });

  it('maps to the UnsupportedStrategy condition reason', () => {
    try {
      assertStrategySupported(header, 'v1alpha2');
      throw new Error('expected a throw');
    } catch (err) {
      expect(conditionReasonOf(err)).toBe('UnsupportedStrategy');
      expect((err as Error).message).toMatch(/v1alpha3/);
    }
  });

  it('rejects header matching without route groups', () => {
    expect(() => {
      assertStrategySupported({ kind: 'headerMatch', routeGroups: [] }, 'v1alpha4');
    }).toThrow(UnsupportedStrategyError);
  });
});
