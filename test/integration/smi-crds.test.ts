// The SMI CRDs in dev/local/smi-crds/ against the real kube-apiserver: each TrafficSplit version's
// shape is accepted and read back unchanged (conversion None), shapes a mesh's schema forbids are
// rejected, and a variant serving a single version makes the cluster look like a mesh that only
// knows that version.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../dev/local/control-plane.js';
import { writeTrafficSplitVariant, TRAFFIC_SPLIT_VERSIONS } from '../../dev/local/smi-crds.js';
import { KubeApiError } from '../../src/kube/errors.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { rawClient } from './helpers/env.js';

const NS = 'smi-crds-test';
const SPLIT = 'split.smi-spec.io';
const SPECS = 'specs.smi-spec.io';
const SLOW = 60_000;
const START_AND_STOP = 120_000;

type Obj = Record<string, unknown> & { spec?: unknown };

const shapes: Record<(typeof TRAFFIC_SPLIT_VERSIONS)[number], unknown> = {
  // Quantities, as Linkerd and Flagger's v1alpha1 router write them; an integer is a Quantity too.
  v1alpha1: {
    service: 'web',
    backends: [
      { service: 'web-primary', weight: '900m' },
      { service: 'web-canary', weight: '100m' },
      { service: 'web-spare', weight: 0 },
    ],
  },
  v1alpha2: {
    service: 'web',
    backends: [
      { service: 'web-primary', weight: 90 },
      { service: 'web-canary', weight: 10 },
    ],
  },
  v1alpha3: {
    service: 'web',
    matches: [{ kind: 'HTTPRouteGroup', name: 'beta-users' }],
    backends: [
      { service: 'web-primary', weight: 0 },
      { service: 'web-canary', weight: 100 },
    ],
  },
  v1alpha4: {
    service: 'web',
    matches: [{ kind: 'HTTPRouteGroup', name: 'beta-users', apiGroup: SPECS }],
    backends: [
      { service: 'web-primary', weight: 75 },
      { service: 'web-canary', weight: 25 },
    ],
  },
};

const split = (version: string, name: string, spec: unknown): Obj => ({
  apiVersion: `${SPLIT}/${version}`,
  kind: 'TrafficSplit',
  metadata: { name },
  spec,
});

/** The API server's status code and message for a request; 201 when it was accepted. */
async function outcome(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
    return { code: 201, message: 'accepted' };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    // A Status object, or plain text such as "404 page not found" for an unserved version.
    const message = err.body?.message;
    return {
      code: err.status,
      message: typeof message === 'string' ? message : JSON.stringify(err.body),
    };
  }
}

interface ApiGroupList {
  groups: {
    name: string;
    versions: { version: string }[];
    preferredVersion?: { version: string };
  }[];
}

/** A namespaced collection of group/version, or one object in it. */
const pathOf = (group: string, version: string, plural: string, name?: string): string =>
  `/apis/${group}/${version}/namespaces/${NS}/${plural}${name === undefined ? '' : `/${name}`}`;

const servedVersions = async (raw: KubeRawClient, group: string) => {
  const groups = await raw.get<ApiGroupList>('/apis');
  const found = groups.groups.find((g) => g.name === group);
  return {
    versions: found?.versions.map((v) => v.version).sort() ?? [],
    preferred: found?.preferredVersion?.version,
  };
};

