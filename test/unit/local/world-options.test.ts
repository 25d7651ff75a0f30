import { describe, expect, it } from '@jest/globals';
import { WORLD_ERROR_CODES } from '../../../dev/local/emulator/errors.js';
import { withoutPods } from '../../../dev/local/world.js';

describe('WorldOptions.resourceMetrics', () => {
  it('fails loudly on a control plane that runs no pods, naming the install command', () => {
    const err = withoutPods({
      podsRunByKwok: false,
      notes: ['pods are not run (kwok unavailable): drive readiness through the Deployment status'],
    });
    expect(err?.code).toBe(WORLD_ERROR_CODES.RESOURCE_METRICS_WITHOUT_PODS);
    expect(err?.code).toBe('WL_WORLD_RESOURCE_METRICS_WITHOUT_PODS');
    expect(err?.message).toContain('kwok unavailable');
    expect(err?.message).toContain('bash hack/setup.sh');
  });

  it('has nothing to say when kwok runs the pods', () => {
    expect(withoutPods({ podsRunByKwok: true, notes: [] })).toBeUndefined();
  });
});
