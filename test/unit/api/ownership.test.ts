import { describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import { canaryOwnerRef, managedLabels, ownedByAnyCanary } from '../../../src/api/ownership.js';
import { ConditionedError } from '../../../src/kube/conditioned-error.js';
import { notControlledBy } from '../../../src/kube/owner.js';
import { conditionReasonOf } from '../../../src/workload/errors.js';

const canary = (uid?: string): Canary => ({
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { namespace: 'ns', name: 'web', ...(uid === undefined ? {} : { uid }) },
  spec: { targetRef: { name: 'web' }, service: { port: 80 } },
});

describe('ownership marks', () => {
  it('a Canary owns what it creates through a controller reference and two labels', () => {
    const ref = canaryOwnerRef(canary('u1'));
    expect(ref).toEqual({
      apiVersion: 'weightlifter.io/v1alpha1',
      kind: 'Canary',
      name: 'web',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(managedLabels(canary('u1'))).toEqual({
      'weightlifter.io/canary': 'web',
      'app.kubernetes.io/managed-by': 'weightlifter',
    });
    const child = { metadata: { ownerReferences: [ref] } };
    expect(notControlledBy(canary('u1'), child)).toBeUndefined();
    expect(notControlledBy(canary('u2'), child)).toBe('it is controlled by Canary web (uid u1)');
    expect(notControlledBy(canary('u1'), {})).toBe('it has no controller owner reference');
    expect(ownedByAnyCanary(child)).toBe(true);
    expect(
      ownedByAnyCanary({ metadata: { ownerReferences: [{ ...ref, apiVersion: 'v1' }] } }),
    ).toBe(false);
  });

  it('a Canary without a uid owns nothing: InvalidSpec, a condition, not a retry', () => {
    let thrown: unknown;
    try {
      canaryOwnerRef(canary());
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConditionedError);
    expect(conditionReasonOf(thrown)).toBe('InvalidSpec');
  });

  it('a ConditionedError whose reason the API does not know is not a condition', () => {
    expect(conditionReasonOf(new ConditionedError('WL_INVALID_SPEC', 'NoSuchReason', 'x'))).toBe(
      undefined,
    );
  });
});
