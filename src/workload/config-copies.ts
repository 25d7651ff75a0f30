// `-primary` copies of the tracked ConfigMaps/Secrets, so the primary keeps running the promoted
// configuration while the target's configs already carry the next one. A copy may be shared by
// several Canaries whose targets use the same config (each adds a non-controller owner
// reference; flagger#1046 deleted shared copies when only the last owner was recorded). An
// existing `<name>-primary` that no Canary owns is a user's object and is never modified.
import type { Canary } from '../api/canary.js';
import { patchOwned } from '../kube/diff-patch.js';
import type { JsonObject } from '../kube/merge-patch.js';
import { BUILTIN, collectionPath } from '../kube/resources.js';
import { configKey, primaryConfigName } from './config-refs.js';
import type { TrackedSource } from './config-tracking.js';
import type { WorkloadDeps, WriteAction } from './deps.js';
import type { ConfigJson } from './k8s-types.js';
import { canaryOwnerRef, copyLabels, ownedByAnyCanary } from '../api/ownership.js';
import { withoutForeignKeys } from '../kube/owner.js';
import { replacing, toJson } from './replace.js';

export interface ConfigCopyResult {
  /** configKey()s of the configs now copied (input for the primary template rewrite). */
  readonly copied: ReadonlySet<string>;
  readonly actions: Readonly<Record<string, WriteAction>>;
}

/** The copy as created: data, labels (minus GitOps ones) and a shared owner reference. */
export function buildConfigCopy(canary: Canary, source: TrackedSource): ConfigJson {
  const src = source.object;
  const copy: ConfigJson = {
    apiVersion: 'v1',
    kind: source.kind === 'configmap' ? 'ConfigMap' : 'Secret',
    metadata: {
      name: primaryConfigName(source.name),
      namespace: canary.metadata.namespace ?? '',
      // No canary-name label: a shared copy would flip between Canaries' names.
      labels: { ...withoutForeignKeys(src.metadata?.labels), ...copyLabels(canary) },
      annotations: withoutForeignKeys(src.metadata?.annotations),
      ownerReferences: [{ ...canaryOwnerRef(canary), controller: false }],
    },
  };
  if (src.data !== undefined) copy.data = { ...src.data };
  if (src.binaryData !== undefined) copy.binaryData = { ...src.binaryData };
  if (source.kind === 'secret' && src.type !== undefined) copy.type = src.type;
  return copy;
}

/** The owned fields of a copy: data replaced whole, our label, our owner reference added. */
function copyPatchFields(canary: Canary, live: ConfigJson, want: ConfigJson): JsonObject {
  const fields: JsonObject = { metadata: { labels: copyLabels(canary) } };
  const refs = live.metadata?.ownerReferences ?? [];
  if (!refs.some((r) => r.uid === canary.metadata.uid)) {
    fields['metadata'] = {
      labels: copyLabels(canary),
      ownerReferences: toJson([...refs, ...(want.metadata?.ownerReferences ?? [])]),
    };
  }
  for (const key of ['data', 'binaryData'] as const) {
    if (live[key] !== undefined || want[key] !== undefined) {
      fields[key] = replacing(live[key], want[key] ?? {});
    }
  }
  return fields;
}

export async function ensureConfigCopies(
  deps: WorkloadDeps,
  canary: Canary,
  sources: readonly TrackedSource[],
): Promise<ConfigCopyResult> {
  const namespace = canary.metadata.namespace ?? '';
  const actions: Record<string, WriteAction> = {};
  for (const source of sources) {
    const ref = source.kind === 'configmap' ? BUILTIN.configMaps : BUILTIN.secrets;
    const reader = source.kind === 'configmap' ? deps.caches.configMaps : deps.caches.secrets;
    const want = buildConfigCopy(canary, source);
    const live = reader.getByName(namespace, primaryConfigName(source.name));
    if (live === undefined) {
      await deps.raw.create(collectionPath(ref, namespace), want);
      actions[source.key] = 'created';
      continue;
    }
    const result = await patchOwned({
      raw: deps.raw,
      ref,
      live,
      desired: copyPatchFields(canary, live, want),
      notOwnedBecause: (obj) =>
        ownedByAnyCanary(obj) ? undefined : 'it exists and was not created by weightlifter',
    });
    actions[source.key] = result.changed ? 'patched' : 'unchanged';
  }
  const changed = Object.entries(actions).filter(([, a]) => a !== 'unchanged');
  if (changed.length > 0) {
    deps.logger.info({ configs: Object.fromEntries(changed) }, 'primary config copies written');
  }
  return { copied: new Set(sources.map((s) => configKey(s.kind, s.name))), actions };
}