describe('SMI CRDs on the shared control plane', () => {
  let raw: KubeRawClient;
  const create = (version: string, body: Obj) =>
    raw.create(pathOf(SPLIT, version, 'trafficsplits'), body);

  beforeAll(async () => {
    raw = rawClient();
    await raw.create('/api/v1/namespaces', { metadata: { name: NS } });
  }, SLOW);

  afterAll(async () => {
    await raw.delete(`/api/v1/namespaces/${NS}`);
  });

  it('serves every TrafficSplit version, v1alpha4 preferred, and HTTPRouteGroup', async () => {
    expect(await servedVersions(raw, SPLIT)).toEqual({
      versions: ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'],
      preferred: 'v1alpha4',
    });
    expect((await servedVersions(raw, SPECS)).versions).toContain('v1alpha4');
  });

  it.each(TRAFFIC_SPLIT_VERSIONS)(
    'accepts a %s TrafficSplit of that version’s shape and reads it back unchanged',
    async (version) => {
      const name = `shape-${version}`;
      await create(version, split(version, name, shapes[version]));
      const read = await raw.get<Obj>(pathOf(SPLIT, version, 'trafficsplits', name));
      expect(read.spec).toEqual(shapes[version]);
    },
    SLOW,
  );

  it('returns the stored object unchanged under every served version (conversion None)', async () => {
    await create('v1alpha2', split('v1alpha2', 'cross-version', shapes.v1alpha2));
    for (const version of TRAFFIC_SPLIT_VERSIONS) {
      const read = await raw.get<Obj>(pathOf(SPLIT, version, 'trafficsplits', 'cross-version'));
      expect({ version, apiVersion: read['apiVersion'], spec: read.spec }).toEqual({
        version,
        apiVersion: `${SPLIT}/${version}`,
        spec: shapes.v1alpha2,
      });
    }
  });

  it.each([
    {
      why: 'a match of a kind other than HTTPRouteGroup',
      version: 'v1alpha4',
      spec: {
        service: 'web',
        matches: [{ kind: 'Foo', name: 'x' }],
        backends: [{ service: 'a', weight: 1 }],
      },
      expected: /spec\.matches\[0\]\.kind: Unsupported value: "Foo"/,
    },
    {
      why: 'a match without a name',
      version: 'v1alpha3',
      spec: {
        service: 'web',
        matches: [{ kind: 'HTTPRouteGroup' }],
        backends: [{ service: 'a', weight: 1 }],
      },
      expected: /spec\.matches\[0\]\.name: Required value/,
    },
    {
      why: 'a v1alpha4 split without backends',
      version: 'v1alpha4',
      spec: { service: 'web' },
      expected: /spec\.backends: Required value/,
    },
    {
      why: 'a percentage string as a v1alpha2 weight',
      version: 'v1alpha2',
      spec: { service: 'web', backends: [{ service: 'a', weight: '10%' }] },
      expected:
        /spec\.backends\[0\]\.weight: Invalid value: "string": spec\.backends\[0\]\.weight in body must be of type integer/,
    },
    {
      why: 'a fractional v1alpha3 weight',
      version: 'v1alpha3',
      spec: { service: 'web', backends: [{ service: 'a', weight: 1.5 }] },
      expected:
        /spec\.backends\[0\]\.weight: Invalid value: "number": spec\.backends\[0\]\.weight in body must be of type integer/,
    },
    {
      why: 'a v1alpha1 weight that is no Kubernetes quantity',
      version: 'v1alpha1',
      spec: { service: 'web', backends: [{ service: 'a', weight: 'ten' }] },
      expected: /spec\.backends\[0\]\.weight in body should match/,
    },
    {
      why: 'a backend without a weight',
      version: 'v1alpha2',
      spec: { service: 'web', backends: [{ service: 'a' }] },
      expected: /spec\.backends\[0\]\.weight: Required value/,
    },
  ])('rejects $why', async ({ version, spec, expected }) => {
    const result = await outcome(create(version, split(version, 'invalid', spec)));
    expect(result.code).toBe(422);
    expect(result.message).toMatch(expected);
  });

  it('accepts an HTTPRouteGroup with headers in the SDK’s list-of-maps form', async () => {
    const spec = {
      matches: [
        {
          name: 'firefox',
          methods: ['GET'],
          pathRegex: '/api/.*',
          headers: [{ 'user-agent': '.*Firefox.*' }],
        },
      ],
    };
    const groups = pathOf(SPECS, 'v1alpha4', 'httproutegroups');
    await raw.create(groups, {
      apiVersion: `${SPECS}/v1alpha4`,
      kind: 'HTTPRouteGroup',
      metadata: { name: 'beta-users' },
      spec,
    });
    const read = await raw.get<Obj>(pathOf(SPECS, 'v1alpha4', 'httproutegroups', 'beta-users'));
    expect(read.spec).toEqual(spec);
    const bad = await outcome(
      raw.create(groups, {
        apiVersion: `${SPECS}/v1alpha4`,
        kind: 'HTTPRouteGroup',
        metadata: { name: 'bad-method' },
        spec: { matches: [{ name: 'x', methods: ['FETCH'] }] },
      }),
    );
    expect(bad.code).toBe(422);
    expect(bad.message).toMatch(/spec\.matches\[0\]\.methods\[0\]: Unsupported value: "FETCH"/);
  });
});

describe('a TrafficSplit CRD serving a single version', () => {
  let cp: ControlPlane;
  let variantDir: string;

  beforeAll(async () => {
    variantDir = await mkdtemp(join(tmpdir(), 'weightlifter-smi-variant-'));
    const smiCrdFiles = await writeTrafficSplitVariant(variantDir, ['v1alpha2']);
    cp = await startControlPlane({ smiCrdFiles, controllerManager: false });
  }, START_AND_STOP);

  afterAll(async () => {
    await cp.stop();
    await rm(variantDir, { recursive: true, force: true });
  }, START_AND_STOP);

  it(
    'is all the cluster serves: other versions are 404, like on a mesh that knows only v1alpha2',
    async () => {
      const raw = rawClient(cp.adminKubeconfig);
      expect(await servedVersions(raw, SPLIT)).toEqual({
        versions: ['v1alpha2'],
        preferred: 'v1alpha2',
      });
      await raw.create('/api/v1/namespaces', { metadata: { name: NS } });
      const create = (version: string) =>
        outcome(
          raw.create(
            pathOf(SPLIT, version, 'trafficsplits'),
            split(version, `only-${version}`, shapes.v1alpha2),
          ),
        );
      expect(await create('v1alpha2')).toEqual({ code: 201, message: 'accepted' });
      for (const version of ['v1alpha1', 'v1alpha3', 'v1alpha4'])
        expect((await create(version)).code).toBe(404);
      // Our own CRDs are still installed next to the variant.
      expect((await cp.kubectl(['get', 'crd', 'canaries.weightlifter.io'])).code).toBe(0);
    },
    SLOW,
  );
});
