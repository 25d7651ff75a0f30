import { describe, expect, it } from '@jest/globals';
import { blockedConditions } from '../../../src/controller/blocked.js';
import { canaryJson } from './canary-fixtures.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('blockedConditions', () => {
  it('sets Ready=False and Stalled=True with the reason, keeping other conditions', () => {
    const canary = canaryJson(
      'ns',
      'web',
      {},
      {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Succeeded',
            message: 'ok',
            lastTransitionTime: 't0',
          },
          {
            type: 'Promoted',
            status: 'True',
            reason: 'Succeeded',
            message: 'phase Succeeded',
            lastTransitionTime: 't0',
          },
        ],
      },
    );
    const patch = blockedConditions(
      canary,
      { reason: 'NotOwned', message: 'Service web is not ours' },
      NOW,
    );
    expect(patch).toEqual({
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'NotOwned',
          message: 'Service web is not ours',
          lastTransitionTime: '2026-01-01T00:00:00.000Z',
          observedGeneration: 1,
        },
        {
          type: 'Stalled',
          status: 'True',
          reason: 'NotOwned',
          message: 'Service web is not ours',
          lastTransitionTime: '2026-01-01T00:00:00.000Z',
          observedGeneration: 1,
        },
        {
          type: 'Promoted',
          status: 'True',
          reason: 'Succeeded',
          message: 'phase Succeeded',
          lastTransitionTime: 't0',
        },
      ],
    });
  });

  it('writes nothing when the status already says so', () => {
    const blocked = { reason: 'TargetNotFound', message: 'no target' };
    const first = blockedConditions(canaryJson('ns', 'web'), blocked, NOW);
    const canary = canaryJson('ns', 'web', {}, { conditions: first?.['conditions'] as never });
    expect(blockedConditions(canary, blocked, NOW + 1_000)).toBeUndefined();
    expect(
      blockedConditions(canary, { ...blocked, message: 'still no target' }, NOW),
    ).toBeDefined();
  });
});
