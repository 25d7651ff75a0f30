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

/**
 * The seam between leader election and the API server. `update` is compare-and-swap (409).
 * `signal` aborts the request (the renew timeout, the renew deadline).
 */
export interface LeaseStore {
  get(signal?: AbortSignal): Promise<Lease | undefined>;
  create(spec: LeaseSpec, signal?: AbortSignal): Promise<Lease>;
  update(current: Lease, spec: LeaseSpec, signal?: AbortSignal): Promise<Lease>;
}

export function createLeaseStore(raw: KubeRawClient, namespace: string, name: string): LeaseStore {
  const path = objectPath(BUILTIN.leases, namespace, name);
  return {
    get: async (signal) => {
      try {
        return await raw.get<Lease>(path, undefined, signal);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (spec, signal) =>
      raw.create<Lease>(
        collectionPath(BUILTIN.leases, namespace),
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec,
        },
        undefined,
        signal,
      ),
    // PUT with the read resourceVersion: two candidates racing for an expired lease cannot both win.
    update: (current, spec, signal) =>
      raw.replace<Lease>(path, { ...current, spec }, undefined, signal),
  };
}
