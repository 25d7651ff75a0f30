// What a shard (--watch-label-selector) handles: every namespaced cache lists and watches with the
// shard's selector (Canaries, their targets, Services, ConfigMaps, Secrets, templates, stored
// promoted templates, EndpointSlices, the routers' objects), while ClusterAnalysisTemplates and
// the controller namespace's Secrets, which every shard shares, are cached whole. Every object the
// controller creates for a Canary carries the Canary's shard label, so it stays in the shard; our
// marks given back on release leave the shard label alone.
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Canary } from '../../../src/api/canary.js';
import { RELEASED_LABELS, managedLabels } from '../../../src/api/ownership.js';
import { createCaches, type ControllerCaches } from '../../../src/canary/caches.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, type ResourceRef } from '../../../src/kube/resources.js';
import type { Router } from '../../../src/routing/types.js';
import { buildConfigCopy } from '../../../src/workload/config-copies.js';
import type { DeploymentJson } from '../../../src/workload/k8s-types.js';
import { buildPrimary } from '../../../src/workload/primary-builder.js';
import {
  buildPromotedTemplate,
  configMapFromStored,
} from '../../../src/workload/promoted-template.js';
import { desiredServices, newService } from '../../../src/workload/services-builder.js';
import { canaryJson, stopCaches } from './canary-fixtures.js';

const SHARD = 'weightlifter.io/shard in (a)';
const ROUTES: ResourceRef = {
  group: 'split.smi-spec.io',
  version: 'v1alpha2',
  plural: 'trafficsplits',
  kind: 'TrafficSplit',
  namespaced: true,
};
const router: Router = {
  kind: 'smi',
  resources: () => [ROUTES],
  serves: () => true,
  objectsOf: () => [],
  forCanary: () => Promise.reject(new Error('not routed in this test')),
  release: () => Promise.resolve(),
  resourcesChanged: () => new Promise<string>(() => undefined),
};

let caches: ControllerCaches | undefined;
afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

/** Every informer's first list: `path?labelSelector` ('' for none), sorted. */
async function firstLists(
  namespaces: 'all' | readonly string[],
  shardSelector: string | undefined,
): Promise<string[]> {
  const listed = new Set<string>();
  let expected = Number.POSITIVE_INFINITY;
  let allListed: () => void = () => undefined;
  const everyInformerListed = new Promise<void>((resolve) => (allListed = resolve));
  const raw = {
    get: (path: string, query?: { labelSelector?: string }) => {
      listed.add(`${path}?${query?.labelSelector ?? ''}`);
      if (listed.size >= expected) allListed();
      return Promise.reject(new Error('offline'));
    },
  } as unknown as KubeRawClient;
  caches = createCaches({
    raw,
    logger: pino({ level: 'silent' }),
    namespaces,
    controllerNamespace: 'weightlifter-system',
    routers: [router],
    endpointGate: true,
    shardSelector,
  });
  // The Secrets cache lists nothing: it reads only referenced Secrets, by name.
  const secrets = caches.secrets;
  expected = caches.all.filter((c) => c !== secrets).length;
  for (const cache of caches.all) cache.start();
  await everyInformerListed;
  return [...listed].sort();
}

const at = (path: string, selector: string): string => `${path}?${selector}`;

const CANARIES = '/apis/weightlifter.io/v1alpha1/canaries';
const TEMPLATES = '/apis/weightlifter.io/v1alpha1/analysistemplates';
const CLUSTER_TEMPLATES = '/apis/weightlifter.io/v1alpha1/clusteranalysistemplates';

