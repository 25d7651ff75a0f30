import { isNotFound } from './errors.js';
import type { ObjectMeta } from './object-key.js';
import type { KubeRawClient } from './raw-client.js';
import { BUILTIN, collectionPath, objectPath } from './resources.js';

/** coordination.k8s.io/v1 Lease, as JSON. */
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: LeaseSpec;
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** The seam between leader election and the API server. `update` is compare-and-swap (409). */
export interface LeaseStore {
  get(): Promise<Lease | undefined>;
  create(spec: LeaseSpec): Promise<Lease>;
  update(current: Lease, spec: LeaseSpec): Promise<Lease>;
}

export function createLeaseStore(raw: KubeRawClient, namespace: string, name: string): LeaseStore {
  const path = objectPath(BUILTIN.leases, namespace, name);
  return {
    get: async () => {
      try {
        return await raw.get<Lease>(path);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (spec) =>
      raw.create<Lease>(collectionPath(BUILTIN.leases, namespace), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec,
      }),
    // PUT with the read resourceVersion: two candidates racing for an expired lease cannot both win.
    update: (current, spec) => raw.replace<Lease>(path, { ...current, spec }),
  };
}
