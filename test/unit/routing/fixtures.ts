// Shared test data: a Canary as the API server returns it, and an in-memory ObjectReader (our
// own cache interface; the real one is src/kube's Informer).
import type { Canary } from '../../../src/api/canary.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { ObjectReader } from '../../../src/kube/object-reader.js';

export function canary(overrides: Partial<Canary['spec']> = {}): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'shop', uid: 'uid-1' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      ...overrides,
    },
  };
}

export class MemoryReader<T extends KubeObject> implements ObjectReader<T> {
  readonly #objects: T[];

  constructor(objects: T[] = []) {
    this.#objects = objects;
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#objects.find(
      (o) => o.metadata?.namespace === namespace && o.metadata?.name === name,
    );
  }

  list(namespace?: string): T[] {
    return this.#objects.filter(
      (o) => namespace === undefined || o.metadata?.namespace === namespace,
    );
  }
}
