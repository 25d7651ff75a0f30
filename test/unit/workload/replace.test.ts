import { describe, expect, it } from '@jest/globals';
import { computeMergePatch } from '../../../src/kube/merge-patch.js';
import { replacing } from '../../../src/workload/replace.js';

describe('replacing', () => {
  it('marks members the desired object lacks with null, recursively', () => {
    const live = { a: 1, b: { c: 2, d: 3 }, e: [1], f: null };
    expect(replacing(live, { a: 1, b: { c: 2 } })).toEqual({ a: 1, b: { c: 2, d: null }, e: null });
  });

  it('gives a merge patch that deletes what the source dropped', () => {
    const live = { spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'a' }] } };
    const want = { spec: { containers: [{ name: 'a' }] } };
    expect(computeMergePatch(live, { t: replacing(live, want) }['t'] as never)).toEqual({
      spec: { nodeSelector: null },
    });
    expect(computeMergePatch(want, { t: replacing(want, want) }['t'] as never)).toBeUndefined();
  });

  it('replaces non-objects wholesale', () => {
    expect(replacing([1, 2], [3])).toEqual([3]);
    expect(replacing({ a: 1 }, 'x')).toBe('x');
  });
});
