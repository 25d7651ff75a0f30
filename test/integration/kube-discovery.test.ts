// Discovery and the generic informer on the real API server: the served TrafficSplit versions
// are the ones the installed CRD serves, and an informer for any of them sees the same objects.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { isResourceServed, servedVersions } from '../../src/kube/discovery.js';
import type { Informer } from '../../src/kube/informer.js';
import { createInformer } from '../../src/kube/informer-factory.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { collectionPath, type ResourceRef } from '../../src/kube/resources.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from './kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'kube-discovery';
const GROUP = 'split.smi-spec.io';
let raw: KubeRawClient;
const informers: Informer<KubeObject>[] = [];

const splitRef = (version: string): ResourceRef => ({
  group: GROUP,
  version,
  plural: 'trafficsplits',
  kind: 'TrafficSplit',
  namespaced: true,
});

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
});

afterAll(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  await deleteNamespace(raw, NS);
});

describe('discovery (real API server)', () => {
  it('lists exactly the TrafficSplit versions the CRD serves', async () => {
    const crd = await raw.get<{ spec: { versions: { name: string; served: boolean }[] } }>(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trafficsplits.${GROUP}`,
    );
    const fromCrd = crd.spec.versions.filter((v) => v.served).map((v) => v.name);
    const served = await servedVersions(raw, GROUP);
    expect([...served.versions].sort()).toEqual([...fromCrd].sort());
    expect(fromCrd).toContain(served.preferred);
    expect(await isResourceServed(raw, GROUP, served.preferred ?? '', 'trafficsplits')).toBe(true);
    expect(await isResourceServed(raw, GROUP, served.preferred ?? '', 'nothings')).toBe(false);
    expect(await servedVersions(raw, 'nothing.weightlifter.io')).toEqual({
      versions: [],
      preferred: undefined,
    });
  });

  it('runs an informer for TrafficSplits at every served version', async () => {
    const { versions } = await servedVersions(raw, GROUP);
    expect(versions.length).toBeGreaterThan(0);
    const logger = pino({ level: 'silent' });
    const byVersion = versions.map((v) => {
      const informer = createInformer<KubeObject>(raw, splitRef(v), {
        namespace: NS,
        logger,
        name: `trafficsplits-${v}`,
      });
      informers.push(informer);
      informer.start();
      return informer;
    });
    await Promise.all(byVersion.map((i) => i.waitForSync(30_000)));
    await raw.create(collectionPath(splitRef('v1alpha2'), NS), {
      apiVersion: `${GROUP}/v1alpha2`,
      kind: 'TrafficSplit',
      metadata: { name: 'podinfo' },
      spec: {
        service: 'podinfo',
        backends: [
          { service: 'podinfo-primary', weight: 100 },
          { service: 'podinfo-canary', weight: 0 },
        ],
      },
    });
    for (const [i, informer] of byVersion.entries()) {
      const seen = await eventually(`podinfo via ${versions[i] ?? ''}`, () =>
        informer.getByName(NS, 'podinfo'),
      );
      expect(seen.apiVersion).toBe(`${GROUP}/${versions[i] ?? ''}`);
    }
  });
});
