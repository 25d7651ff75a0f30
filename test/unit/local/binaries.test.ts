import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binariesInDir, resolveBinaries, runBuildScript } from '../../../dev/local/binaries.js';
import { LOCAL_ERROR_CODES, LocalClusterError } from '../../../dev/local/errors.js';

let root: string;

async function dirWith(name: string, binaries: string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const b of binaries) {
    await writeFile(join(dir, b), '#!/bin/sh\n');
    await chmod(join(dir, b), 0o755);
  }
  return dir;
}

const ALL = [
  'kube-apiserver',
  'etcd',
  'kubectl',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];
const noGo = () =>
  Promise.reject(
    new LocalClusterError(LOCAL_ERROR_CODES.GO_TOOLCHAIN_MISSING, 'install golang-go'),
  );

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wl-binaries-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveBinaries', () => {
  it('takes everything from the build cache when KUBEBUILDER_ASSETS is unset', async () => {
    const cache = await dirWith('cache', ALL);
    let builds = 0;
    const bins = await resolveBinaries({
      env: {},
      build: () => (builds++, Promise.resolve(cache)),
    });
    expect(bins).toEqual({
      kubeApiserver: join(cache, 'kube-apiserver'),
      etcd: join(cache, 'etcd'),
      kubectl: join(cache, 'kubectl'),
      kubeControllerManager: join(cache, 'kube-controller-manager'),
      kubeScheduler: join(cache, 'kube-scheduler'),
      kwok: join(cache, 'kwok'),
      notes: [],
    });
    expect(builds).toBe(1);
  });

  it('prefers KUBEBUILDER_ASSETS and fills only the missing binaries from the cache', async () => {
    const assets = await dirWith('assets', ['kube-apiserver', 'etcd', 'kubectl']);
    const cache = await dirWith('cache', ALL);
    const bins = await resolveBinaries({
      env: { KUBEBUILDER_ASSETS: assets },
      build: () => Promise.resolve(cache),
    });
    expect(bins.kubeApiserver).toBe(join(assets, 'kube-apiserver'));
    expect(bins.kubectl).toBe(join(assets, 'kubectl'));
    expect(bins.kubeControllerManager).toBe(join(cache, 'kube-controller-manager'));
    expect(bins.kwok).toBe(join(cache, 'kwok'));
  });

  it('does not build when KUBEBUILDER_ASSETS holds everything', async () => {
    const assets = await dirWith('assets', ALL);
    const bins = await resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets }, build: noGo });
    expect(bins.notes).toEqual([]);
  });

  it('names the missing binary and the directory when KUBEBUILDER_ASSETS lacks etcd', async () => {
    const assets = await dirWith('assets', ['kube-apiserver', 'kubectl']);
    const err = await resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets }, build: noGo }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LocalClusterError);
    expect(err).toMatchObject({ code: LOCAL_ERROR_CODES.BINARY_MISSING });
    expect((err as Error).message).toContain(`KUBEBUILDER_ASSETS=${assets} has no executable etcd`);
  });

  it('fails with the Go toolchain error when nothing is available and Go is missing', async () => {
    await expect(resolveBinaries({ env: {}, build: noGo })).rejects.toMatchObject({
      code: LOCAL_ERROR_CODES.GO_TOOLCHAIN_MISSING,
    });
  });

  it('runs without the optional binaries, saying why, when only they cannot be built', async () => {
    const assets = await dirWith('assets', ['kube-apiserver', 'etcd', 'kubectl']);
    const bins = await resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets }, build: noGo });
    expect(bins.kubeControllerManager).toBeUndefined();
    expect(bins.kwok).toBeUndefined();
    expect(bins.notes).toEqual([
      'kube-controller-manager, kube-scheduler, kwok not available: install golang-go',
    ]);
  });

  it('reports a build that produced no kubectl', async () => {
    const cache = await dirWith('cache', ['kube-apiserver', 'etcd']);
    await expect(
      resolveBinaries({ env: {}, build: () => Promise.resolve(cache) }),
    ).rejects.toMatchObject({
      code: LOCAL_ERROR_CODES.BINARY_MISSING,
      message: expect.stringContaining('kubectl was not found') as unknown,
    });
  });
});

describe('binariesInDir', () => {
  it('lists what is there and notes the optional ones that are not', async () => {
    const dir = await dirWith('bin', ['kube-apiserver', 'etcd', 'kubectl', 'kwok']);
    const bins = binariesInDir(dir);
    expect(bins.kwok).toBe(join(dir, 'kwok'));
    expect(bins.notes).toEqual([
      `kube-controller-manager is not in ${dir}`,
      `kube-scheduler is not in ${dir}`,
    ]);
  });

  it('refuses a directory without kubectl', async () => {
    const dir = await dirWith('bin', ['kube-apiserver', 'etcd']);
    expect(() => binariesInDir(dir)).toThrow(/kubectl was not found/);
  });
});

describe('runBuildScript', () => {
  it('fails with one typed error naming what to install when Go is not on PATH', async () => {
    // A PATH holding bash and nothing else: hack/build-binaries.sh must stop at its Go check.
    const path = await mkdtemp(join(root, 'path-'));
    await symlink('/bin/bash', join(path, 'bash'));
    const err = await runBuildScript({ PATH: path, HOME: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalClusterError);
    expect(err).toMatchObject({ code: LOCAL_ERROR_CODES.GO_TOOLCHAIN_MISSING });
    expect((err as Error).message).toMatch(
      /install the Go toolchain >= 1\.26 \(the official Go tarball for your platform/,
    );
    expect((err as Error).message).toContain('KUBEBUILDER_ASSETS');
  });

  it('treats a Go too old to fetch the 1.26 toolchain like a missing one', async () => {
    const path = await mkdtemp(join(root, 'path-'));
    await symlink('/bin/bash', join(path, 'bash'));
    await symlink('/bin/sed', join(path, 'sed'));
    await writeFile(join(path, 'go'), '#!/bin/bash\necho go1.19.8\n');
    await chmod(join(path, 'go'), 0o755);
    await expect(runBuildScript({ PATH: path, HOME: root })).rejects.toMatchObject({
      code: LOCAL_ERROR_CODES.GO_TOOLCHAIN_MISSING,
    });
  });
});
