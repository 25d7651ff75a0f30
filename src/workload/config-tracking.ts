// Which ConfigMaps/Secrets of a target are tracked: referenced by its pod template, existing, not
// opted out with `weightlifter.io/config-tracking: disabled`, and not a service-account token
// (the token controller owns those; a copy would be a second, unrequested token). Tracked configs
// feed the revision hash and get `-primary` copies, so a config change is canaried like a template
// change.
import type { Canary } from '../api/canary.js';
import { WORKLOAD_ANNOTATIONS } from './annotations.js';
import { configKey, configRefs, type ConfigKind } from './config-refs.js';
import { WorkloadSpecError } from './errors.js';
import type { ConfigJson, DeploymentJson, WorkloadCaches } from './k8s-types.js';
import { revisionOf, type Revision, type TrackedConfig } from './revision-hash.js';

const UNTRACKED_SECRET_TYPES = new Set(['kubernetes.io/service-account-token']);

export interface TrackedSource {
  readonly key: string;
  readonly kind: ConfigKind;
  readonly name: string;
  readonly object: ConfigJson;
}

export function trackedConfigSources(
  target: DeploymentJson,
  caches: Pick<WorkloadCaches, 'configMaps' | 'secrets'>,
): TrackedSource[] {
  const namespace = target.metadata?.namespace;
  const out: TrackedSource[] = [];
  for (const ref of configRefs(target.spec?.template)) {
    const reader = ref.kind === 'configmap' ? caches.configMaps : caches.secrets;
    const object = reader.getByName(namespace, ref.name);
    if (object === undefined) {
      if (ref.optional) continue;
      throw new WorkloadSpecError(
        'invalidSpec',
        `${ref.kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ref.name} used by Deployment ` +
          `${target.metadata?.name ?? ''} does not exist`,
        { details: { namespace, kind: ref.kind, name: ref.name } },
      );
    }
    if (object.metadata?.annotations?.[WORKLOAD_ANNOTATIONS.configTracking] === 'disabled')
      continue;
    if (ref.kind === 'secret' && UNTRACKED_SECRET_TYPES.has(object.type ?? '')) continue;
    out.push({ key: configKey(ref.kind, ref.name), kind: ref.kind, name: ref.name, object });
  }
  return out;
}

export interface TargetRevision extends Revision {
  readonly sources: readonly TrackedSource[];
}

/** The target's canonical revision (template + tracked config data), from the caches. */
export function targetRevision(
  target: DeploymentJson,
  caches: Pick<WorkloadCaches, 'configMaps' | 'secrets'>,
): TargetRevision {
  const sources = trackedConfigSources(target, caches);
  const configs: TrackedConfig[] = sources.map((s) => ({
    kind: s.kind,
    name: s.name,
    data: s.object.data,
    binaryData: s.object.binaryData,
  }));
  return { ...revisionOf(target.spec?.template, configs), sources };
}

/** The target Deployment of `canary`, from the cache; a typed error when it does not exist. */
export function targetOf(
  canary: Canary,
  caches: Pick<WorkloadCaches, 'deployments'>,
): DeploymentJson {
  const name = canary.spec.targetRef.name;
  const target = caches.deployments.getByName(canary.metadata.namespace, name);
  if (target === undefined) {
    throw new WorkloadSpecError('targetNotFound', `target Deployment ${name} does not exist`, {
      details: { namespace: canary.metadata.namespace, name },
    });
  }
  return target;
}
