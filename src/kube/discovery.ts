import { isNotFound } from './errors.js';
import type { KubeRawClient } from './raw-client.js';

interface APIGroup {
  versions?: { groupVersion: string; version: string }[];
  preferredVersion?: { version: string };
}

interface APIResourceList {
  resources?: { name: string; namespaced: boolean; kind: string }[];
}

export interface ServedGroup {
  /** Served versions, as the server lists them (its own priority order). */
  readonly versions: readonly string[];
  readonly preferred: string | undefined;
}

/**
 * Versions of an API group the server serves (e.g. which TrafficSplit versions the mesh
 * installed); an empty list when the group is not served at all. Read once at start-up or on
 * demand, never per reconcile.
 */
export async function servedVersions(raw: KubeRawClient, group: string): Promise<ServedGroup> {
  try {
    const g = await raw.get<APIGroup>(`/apis/${group}`);
    return {
      versions: (g.versions ?? []).map((v) => v.version),
      preferred: g.preferredVersion?.version,
    };
  } catch (err) {
    if (isNotFound(err)) return { versions: [], preferred: undefined };
    throw err;
  }
}

/** True when `plural` is served in group/version. */
export async function isResourceServed(
  raw: KubeRawClient,
  group: string,
  version: string,
  plural: string,
): Promise<boolean> {
  const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  try {
    const list = await raw.get<APIResourceList>(path);
    return (list.resources ?? []).some((r) => r.name === plural);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
