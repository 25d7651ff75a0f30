import { describe, expect, it } from '@jest/globals';
import { canaryOwnerRef, managedLabels, ownedByAnyCanary } from '../../../src/api/ownership.js';
import { ConditionedError } from '../../../src/kube/conditioned-error.js';
import { notControlledBy } from '../../../src/kube/owner.js';
import { conditionReasonOf } from '../../../src/workload/errors.js';
import { canary as podinfo } from '../routing/fixtures.js';

const canary = (uid?: string) => {
  const c = podinfo();
  if (uid === undefined) delete c.metadata.uid;
  else c.metadata.uid = uid;
  return c;
};

describe('ownership marks', () => {
  it('a Canary owns what it creates through a controller reference and two labels', () => {
    const ref = canaryOwnerRef(canary('u1'));
    expect(ref).toEqual({
      apiVersion: 'weightlifter.io/v1alpha1',
      kind: 'Canary',
      name: 'podinfo',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(managedLabels(canary('u1'))).toEqual({
      'weightlifter.io/canary': 'podinfo',
      'app.kubernetes.io/managed-by': 'weightlifter',
    });
    const child = { metadata: { ownerReferences: [ref] } };
    expect(notControlledBy(canary('u1'), child)).toBeUndefined();
    expect(notControlledBy(canary('u2'), child)).toBe(
      'it is controlled by Canary podinfo (uid u1)',
    );
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
