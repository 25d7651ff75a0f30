import { describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import type { ServiceJson } from '../../../src/workload/k8s-types.js';
import { parseTakenOver, serviceOwnership } from '../../../src/workload/takeover.js';

const canary: Canary = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'shop', uid: 'uid-1' },
  spec: { targetRef: { name: 'podinfo' }, service: { port: 9898 } },
};

const ref = (uid: string) => ({
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  name: 'x',
  uid,
  controller: true,
});
const svc = (meta: ServiceJson['metadata']): ServiceJson => ({
  metadata: { name: 'podinfo', ...meta },
});
const record = (c: string) =>
  JSON.stringify({ canary: c, selector: { app: 'podinfo' }, addedAnnotations: [] });

describe('serviceOwnership (the takeover rule)', () => {
  it('owns a Service controlled by this Canary', () => {
    expect(serviceOwnership(canary, svc({ ownerReferences: [ref('uid-1')] }), false)).toEqual({
      kind: 'owned',
    });
  });

  it('refuses a user Service without the takeover annotation', () => {
    const out = serviceOwnership(canary, svc({}), true);
    expect(out).toMatchObject({
      kind: 'refused',
      why: expect.stringMatching(/weightlifter.io\/takeover="true"/) as unknown,
    });
  });

  it('takes over an apex annotated weightlifter.io/takeover=true', () => {
    const s = svc({ annotations: { 'weightlifter.io/takeover': 'true' } });
    expect(serviceOwnership(canary, s, true)).toEqual({ kind: 'takenOver', record: undefined });
  });

  it('never takes over a non-apex Service, annotation or not', () => {
    const s = svc({ annotations: { 'weightlifter.io/takeover': 'true' } });
    expect(serviceOwnership(canary, s, false).kind).toBe('refused');
  });

  it('keeps managing a Service it took over, with the original record', () => {
    const s = svc({ annotations: { 'weightlifter.io/taken-over': record('podinfo') } });
    expect(serviceOwnership(canary, s, true)).toEqual({
      kind: 'takenOver',
      record: { canary: 'podinfo', selector: { app: 'podinfo' }, addedAnnotations: [] },
    });
  });

  it('refuses a Service another Canary took over, or one controlled by another Canary', () => {
    const other = svc({
      annotations: {
        'weightlifter.io/takeover': 'true',
        'weightlifter.io/taken-over': record('other'),
      },
    });
    expect(serviceOwnership(canary, other, true)).toMatchObject({
      kind: 'refused',
      why: expect.stringMatching(/Canary other/) as unknown,
    });
    expect(serviceOwnership(canary, svc({ ownerReferences: [ref('uid-2')] }), true).kind).toBe(
      'refused',
    );
  });
});

describe('parseTakenOver', () => {
  it('ignores garbage', () => {
    expect(parseTakenOver('{not json')).toBeUndefined();
    expect(parseTakenOver('{"selector":{}}')).toBeUndefined();
    expect(parseTakenOver(undefined)).toBeUndefined();
  });
});