describe('the caches of a shard', () => {
  it('list and watch every namespaced kind with the shard selector, shared kinds whole', async () => {
    const listed = await firstLists('all', SHARD);
    expect(listed).toEqual(
      [
        at(CANARIES, SHARD),
        at(collectionPath(BUILTIN.deployments), SHARD),
        at(collectionPath(BUILTIN.services), SHARD),
        at(collectionPath(BUILTIN.configMaps), SHARD),
        at(collectionPath(BUILTIN.endpointSlices), SHARD),
        at(collectionPath(BUILTIN.horizontalPodAutoscalers), SHARD),
        at(collectionPath(ROUTES), SHARD),
        at(TEMPLATES, SHARD),
        at(
          collectionPath(BUILTIN.controllerRevisions),
          `weightlifter.io/stored=promoted-template,${SHARD}`,
        ),
        // Shared by every shard: cluster-scoped templates. Secrets are read by name only
        // (NamedCache), never listed.
        at(CLUSTER_TEMPLATES, ''),
      ].sort(),
    );
  });

  it('over listed namespaces: one informer per namespace, each with the selector', async () => {
    const listed = await firstLists(['shop', 'weightlifter-system'], SHARD);
    expect(listed).toContain(at('/apis/weightlifter.io/v1alpha1/namespaces/shop/canaries', SHARD));
    expect(listed.some((l) => l.includes('/secrets'))).toBe(false);
    expect(listed.filter((l) => !l.endsWith(SHARD))).toEqual([at(CLUSTER_TEMPLATES, '')]);
  });

  it('unsharded: no selector but the stored templates label', async () => {
    const listed = await firstLists('all', undefined);
    expect(listed.filter((l) => !l.endsWith('?'))).toEqual([
      at(collectionPath(BUILTIN.controllerRevisions), 'weightlifter.io/stored=promoted-template'),
    ]);
    expect(listed).toContain(at(CANARIES, ''));
  });
});

const sharded = canaryJson('shop', 'web', {}, undefined, {
  labels: { 'weightlifter.io/shard': 'a', team: 'x' },
}) as Canary;
const unsharded = canaryJson('shop', 'web') as Canary;
const target: DeploymentJson = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } },
  },
};

/** The labels of every kind of object the controller creates for `canary`. */
function createdLabels(canary: Canary): Record<string, Record<string, string> | undefined> {
  const primary = buildPrimary({
    canary,
    target,
    revision: 'r1',
    copiedConfigs: new Set(),
    replicas: 1,
  });
  const copy = buildConfigCopy(canary, {
    key: 'configmap/settings',
    kind: 'configmap',
    name: 'settings',
    object: { metadata: { name: 'settings', namespace: 'shop' }, data: { a: '1' } },
  });
  const stored = buildPromotedTemplate({
    canary,
    primary,
    revision: 'r1',
    configs: [],
    sequence: 1,
  });
  return {
    primaryDeployment: primary.metadata?.labels,
    ...Object.fromEntries(
      desiredServices(canary, target).map((d) => [
        `${d.role}Service`,
        newService(canary, d).metadata?.labels,
      ]),
    ),
    configCopy: copy.metadata?.labels,
    storedTemplate: stored.metadata?.labels,
    rebuiltConfigCopy: configMapFromStored(canary, { kind: 'configmap', name: 's-primary' })
      .metadata?.labels,
    // Route objects (TrafficSplit, HTTPRoute) are created and patched with managedLabels.
    routes: managedLabels(canary),
  };
}

describe('what a Canary creates', () => {
  it("carries the Canary's shard label, and no other label of the Canary", () => {
    const created = createdLabels(sharded);
    expect(Object.keys(created)).toHaveLength(8);
    for (const [kind, labels] of Object.entries(created)) {
      expect([kind, labels?.['weightlifter.io/shard']]).toEqual([kind, 'a']);
      expect([kind, labels?.['team']]).toEqual([kind, undefined]);
    }
  });

  it('carries no shard label for a Canary without one', () => {
    for (const [kind, labels] of Object.entries(createdLabels(unsharded))) {
      expect([kind, Object.keys(labels ?? {}).filter((k) => k.includes('shard'))]).toEqual([
        kind,
        [],
      ]);
    }
  });

  it('gives back our marks on release and leaves the shard label in place', () => {
    expect(RELEASED_LABELS).toEqual({
      'weightlifter.io/canary': null,
      'app.kubernetes.io/managed-by': null,
    });
  });
});
