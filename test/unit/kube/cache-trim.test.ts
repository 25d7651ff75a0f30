// The informer caches' trimming: every field the controller reads survives, managedFields goes
// (the route objects keep their newest write time), and the new metadata stays a fast-mode object.
import { describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { metadataWithout, withoutManagedFields } from '../../../src/kube/cache-trim.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import { keepLastWriteTime, lastWriteTime } from '../../../src/kube/write-time.js';

setFlagsFromString('--allow-natives-syntax');
// V8's own answer: false for an object whose properties went into dictionary mode.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (
  o: unknown,
) => boolean;

const MANAGED = [
  {
    manager: 'kube-controller-manager',
    operation: 'Update',
    time: '2026-12-04T06:00:01Z',
    fieldsV1: { 'f:status': {} },
  },
  {
    manager: 'weightlifter',
    operation: 'Update',
    time: '2026-12-04T06:05:09Z',
    fieldsV1: { 'f:spec': {} },
  },
];

/** As the API server sends it: managedFields in the middle of metadata, as the server orders it. */
function deployment(): KubeObject & { spec: unknown; status: unknown } {
  return JSON.parse(
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web-primary',
        namespace: 'shop',
        uid: 'uid-1',
        resourceVersion: '4301',
        generation: 3,
        creationTimestamp: '2026-12-04T06:00:00Z',
        deletionTimestamp: '2026-12-04T07:00:00Z',
        labels: { app: 'web-primary' },
        annotations: { 'weightlifter.io/revision': 'abc' },
        managedFields: MANAGED,
        ownerReferences: [
          {
            apiVersion: 'weightlifter.io/v1alpha1',
            kind: 'Canary',
            name: 'web',
            uid: 'c-1',
            controller: true,
          },
        ],
        finalizers: ['weightlifter.io/finalizer'],
      },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'web-primary' } } } },
      status: { observedGeneration: 3, readyReplicas: 2, updatedReplicas: 2 },
    }),
  ) as KubeObject & { spec: unknown; status: unknown };
}

const withoutManaged = (o: KubeObject): unknown => ({
  ...o,
  metadata: Object.fromEntries(
    Object.entries(o.metadata ?? {}).filter(([key]) => key !== 'managedFields'),
  ),
});

describe('withoutManagedFields (the informers’ default transform)', () => {
  it('keeps every field the controller reads and drops only managedFields', () => {
    const live = deployment();
    const cached = withoutManagedFields(live);
    expect(cached).toEqual(withoutManaged(live));
    expect(cached.metadata).not.toHaveProperty('managedFields');
    // The object as received is not changed (a watch event's object may be logged or compared).
    expect(live.metadata?.managedFields).toEqual(MANAGED);
  });

  it('builds a fast-mode metadata object (a delete would have made it a dictionary)', () => {
    const live = deployment();
    expect(hasFastProperties(withoutManagedFields(live).metadata)).toBe(true);
    // What the copy-and-delete it replaces did to the same object:
    const deleted: Record<string, unknown> = { ...live.metadata };
    delete deleted['managedFields'];
    expect(hasFastProperties(deleted)).toBe(false);
  });

  it('leaves an object without managedFields as it is', () => {
    const bare = withoutManagedFields(deployment());
    expect(withoutManagedFields(bare)).toBe(bare);
    expect(metadataWithout({ name: 'a' })).toEqual({ name: 'a' });
  });
});

describe('keepLastWriteTime (the route objects’ caches)', () => {
  it('keeps the fields the controller reads and the newest write time, in a fast-mode object', () => {
    const live = deployment();
    const cached = keepLastWriteTime(live);
    expect(lastWriteTime(cached)).toBe(Date.parse('2026-12-04T06:05:09Z'));
    expect(cached.metadata?.managedFields).toEqual([{ time: '2026-12-04T06:05:09.000Z' }]);
    expect({ ...cached, metadata: metadataWithout(cached.metadata ?? {}) }).toEqual(
      withoutManaged(live),
    );
    expect(hasFastProperties(cached.metadata)).toBe(true);
  });

  it('drops managedFields that record no time, again without a delete', () => {
    const live = deployment();
    (live.metadata ?? {}).managedFields = [{ manager: 'm' }];
    const cached = keepLastWriteTime(live);
    expect(cached.metadata).not.toHaveProperty('managedFields');
    expect(hasFastProperties(cached.metadata)).toBe(true);
  });
});
