import { describe, expect, it } from '@jest/globals';
import { WriteTracker } from '../../../src/runtime/write-tracker.js';

/** What the canary controller tracks, with one router's route object. */
const tracked = [
  { group: 'weightlifter.io', kind: 'Canary' },
  { group: 'apps', kind: 'Deployment' },
  { group: '', kind: 'Service' },
  { group: 'split.smi-spec.io', kind: 'TrafficSplit' },
];

const dep = (rv: string | undefined) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { namespace: 'ns', name: 'web', ...(rv === undefined ? {} : { resourceVersion: rv }) },
});

describe('WriteTracker', () => {
  it('reports a cached copy older than our write as stale until the cache catches up', () => {
    const t = new WriteTracker({ tracked });
    t.record(dep('20'));
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', dep('19'))).toBe(true);
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', dep('20'))).toBe(false);
    // Caught up once: forgotten, even if an older copy shows up again (a relist race).
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', dep('19'))).toBe(false);
  });

  it('reports an object we created that the cache does not hold yet as stale', () => {
    const t = new WriteTracker({ tracked });
    t.record({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'ns', name: 'web', resourceVersion: '7' },
    });
    expect(t.isStale('', 'Service', 'ns', 'web', undefined)).toBe(true);
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', undefined)).toBe(false);
  });

  it('keys a tracked kind by group, whatever version wrote it (TrafficSplit v1alpha2)', () => {
    const t = new WriteTracker({ tracked });
    t.record({
      apiVersion: 'split.smi-spec.io/v1alpha2',
      kind: 'TrafficSplit',
      metadata: { namespace: 'ns', name: 'web', resourceVersion: '9' },
    });
    expect(t.isStale('split.smi-spec.io', 'TrafficSplit', 'ns', 'web', undefined)).toBe(true);
  });

  it('forgets a write the cache never shows within the max age (deleted meanwhile)', () => {
    let now = 1_000;
    const t = new WriteTracker({ tracked, now: () => now, maxAgeMs: 5_000 });
    t.record(dep('20'));
    now += 4_000;
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', undefined)).toBe(true);
    now += 2_000;
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', undefined)).toBe(false);
  });

  it('ignores kinds it was not told to track, and resourceVersions that are not numbers', () => {
    const t = new WriteTracker({ tracked });
    t.record({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { namespace: 'ns', name: 'e', resourceVersion: '3' },
    });
    expect(t.isStale('events.k8s.io', 'Event', 'ns', 'e', undefined)).toBe(false);
    t.record(dep('abc'));
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', undefined)).toBe(false);
    t.record(dep('30'));
    expect(t.isStale('apps', 'Deployment', 'ns', 'web', dep('opaque'))).toBe(false);
  });
});
