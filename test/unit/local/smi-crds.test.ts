import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { crdNames } from '../../../dev/local/crds.js';
import { trafficSplitCrdFile, writeTrafficSplitVariant } from '../../../dev/local/smi-crds.js';

interface Version {
  name: string;
  served: boolean;
  storage: boolean;
  schema: {
    openAPIV3Schema: {
      properties: { spec: { required?: string[]; properties: Record<string, unknown> } };
    };
  };
}
const versionsOf = async (file: string) =>
  (
    parse(await readFile(file, 'utf8')) as {
      spec: { versions: Version[]; conversion: { strategy: string } };
    }
  ).spec;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-smi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dev/local/smi-crds/trafficsplit.yaml', () => {
  it('serves all four versions with v1alpha4 stored and no conversion', async () => {
    const spec = await versionsOf(trafficSplitCrdFile());
    expect(spec.conversion.strategy).toBe('None');
    expect(spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1alpha1', true, false],
      ['v1alpha2', true, false],
      ['v1alpha3', true, false],
      ['v1alpha4', true, true],
    ]);
  });

  it('has the field shapes of each version', async () => {
    const shapes = (await versionsOf(trafficSplitCrdFile())).versions.map((v) => {
      const spec = v.schema.openAPIV3Schema.properties.spec;
      const backends = spec.properties['backends'] as {
        items: { properties: { weight: Record<string, unknown> } };
      };
      const weight = backends.items.properties.weight;
      return {
        version: v.name,
        weight: weight['x-kubernetes-int-or-string'] === true ? 'quantity' : weight['type'],
        matches: 'matches' in spec.properties,
        required: spec.required ?? [],
      };
    });
    expect(shapes).toEqual([
      { version: 'v1alpha1', weight: 'quantity', matches: false, required: [] },
      { version: 'v1alpha2', weight: 'integer', matches: false, required: [] },
      { version: 'v1alpha3', weight: 'integer', matches: true, required: ['service', 'backends'] },
      { version: 'v1alpha4', weight: 'integer', matches: true, required: ['service', 'backends'] },
    ]);
  });
});

describe('writeTrafficSplitVariant', () => {
  it.each([['v1alpha1'], ['v1alpha2'], ['v1alpha3'], ['v1alpha4']] as const)(
    'serves and stores only %s, keeping the others listed but unserved',
    async (only) => {
      const [file, routeGroup] = await writeTrafficSplitVariant(dir, [only]);
      const spec = await versionsOf(file ?? '');
      expect(spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual([only]);
      expect(spec.versions.filter((v) => v.storage).map((v) => v.name)).toEqual([only]);
      expect(await crdNames([file ?? '', routeGroup ?? ''])).toEqual([
        'trafficsplits.split.smi-spec.io',
        'httproutegroups.specs.smi-spec.io',
      ]);
    },
  );

  it('stores the first of several served versions', async () => {
    const [file] = await writeTrafficSplitVariant(dir, ['v1alpha2', 'v1alpha1']);
    const spec = await versionsOf(file ?? '');
    expect(spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1alpha1', true, false],
      ['v1alpha2', true, true],
      ['v1alpha3', false, false],
      ['v1alpha4', false, false],
    ]);
  });

  it('refuses to serve nothing', async () => {
    await expect(writeTrafficSplitVariant(dir, [])).rejects.toThrow(RangeError);
  });
});
