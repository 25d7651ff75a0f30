// Which TrafficSplit version to write: the newest one the cluster serves (API discovery of
// /apis/split.smi-spec.io), unless the Canary pins spec.routing.smiVersion. Meshes serve
// different versions (linkerd-smi v1alpha1/2, OSM v1alpha2, Traefik v1alpha3, the SDK v1alpha4),
// so guessing one is how controllers end up writing a version nobody reads.
import type { SmiVersionSetting } from '../api/constants.js';
import { SMI_SPLIT_GROUP, TRAFFIC_SPLIT_VERSIONS, type TrafficSplitVersion } from '../api/smi.js';
import { SMI_SPECS_GROUP } from './smi-route-group.js';
import { isNotFound } from '../kube/errors.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { TrafficSplitUnavailableError } from './errors.js';

/** meta/v1 APIGroup, as GET /apis/<group> returns it. */
export interface ApiGroupDocument {
  readonly name?: string;
  readonly versions?: readonly { readonly groupVersion?: string; readonly version?: string }[];
  readonly preferredVersion?: { readonly version?: string };
}

const isSplitVersion = (v: unknown): v is TrafficSplitVersion =>
  TRAFFIC_SPLIT_VERSIONS.some((known) => known === v);

/** Served TrafficSplit versions, newest first; versions we do not know are ignored. */
export function servedSplitVersions(doc: ApiGroupDocument): TrafficSplitVersion[] {
  const served = new Set((doc.versions ?? []).map((v) => v.version).filter(isSplitVersion));
  return TRAFFIC_SPLIT_VERSIONS.filter((v) => served.has(v));
}

/** The version to use; throws TrafficSplitUnavailableError when there is none. */
export function pickSplitVersion(
  served: readonly TrafficSplitVersion[],
  setting: SmiVersionSetting | undefined,
): TrafficSplitVersion {
  const [newest] = served;
  if (setting === undefined || setting === 'auto') {
    if (newest !== undefined) return newest;
    throw new TrafficSplitUnavailableError(
      `the cluster serves no TrafficSplit version (${SMI_SPLIT_GROUP} is not installed); ` +
        'install the SMI extension of your mesh (e.g. linkerd-smi)',
      served,
    );
  }
  if (served.includes(setting)) return setting;
  throw new TrafficSplitUnavailableError(
    `spec.routing.smiVersion ${setting} is not served by the cluster ` +
      `(served: ${served.length === 0 ? 'none' : served.join(', ')})`,
    served,
  );
}

/** Reads the served versions from the API server; none when the group does not exist. */
export const fetchServedSplitVersions = (
  raw: Pick<KubeRawClient, 'get'>,
): Promise<TrafficSplitVersion[]> => fetchServedVersions(raw, SMI_SPLIT_GROUP);

/** The versions of `group` named like TrafficSplit's, newest first; none without the group. */
async function fetchServedVersions(
  raw: Pick<KubeRawClient, 'get'>,
  group: string,
): Promise<TrafficSplitVersion[]> {
  try {
    return servedSplitVersions(await raw.get<ApiGroupDocument>(`/apis/${group}`));
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

/**
 * The served HTTPRouteGroup versions (specs.smi-spec.io) that a TrafficSplit of the same version
 * names in its `matches`, newest first; none when the group does not exist.
 */
export const fetchServedRouteGroupVersions = (
  raw: Pick<KubeRawClient, 'get'>,
): Promise<TrafficSplitVersion[]> => fetchServedVersions(raw, SMI_SPECS_GROUP);

export interface ServedVersionsSource {
  served(): Promise<readonly TrafficSplitVersion[]>;
}

export interface ServedVersionsCacheOptions {
  readonly raw: Pick<KubeRawClient, 'get'>;
  /** The discovery call. @default fetchServedSplitVersions */
  readonly fetch?: (raw: Pick<KubeRawClient, 'get'>) => Promise<TrafficSplitVersion[]>;
  /** How long one discovery answer is used. @default 60_000 */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Discovery once per TTL instead of once per reconcile; a mesh installing its SMI extension is
 * picked up within the TTL, and `invalidate()` forces a fresh look (e.g. after a 404 on write).
 */
export class ServedVersionsCache implements ServedVersionsSource {
  readonly #raw: Pick<KubeRawClient, 'get'>;
  readonly #fetch: (raw: Pick<KubeRawClient, 'get'>) => Promise<TrafficSplitVersion[]>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #cached: { at: number; versions: Promise<TrafficSplitVersion[]> } | undefined;

  constructor(opts: ServedVersionsCacheOptions) {
    this.#raw = opts.raw;
    this.#fetch = opts.fetch ?? fetchServedSplitVersions;
    this.#ttlMs = opts.ttlMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  served(): Promise<readonly TrafficSplitVersion[]> {
    const now = this.#now();
    if (this.#cached === undefined || now - this.#cached.at >= this.#ttlMs) {
      const versions = this.#fetch(this.#raw);
      this.#cached = { at: now, versions };
      // A failed lookup must not be cached for a whole TTL.
      void versions.catch(() => {
        if (this.#cached?.versions === versions) this.#cached = undefined;
      });
    }
    return this.#cached.versions;
  }

  invalidate(): void {
    this.#cached = undefined;
  }
}
