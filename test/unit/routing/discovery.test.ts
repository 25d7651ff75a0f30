import { describe, expect, it } from '@jest/globals';
import type { SmiVersionSetting } from '../../../src/api/constants.js';
import type { TrafficSplitVersion } from '../../../src/api/smi.js';
import {
  ServedVersionsCache,
  pickSplitVersion,
  servedSplitVersions,
  type ApiGroupDocument,
} from '../../../src/routing/discovery.js';
import { TrafficSplitUnavailableError } from '../../../src/routing/errors.js';
import { conditionReasonOf } from '../../../src/workload/errors.js';

const group = (...versions: string[]): ApiGroupDocument => ({
  name: 'split.smi-spec.io',
  versions: versions.map((version) => ({ groupVersion: `split.smi-spec.io/${version}`, version })),
  // The API server prefers the storage version, which is not necessarily the newest.
  preferredVersion: { version: versions[versions.length - 1] ?? '' },
});

describe('servedSplitVersions', () => {
  it('lists served versions newest first, ignoring unknown ones', () => {
    expect(servedSplitVersions(group('v1alpha1', 'v1alpha3', 'v1beta9', 'v1alpha2'))).toEqual([
      'v1alpha3',
      'v1alpha2',
      'v1alpha1',
    ]);
    expect(servedSplitVersions({})).toEqual([]);
  });
});

describe('pickSplitVersion', () => {
  const table: [
    readonly TrafficSplitVersion[],
    SmiVersionSetting | undefined,
    TrafficSplitVersion,
  ][] = [
    [['v1alpha4', 'v1alpha3', 'v1alpha2', 'v1alpha1'], 'auto', 'v1alpha4'],
    [['v1alpha2', 'v1alpha1'], undefined, 'v1alpha2'],
    [['v1alpha3'], 'auto', 'v1alpha3'],
    [['v1alpha4', 'v1alpha2', 'v1alpha1'], 'v1alpha1', 'v1alpha1'],
    [['v1alpha4', 'v1alpha2'], 'v1alpha2', 'v1alpha2'],
  ];
  it.each(table)('served %j, setting %s -> %s', (served, setting, expected) => {
    expect(pickSplitVersion(served, setting)).toBe(expected);
  });

  it('fails with TrafficSplitUnavailable when nothing is served', () => {
    const err = captured(() => pickSplitVersion([], 'auto'));
    expect(err).toBeInstanceOf(TrafficSplitUnavailableError);
    expect(conditionReasonOf(err)).toBe('TrafficSplitUnavailable');
  });

  it('fails when the pinned version is not served, naming what is', () => {
    const err = captured(() => pickSplitVersion(['v1alpha2'], 'v1alpha4'));
    expect(err).toBeInstanceOf(TrafficSplitUnavailableError);
    expect((err as Error).message).toMatch(/v1alpha4 is not served.*served: v1alpha2/);
  });
});

describe('ServedVersionsCache', () => {
  it('asks the API server once per TTL and again after invalidate()', async () => {
    let now = 0;
    let calls = 0;
    const raw = {
      get: <T>(path: string): Promise<T> => {
        calls += 1;
        expect(path).toBe('/apis/split.smi-spec.io');
        return Promise.resolve(group('v1alpha2') as T);
      },
    };
    const cache = new ServedVersionsCache({ raw, ttlMs: 1000, now: () => now });
    expect(await cache.served()).toEqual(['v1alpha2']);
    now = 999;
    expect(await cache.served()).toEqual(['v1alpha2']);
    expect(calls).toBe(1);
    now = 1000;
    await cache.served();
    expect(calls).toBe(2);
    cache.invalidate();
    await cache.served();
    expect(calls).toBe(3);
  });

  it('does not keep a failed lookup', async () => {
    let fail = true;
    const raw = {
      get: <T>(): Promise<T> =>
        fail
          ? Promise.reject(new Error('connection refused'))
          : Promise.resolve(group('v1alpha4') as T),
    };
    const cache = new ServedVersionsCache({ raw, now: () => 0 });
    await expect(cache.served()).rejects.toThrow('connection refused');
    fail = false;
    expect(await cache.served()).toEqual(['v1alpha4']);
  });
});

function captured(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
