import { describe, expect, it } from '@jest/globals';
import { computeMergePatch, type JsonObject } from '../../../src/kube/merge-patch.js';
import { withResourceVersion, isControlledBy } from '../../../src/kube/diff-patch.js';

describe('computeMergePatch', () => {
  const cases: [string, unknown, JsonObject, JsonObject | undefined][] = [
    [
      'equal owned fields: nothing to send',
      { spec: { a: 1, b: 'x' } },
      { spec: { a: 1 } },
      undefined,
    ],
    ['changed scalar', { spec: { a: 1 } }, { spec: { a: 2 } }, { spec: { a: 2 } }],
    [
      'fields we do not name are left alone',
      { spec: { a: 1, other: 5 } },
      { spec: { a: 2 } },
      { spec: { a: 2 } },
    ],
    ['new nested object', { spec: {} }, { spec: { x: { y: 1 } } }, { spec: { x: { y: 1 } } }],
    ['missing live', undefined, { a: { b: 1 } }, { a: { b: 1 } }],
    ['null removes a present field', { a: 1, b: 2 }, { a: null }, { a: null }],
    ['null for an absent field is a no-op', { b: 2 }, { a: null }, undefined],
    ['nulls inside a new object are dropped', {}, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    [
      'arrays are replaced whole when different',
      {
        backends: [
          { service: 'p', weight: 90 },
          { service: 'c', weight: 10 },
        ],
      },
      {
        backends: [
          { service: 'p', weight: 80 },
          { service: 'c', weight: 20 },
        ],
      },
      {
        backends: [
          { service: 'p', weight: 80 },
          { service: 'c', weight: 20 },
        ],
      },
    ],
    [
      'equal arrays produce nothing',
      { backends: [{ service: 'p', weight: 100 }] },
      { backends: [{ service: 'p', weight: 100 }] },
      undefined,
    ],
    ['key order does not matter', { a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }, undefined],
    ['type change', { a: '1' }, { a: 1 }, { a: 1 }],
    ['object replacing a scalar', { a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
  ];
  it.each(cases)('%s', (_name, live, desired, expected) => {
    expect(computeMergePatch(live, desired)).toEqual(expected);
  });
});

describe('withResourceVersion', () => {
  it('adds the precondition without losing metadata changes', () => {
    expect(withResourceVersion({ metadata: { labels: { a: 'b' } }, spec: { x: 1 } }, '42')).toEqual(
      {
        metadata: { labels: { a: 'b' }, resourceVersion: '42' },
        spec: { x: 1 },
      },
    );
  });
});

describe('isControlledBy', () => {
  const ref = { apiVersion: 'weightlifter.io/v1alpha1', kind: 'Canary', name: 'web', uid: 'u1' };
  it.each([
    [[{ ...ref, controller: true }], true],
    [[{ ...ref }], false],
    [[{ ...ref, uid: 'u2', controller: true }], false],
    [undefined, false],
  ])('%j -> %s', (ownerReferences, expected) => {
    expect(
      isControlledBy({ metadata: { ...(ownerReferences ? { ownerReferences } : {}) } }, 'u1'),
    ).toBe(expected);
  });
});
