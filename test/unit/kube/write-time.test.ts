import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../../src/kube/object-key.js';
import { keepLastWriteTime, lastWriteTime } from '../../../src/kube/write-time.js';

const obj = (managedFields?: unknown[]): KubeObject => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: {
    namespace: 'ns',
    name: 'web',
    ...(managedFields === undefined ? {} : { managedFields }),
  },
});

const FIELDS = [
  {
    manager: 'weightlifter',
    operation: 'Update',
    time: '2026-12-04T06:00:01Z',
    fieldsV1: { f: 1 },
  },
  {
    manager: 'kubectl-patch',
    operation: 'Update',
    time: '2026-12-04T06:05:09Z',
    fieldsV1: { f: 2 },
  },
  { manager: 'no-time', operation: 'Update' },
  { manager: 'garbled', operation: 'Update', time: 'yesterday' },
];

describe('lastWriteTime', () => {
  it('is the newest managedFields time, whoever wrote', () => {
    expect(lastWriteTime(obj(FIELDS))).toBe(Date.parse('2026-12-04T06:05:09Z'));
  });

  it('is null without managedFields or without a readable time', () => {
    expect(lastWriteTime(undefined)).toBeNull();
    expect(lastWriteTime(obj())).toBeNull();
    expect(lastWriteTime(obj([{ manager: 'm' }, { time: 'x' }]))).toBeNull();
  });
});

describe('keepLastWriteTime', () => {
  it('keeps one entry with the newest time and nothing else of managedFields', () => {
    const kept = keepLastWriteTime(obj(FIELDS));
    expect(kept.metadata?.managedFields).toEqual([{ time: '2026-12-04T06:05:09.000Z' }]);
    expect(lastWriteTime(kept)).toBe(Date.parse('2026-12-04T06:05:09Z'));
    expect(kept.metadata?.name).toBe('web');
  });

  it('drops managedFields without a time, and leaves an object without them as it is', () => {
    expect(keepLastWriteTime(obj([{ manager: 'm' }])).metadata?.managedFields).toBeUndefined();
    const bare = obj();
    expect(keepLastWriteTime(bare)).toBe(bare);
  });
});
