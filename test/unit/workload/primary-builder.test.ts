import { describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import { configKey } from '../../../src/workload/config-refs.js';
import { WorkloadSpecError } from '../../../src/workload/errors.js';
import {
  buildPrimary,
  primaryReplicas,
  primaryRevisionOf,
} from '../../../src/workload/primary-builder.js';
import { target } from './fixtures.js';

const canary: Canary = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'shop', uid: 'uid-1' },
  spec: { targetRef: { name: 'podinfo' }, service: { port: 9898 } },
};

const build = (t = target(), copied: string[] = [configKey('configmap', 'settings')]) =>
  buildPrimary({
    canary,
    target: t,
    revision: 'rev-1',
    copiedConfigs: new Set(copied),
    replicas: 3,
  });

describe('buildPrimary', () => {
  const p = build();

  it('is <target>-primary, owned by the Canary, with our labels', () => {
    expect(p.metadata?.name).toBe('podinfo-primary');
    expect(p.metadata?.namespace).toBe('shop');
    expect(p.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'weightlifter.io/v1alpha1',
        kind: 'Canary',
        name: 'podinfo',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(p.metadata?.labels).toEqual({
      app: 'podinfo-primary',
      team: 'a',
      'weightlifter.io/canary': 'podinfo',
      'app.kubernetes.io/managed-by': 'weightlifter',
    });
  });

  it('drops GitOps and Deployment-controller metadata, records the revision', () => {
    expect(p.metadata?.annotations).toEqual({
      owner: 'team-a',
      'weightlifter.io/revision': 'rev-1',
    });
  });

  it('rewrites the selector label so primary and canary pods are distinct', () => {
    expect(p.spec?.selector).toEqual({ matchLabels: { app: 'podinfo-primary' } });
    expect(p.spec?.template?.metadata?.labels).toEqual({ app: 'podinfo-primary', tier: 'web' });
    expect(p.spec?.template?.metadata?.annotations).toEqual({
      a: 'b',
      'weightlifter.io/revision': 'rev-1',
    });
  });

  it('rewrites anti-affinity and spread selectors to the primary pods', () => {
    const spec = p.spec?.template?.spec ?? {};
    expect(JSON.stringify(spec['affinity'])).toContain('"app":"podinfo-primary"');
    expect(spec['topologySpreadConstraints']).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'zone',
        labelSelector: { matchLabels: { app: 'podinfo-primary' } },
      },
    ]);
  });

  it('uses -primary copies only for the copied configs', () => {
    const c = p.spec?.template?.spec?.containers?.[0];
    expect(c?.env?.[0]?.valueFrom?.configMapKeyRef?.name).toBe('settings-primary');
    expect(c?.envFrom?.[0]?.configMapRef?.name).toBe('env-cm');
  });

  it('copies rollout settings and replicas', () => {
    expect(p.spec?.replicas).toBe(3);
    expect(p.spec?.strategy).toEqual(target().spec?.strategy);
    expect(p.spec?.progressDeadlineSeconds).toBe(600);
    expect(p.spec?.revisionHistoryLimit).toBe(10);
  });

  it('does not mutate the target', () => {
    const t = target();
    build(t);
    expect(t).toEqual(target());
  });

  it('prefers app, then app.kubernetes.io/name, then name, then the first key', () => {
    const sel = (matchLabels: Record<string, string>) =>
      build(target({ selector: { matchLabels } })).spec?.selector?.matchLabels;
    expect(sel({ 'app.kubernetes.io/name': 'x', zzz: 'y' })).toEqual({
      'app.kubernetes.io/name': 'x-primary',
      zzz: 'y',
    });
    expect(sel({ b: '1', a: '2' })).toEqual({ a: '2-primary', b: '1' });
  });

  it('refuses a selector without matchLabels with a typed error', () => {
    expect(() => build(target({ selector: { matchExpressions: [] } }))).toThrow(WorkloadSpecError);
  });
});

describe('primaryReplicas / primaryRevisionOf', () => {
  it("takes the target's count while it has one, else the primary's, at least 1", () => {
    expect(primaryReplicas(target({ replicas: 4 }), undefined)).toBe(4);
    expect(primaryReplicas(target({ replicas: 0 }), target({ replicas: 2 }))).toBe(2);
    expect(primaryReplicas(target({ replicas: 0 }), undefined)).toBe(1);
  });

  it('reads the revision annotation', () => {
    expect(primaryRevisionOf(build())).toBe('rev-1');
    expect(primaryRevisionOf(target())).toBeNull();
    expect(primaryRevisionOf(undefined)).toBeNull();
  });
});
