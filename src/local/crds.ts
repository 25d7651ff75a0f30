import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import type { Kubectl } from './kubectl.js';

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
  files: readonly string[],
  timeoutSeconds = 60,
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
  if (names.length === 0) return names;
  const waited = await kubectl([
    'wait',
    '--for=condition=Established',
    `--timeout=${timeoutSeconds}s`,
    ...names.map((n) => `customresourcedefinition/${n}`),
  ]);
  if (waited.code !== 0) {
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.CRD_INSTALL_FAILED,
      `CRDs not Established: ${waited.stderr.trim()}`,
      {
        details: { names },
      },
    );
  }
  return names;
}
