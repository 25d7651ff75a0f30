import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ControllerCaches } from '../../../src/canary/caches.js';
import {
  autoscalerChanged,
  canaryKeysForAutoscaler,
  canaryKeysForConfig,
  canaryKeysForDeployment,
  canaryKeysForRouted,
  canaryKeysForServiceName,
  canaryKeySources,
} from '../../../src/canary/dependents.js';
import { canaryJson, deploymentJson, memoryCaches, stopCaches } from './canary-fixtures.js';

let caches: ControllerCaches;

beforeAll(async () => {
  caches = await memoryCaches({
    canaries: [
      canaryJson('ns', 'web'),
      canaryJson('ns', 'api', {
        targetRef: { name: 'api' },
        service: { port: 80, name: 'api-svc' },
        autoscalerRef: { name: 'api-hpa' },
      }),
      canaryJson('other', 'web'),
    ],
    deployments: [
      deploymentJson('ns', 'web', { configMap: 'settings' }),
      deploymentJson('ns', 'api'),
    ],
  });
});

afterAll(async () => {
  await stopCaches(caches);
});

const obj = (ns: string, name: string, owner?: string) => ({
  metadata: {
    namespace: ns,
    name,
    ...(owner === undefined
      ? {}
      : {
          ownerReferences: [
            { apiVersion: 'weightlifter.io/v1alpha1', kind: 'Canary', name: owner, uid: 'u' },
          ],
        }),
  },
});

describe('which Canaries an event concerns', () => {
  it('a target or primary Deployment: the Canary targeting it, in its namespace only', () => {
    expect(canaryKeysForDeployment(caches, obj('ns', 'web'))).toEqual(['ns/web']);
    expect(canaryKeysForDeployment(caches, obj('ns', 'web-primary'))).toEqual(['ns/web']);
    expect(canaryKeysForDeployment(caches, obj('ns', 'unrelated'))).toEqual([]);
    expect(canaryKeysForDeployment(caches, obj('ns', 'x', 'api'))).toEqual(['ns/api']);
  });

  it('Services and EndpointSlices: by the apex name (spec.service.name if set)', () => {
    expect(canaryKeysForServiceName(caches, 'ns', 'web')).toEqual(['ns/web']);
    expect(canaryKeysForServiceName(caches, 'ns', 'web-canary')).toEqual(['ns/web']);
    expect(canaryKeysForServiceName(caches, 'ns', 'api-svc-primary')).toEqual(['ns/api']);
    expect(canaryKeysForServiceName(caches, 'ns', 'api')).toEqual([]);
  });

  it('route objects: the Canary whose router writes that object (the SMI split: the apex name)', () => {
    const split = caches.routed.all()[0]?.ref;
    if (split === undefined) throw new Error('no routed cache');
    expect(split.kind).toBe('TrafficSplit');
    expect(canaryKeysForRouted(caches, split, obj('ns', 'web'))).toEqual(['ns/web']);
    expect(canaryKeysForRouted(caches, split, obj('ns', 'api-svc'))).toEqual(['ns/api']);
    expect(canaryKeysForRouted(caches, split, obj('other', 'web'))).toEqual(['other/web']);
    expect(canaryKeysForRouted(caches, split, obj('ns', 'api'))).toEqual([]);
  });

  it('HPAs: the Canary whose spec.autoscalerRef names it, and the owner of a -primary copy', () => {
    expect(canaryKeysForAutoscaler(caches, obj('ns', 'api-hpa'))).toEqual(['ns/api']);
    expect(canaryKeysForAutoscaler(caches, obj('ns', 'api-hpa-primary', 'api'))).toEqual([
      'ns/api',
    ]);
    expect(canaryKeysForAutoscaler(caches, obj('other', 'api-hpa'))).toEqual([]);
    expect(canaryKeysForAutoscaler(caches, obj('ns', 'web'))).toEqual([]);
  });

  it('an HPA update concerns a Canary only when its spec (generation) or owners changed', () => {
    const at = (generation: number, owner?: string) => {
      const o = obj('ns', 'api-hpa', owner);
      return { metadata: { ...o.metadata, generation } };
    };
    expect(autoscalerChanged(at(1), at(1))).toBe(false);
    expect(autoscalerChanged(at(1), at(2))).toBe(true);
    expect(autoscalerChanged(at(1), at(1, 'api'))).toBe(true);
  });

  it('ConfigMaps: the Canaries whose target uses them, and owners of -primary copies', () => {
    expect(canaryKeysForConfig(caches, 'configmap', obj('ns', 'settings'))).toEqual(['ns/web']);
    expect(canaryKeysForConfig(caches, 'configmap', obj('ns', 'settings-primary'))).toEqual([
      'ns/web',
    ]);
    expect(canaryKeysForConfig(caches, 'secret', obj('ns', 'settings'))).toEqual([]);
    expect(canaryKeysForConfig(caches, 'configmap', obj('ns', 'x-primary', 'api'))).toEqual([
      'ns/api',
    ]);
  });

  it('every cache is a key source, so readiness waits for all of them', () => {
    const names = canaryKeySources(caches)
      .map((s) => s.name)
      .sort();
    expect(names).toEqual([
      'analysistemplates',
      'canaries',
      'clusteranalysistemplates',
      'configmaps',
      'controllerrevisions',
      'deployments',
      'endpointslices',
      'horizontalpodautoscalers',
      'secrets',
      'services',
      'trafficsplits',
    ]);
  });
});
