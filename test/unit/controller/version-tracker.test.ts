import { describe, expect, it } from '@jest/globals';
import { ResourceVersionTracker } from '../../../src/controller/version-tracker.js';

const at = (rv: string) => ({ metadata: { namespace: 'ns', name: 'web', resourceVersion: rv } });

describe('ResourceVersionTracker', () => {
  it('flags cached copies older than our last write until the cache catches up', () => {
    const t = new ResourceVersionTracker();
    t.record(at('120'));
    expect(t.isStale(at('99'))).toBe(true); // numeric, not lexical: '99' < '120'
    expect(t.isStale(at('120'))).toBe(false);
    expect(t.isStale(at('99'))).toBe(false); // caught up once, forgotten
  });

  it('knows nothing about keys never written, or opaque versions', () => {
    const t = new ResourceVersionTracker();
    expect(t.isStale(at('1'))).toBe(false);
    t.record(at('abc'));
    expect(t.isStale(at('1'))).toBe(false);
  });
});
