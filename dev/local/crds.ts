import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import type { AdminApi } from './http.js';
import type { Kubectl } from './kubectl.js';
import { waitUntil } from './wait.js';

const isYaml = (name: string): boolean => name.endsWith('.yaml') || name.endsWith('.yml');

/** The YAML files of each directory, sorted; a missing or YAML-less directory contributes none. */
export async function yamlFilesIn(dirs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    files.push(
      ...names
        .filter(isYaml)
        .sort()
        .map((n) => join(dir, n)),
    );
  }
  return files;
}

/** metadata.name of every CustomResourceDefinition in the files. */
export async function crdNames(files: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      if (doc.errors.length > 0) {
        throw new LocalClusterError(
          LOCAL_ERROR_CODES.CRD_INSTALL_FAILED,
          `${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`,
          {
            cause: doc.errors[0],
          },
        );
      }
      const obj = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
      if (obj?.kind === 'CustomResourceDefinition' && typeof obj.metadata?.name === 'string')
        names.push(obj.metadata.name);
    }
  }
  return names;
}

/**
 * Applies the files server-side (large schemas overflow client-side apply's annotation) and waits
 * until every CRD in them is Established, so the caller can create custom resources at once.
 */
export async function installCrds(
  kubectl: Kubectl,
  api: AdminApi,
  files: readonly string[],
  timeoutMs = 60_000,
): Promise<string[]> {
  if (files.length === 0) return [];
  const names = await crdNames(files);
  const applied = await kubectl([
    'apply',
    '--server-side',
    '--force-conflicts',
    ...files.flatMap((f) => ['-f', f]),
  ]);
  if (applied.code !== 0) {
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.CRD_INSTALL_FAILED,
      `kubectl apply failed: ${applied.stderr.trim()}`,
      {
        details: { files },
      },
    );
  }
  await waitUntil(
    async () => {
      for (const n of names) {
        const established = await api.condition(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${n}`,
          'Established',
        );
        if (established !== 'True') return false;
      }
      return true;
    },
    { what: `CRDs Established (${names.join(', ')})`, timeoutMs, intervalMs: 100 },
  );
  return names;
}
