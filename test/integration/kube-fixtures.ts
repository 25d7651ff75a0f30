// Shared set-up for the kube-*.test.ts integration tests: clients for the shared local control
// plane, throwaway namespaces, and tiny test CRDs in the group test.weightlifter.io (each test
// file uses its own plural, so files never share a CRD).
import { createKubeClients, type KubeClients } from '../../src/kube/client.js';
import { isAlreadyExists, isNotFound } from '../../src/kube/errors.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import type { ResourceRef } from '../../src/kube/resources.js';
import { testCluster } from './helpers/env.js';

export const TEST_GROUP = 'test.weightlifter.io';

export function adminClients(): KubeClients {
  return createKubeClients({ kubeconfigPath: testCluster().kubeconfig });
}

export async function createNamespace(raw: KubeRawClient, name: string): Promise<void> {
  try {
    await raw.create('/api/v1/namespaces', { metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

export async function deleteNamespace(raw: KubeRawClient, name: string): Promise<void> {
  try {
    await raw.delete(`/api/v1/namespaces/${name}`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Polls `check` until it returns true (or a value) or the deadline passes. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function testCrdRef(plural: string, kind: string): ResourceRef {
  return { group: TEST_GROUP, version: 'v1', plural, kind, namespaced: true };
}

/** Creates a namespaced CRD with a status subresource and waits until it is served. */
export async function createTestCrd(raw: KubeRawClient, ref: ResourceRef): Promise<void> {
  const name = `${ref.plural}.${ref.group}`;
  try {
    await raw.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group: ref.group,
        scope: 'Namespaced',
        names: { plural: ref.plural, singular: ref.kind.toLowerCase(), kind: ref.kind },
        versions: [
          {
            name: ref.version,
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        ],
      },
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  await eventually(`${name} to be served`, async () => {
    await raw.get(`/apis/${ref.group}/${ref.version}/${ref.plural}`, { limit: 1 });
    return true;
  });
}

/** Deletes the CRD (and so all its objects) and waits until it is gone. */
export async function deleteTestCrd(raw: KubeRawClient, ref: ResourceRef): Promise<void> {
  const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${ref.plural}.${ref.group}`;
  try {
    await raw.delete(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await eventually(`${ref.plural} CRD to be deleted`, async () => {
    try {
      await raw.get(path);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  });
}
