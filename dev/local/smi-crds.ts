import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { repoRoot } from './paths.js';

export const TRAFFIC_SPLIT_VERSIONS = ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'] as const;
export type TrafficSplitVersion = (typeof TRAFFIC_SPLIT_VERSIONS)[number];

export const smiCrdDir = (root = repoRoot()): string => join(root, 'dev', 'local', 'smi-crds');
export const trafficSplitCrdFile = (root = repoRoot()): string =>
  join(smiCrdDir(root), 'trafficsplit.yaml');
export const httpRouteGroupCrdFile = (root = repoRoot()): string =>
  join(smiCrdDir(root), 'httproutegroup.yaml');

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
}

/**
 * Writes a TrafficSplit CRD that serves only `served` (the first one is the storage version), the
 * way a mesh that supports fewer versions installs it, and returns the SMI CRD files to install with it:
 * pass the result as ControlPlaneOptions.smiCrdFiles.
 */
export async function writeTrafficSplitVariant(
  dir: string,
  served: readonly TrafficSplitVersion[],
  root = repoRoot(),
): Promise<string[]> {
  const [storage] = served;
  if (storage === undefined)
    throw new RangeError('writeTrafficSplitVariant: at least one served version is needed');
  const doc = parseDocument(await readFile(trafficSplitCrdFile(root), 'utf8'));
  const versions = doc.toJS() as { spec: { versions: CrdVersion[] } };
  // Other versions stay listed but unserved, as in the SDK's and OSM's CRDs.
  const variant = versions.spec.versions.map((v) => ({
    ...v,
    served: served.includes(v.name as TrafficSplitVersion),
    storage: v.name === storage,
  }));
  doc.setIn(['spec', 'versions'], variant);
  const file = join(dir, `trafficsplit-${served.join('-')}.yaml`);
  await writeFile(file, doc.toString());
  return [file, httpRouteGroupCrdFile(root)];
}
