import { describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { ObjectReader } from '../../../src/kube/object-reader.js';
import { configKey } from '../../../src/workload/config-refs.js';
import type { ConfigJson, DeploymentJson } from '../../../src/workload/k8s-types.js';
import { buildPrimary, primaryRevisionOf } from '../../../src/workload/primary-builder.js';
import {
  buildPromotedTemplate,
  configMapFromStored,
  latestStoredTemplate,
  primaryFromStored,
  promotedTemplateName,
  PROMOTED_TEMPLATE_SELECTOR,
  storedConfigs,
  storedTemplatesOf,
  type ControllerRevisionJson,
} from '../../../src/workload/promoted-template.js';
import { target } from './fixtures.js';

const canary: Canary = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'shop', uid: 'uid-1' },
  spec: { targetRef: { name: 'podinfo' }, service: { port: 9898 } },
};

const REV_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const REV_B = 'ffeeddccbbaa99887766554433221100';

/** An in-memory reader of our own ObjectReader interface. */
function reader<T extends KubeObject>(objects: T[]): ObjectReader<T> {
  return {
    getByName: (ns, name) =>
      objects.find((o) => o.metadata?.namespace === ns && o.metadata?.name === name),
    list: (ns) =>
      ns === undefined ? [...objects] : objects.filter((o) => o.metadata?.namespace === ns),
  };
}

const ownedByCanary = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  name: 'podinfo',
  uid: 'uid-1',
  controller: false,
};

const config = (name: string, extra: Partial<ConfigJson> = {}): ConfigJson => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop', ownerReferences: [ownedByCanary] },
  ...extra,
});

/** The primary as promotion builds it: settings and tls copied to `-primary`. */
function livePrimary(revision = REV_A): DeploymentJson {
  const p = buildPrimary({
    canary,
    target: target(),
    revision,
    copiedConfigs: new Set([configKey('configmap', 'settings'), configKey('secret', 'tls')]),
    replicas: 3,
  });
  return {
    ...p,
    metadata: {
      ...p.metadata,
      uid: 'primary-uid',
      resourceVersion: '42',
      annotations: { ...p.metadata?.annotations, 'deployment.kubernetes.io/revision': '4' },
    },
    status: { replicas: 3, readyReplicas: 3 },
  };
}

const configs = {
  configMaps: reader([
    config('settings-primary', { data: { a: '1' }, binaryData: { b: 'AAE=' } }),
    // Not owned by a Canary: not ours to store or rebuild.
    config('env-cm', { data: { user: 'x' }, metadata: { name: 'env-cm', namespace: 'shop' } }),
  ]),
  secrets: reader([
    { ...config('tls-primary', { data: { 'tls.key': 'c2VjcmV0' } }), kind: 'Secret' },
  ]),
};

function stored(revision: string, sequence: number, owner = canary): ControllerRevisionJson {
  return buildPromotedTemplate({
    canary: owner,
    primary: livePrimary(revision),
    revision,
    configs: storedConfigs(livePrimary(revision), configs),
    sequence,
  });
}

describe('buildPromotedTemplate', () => {
  const cr = stored(REV_A, 1);

  it('is a ControllerRevision named <canary>-promoted-<12 hex>, owned by the Canary, labelled for the selector', () => {
    expect(cr.kind).toBe('ControllerRevision');
    expect(cr.apiVersion).toBe('apps/v1');
    expect(cr.metadata?.name).toBe('podinfo-promoted-a1b2c3d4e5f6');
    expect(promotedTemplateName(canary, REV_B)).toBe('podinfo-promoted-ffeeddccbbaa');
    expect(cr.metadata?.namespace).toBe('shop');
    expect(cr.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Canary', name: 'podinfo', uid: 'uid-1' }),
    ]);
    expect(PROMOTED_TEMPLATE_SELECTOR).toBe('weightlifter.io/stored=promoted-template');
    expect(cr.metadata?.labels).toEqual({
      'weightlifter.io/stored': 'promoted-template',
      'weightlifter.io/canary': 'podinfo',
      'app.kubernetes.io/managed-by': 'weightlifter',
    });
    expect(cr.revision).toBe(1);
  });

  it("stores the primary's spec and revision, without status or Deployment-controller metadata", () => {
    const d = cr.data?.deployment;
    expect(cr.data?.revision).toBe(REV_A);
    expect(d?.spec?.template?.spec?.containers?.[0]?.image).toBe('podinfo:6.0.0');
    expect(d?.metadata?.annotations).toEqual({
      owner: 'team-a',
      'weightlifter.io/revision': REV_A,
    });
    expect(d?.metadata).not.toHaveProperty('uid');
    expect(d?.metadata).not.toHaveProperty('resourceVersion');
    expect(d).not.toHaveProperty('status');
  });

  it('stores ConfigMap copies with their data and Secret copies by name only (never their data)', () => {
    expect(cr.data?.configs).toEqual([
      { kind: 'configmap', name: 'settings-primary', data: { a: '1' }, binaryData: { b: 'AAE=' } },
      { kind: 'secret', name: 'tls-primary' },
    ]);
    expect(JSON.stringify(cr)).not.toContain('c2VjcmV0');
  });
});

describe('latestStoredTemplate', () => {
  it("is the highest sequence among this Canary's stored templates", () => {
    const r = reader([stored(REV_A, 1), stored(REV_B, 2)]);
    expect(latestStoredTemplate(canary, r)?.revision).toBe(REV_B);
    expect(storedTemplatesOf(canary, r).map((c) => c.data?.revision)).toEqual([REV_B, REV_A]);
  });

  it("ignores another Canary's templates, a recreated Canary's (other uid) and unusable data", () => {
    const recreated: Canary = {
      ...canary,
      metadata: { name: 'podinfo', namespace: 'shop', uid: 'uid-2' },
    };
    const other: Canary = {
      ...canary,
      metadata: { name: 'other', namespace: 'shop', uid: 'uid-1' },
    };
    const broken: ControllerRevisionJson = { ...stored(REV_B, 9), data: { revision: REV_B } };
    const r = reader([
      stored(REV_A, 1),
      stored(REV_B, 5, recreated),
      stored(REV_B, 6, other),
      broken,
    ]);
    expect(latestStoredTemplate(canary, r)?.revision).toBe(REV_A);
    expect(latestStoredTemplate(canary, reader([]))).toBeUndefined();
  });
});

describe('primaryFromStored', () => {
  const template = latestStoredTemplate(canary, reader([stored(REV_A, 1)]));
  if (template === undefined) throw new Error('fixture: no stored template');

  it('rebuilds <target>-primary with the promoted revision and template, owned by the Canary', () => {
    const p = primaryFromStored(canary, template, 2);
    expect(p.metadata?.name).toBe('podinfo-primary');
    expect(p.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Canary', uid: 'uid-1', controller: true }),
    ]);
    expect(primaryRevisionOf(p)).toBe(REV_A);
    expect(p.spec?.replicas).toBe(2);
    expect(p.spec?.template).toEqual(livePrimary().spec?.template);
    expect(p.spec?.selector).toEqual(livePrimary().spec?.selector);
  });

  it('rebuilds a ConfigMap copy from its stored data, owned (not controlled) by the Canary', () => {
    const [settings] = template.configs;
    if (settings === undefined) throw new Error('fixture: no stored config');
    expect(configMapFromStored(canary, settings)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'settings-primary',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'weightlifter' },
        ownerReferences: [expect.objectContaining({ uid: 'uid-1', controller: false })],
      },
      data: { a: '1' },
      binaryData: { b: 'AAE=' },
    });
  });
});
