import { describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import { buildBaseline, baselineLabels } from '../../../src/workload/baseline-builder.js';
import { configKey } from '../../../src/workload/config-refs.js';
import { WorkloadSpecError } from '../../../src/workload/errors.js';
import { buildPrimary } from '../../../src/workload/primary-builder.js';
import { target } from './fixtures.js';

const canary: Canary = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'shop', uid: 'uid-1' },
  spec: { targetRef: { name: 'podinfo' }, service: { port: 9898 } },
};

const primary = buildPrimary({
  canary,
  target: target(),
  revision: 'rev-1',
  copiedConfigs: new Set([configKey('configmap', 'settings')]),
  replicas: 5,
});

// The target has moved on to a new release; the baseline must still run the primary's template.
const released = target();
const releasedContainer = released.spec?.template?.spec?.containers?.[0];
if (releasedContainer !== undefined) releasedContainer.image = 'podinfo:6.1.0';

const build = (t = released, p = primary) =>
  buildBaseline({ canary, target: t, primary: p, replicas: 2 });

describe('buildBaseline', () => {
  const b = build();

  it('is <target>-baseline, owned by the Canary, with our labels', () => {
    expect(b.metadata?.name).toBe('podinfo-baseline');
    expect(b.metadata?.namespace).toBe('shop');
    expect(b.metadata?.ownerReferences).toEqual(primary.metadata?.ownerReferences);
    expect(b.metadata?.labels).toEqual({
      app: 'podinfo-baseline',
      'weightlifter.io/canary': 'podinfo',
      'app.kubernetes.io/managed-by': 'weightlifter',
    });
  });

  it("runs the primary's template (the promoted revision), not the target's", () => {
    const c = b.spec?.template?.spec?.containers?.[0];
    expect(c?.image).toBe('podinfo:6.0.0');
    expect(c?.env?.[0]?.valueFrom?.configMapKeyRef?.name).toBe('settings-primary');
    expect(b.metadata?.annotations).toEqual({ 'weightlifter.io/revision': 'rev-1' });
    expect(b.spec?.template?.metadata?.annotations).toEqual({
      a: 'b',
      'weightlifter.io/revision': 'rev-1',
    });
  });

  it('selects its own pods: neither the primary nor the canary selector matches them', () => {
    expect(b.spec?.selector).toEqual({ matchLabels: { app: 'podinfo-baseline' } });
    expect(b.spec?.template?.metadata?.labels).toEqual({ app: 'podinfo-baseline', tier: 'web' });
    expect(baselineLabels(released)).toEqual({ app: 'podinfo-baseline' });
  });

  it('rewrites anti-affinity and spread selectors to the baseline pods', () => {
    const spec = b.spec?.template?.spec ?? {};
    expect(JSON.stringify(spec['affinity'])).toContain('"app":"podinfo-baseline"');
    expect(JSON.stringify(spec['affinity'])).not.toContain('podinfo-primary');
    expect(spec['topologySpreadConstraints']).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'zone',
        labelSelector: { matchLabels: { app: 'podinfo-baseline' } },
      },
    ]);
  });

  it("takes the canary's replica count and the primary's rollout settings", () => {
    expect(b.spec?.replicas).toBe(2);
    expect(buildBaseline({ canary, target: released, primary, replicas: 0 }).spec?.replicas).toBe(
      0,
    );
    expect(b.spec?.strategy).toEqual(primary.spec?.strategy);
    expect(b.spec?.progressDeadlineSeconds).toBe(600);
  });

  it('keeps the other selector labels, rewriting only the chosen one', () => {
    const t = target({ selector: { matchLabels: { b: '1', a: '2' } } });
    expect(baselineLabels(t)).toEqual({ a: '2-baseline', b: '1' });
  });

  it('does not mutate the primary or the target', () => {
    const p = structuredClone(primary);
    const t = structuredClone(released);
    build(t, p);
    expect(p).toEqual(primary);
    expect(t).toEqual(released);
  });

  it('refuses a target selector without matchLabels with a typed error', () => {
    expect(() => build(target({ selector: { matchExpressions: [] } }))).toThrow(WorkloadSpecError);
  });
});
