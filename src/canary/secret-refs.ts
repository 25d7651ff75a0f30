// The Secrets one Canary references, as `namespace/name`: the only Secrets the controller reads
// (src/runtime/named-cache.ts). Every Secret a reconcile of it looks at is here:
//   - those its target's pod template uses (revision hash, config tracking) and their `-primary`
//     copies (written by the controller, read to diff);
//   - those the primary's pod template uses and the stored promoted template names (a rebuilt
//     primary checks its copies exist);
//   - the credentials of the analysis templates its metrics use: an AnalysisTemplate's from the
//     Canary's own namespace, a ClusterAnalysisTemplate's from the controller's namespace only.
// Every name but a ClusterAnalysisTemplate's credentials is in the Canary's own namespace: no
// field of a Canary or a namespaced template can name another namespace.
import { primaryName } from '../api/defaults.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { findTemplate, type TemplateReaders } from '../analysis/template-refs.js';
import { configRefs, primaryConfigName } from '../workload/config-refs.js';
import type { DeploymentJson } from '../workload/k8s-types.js';
import {
  latestStoredTemplate,
  type ControllerRevisionJson,
} from '../workload/promoted-template.js';
import type { CanaryJson } from './caches.js';

export interface SecretRefReaders extends Pick<TemplateReaders, 'templates' | 'clusterTemplates'> {
  readonly deployments: ObjectReader<DeploymentJson>;
  readonly promoted: ObjectReader<ControllerRevisionJson>;
}

const secretNames = (d: DeploymentJson | undefined): string[] =>
  configRefs(d?.spec?.template)
    .filter((r) => r.kind === 'secret')
    .map((r) => r.name);

export function secretKeysOf(
  canary: CanaryJson,
  readers: SecretRefReaders,
  controllerNamespace: string,
): Set<string> {
  const ns = canary.metadata?.namespace ?? '';
  const own = (name: string) => `${ns}/${name}`;
  const keys = new Set<string>();
  const target = readers.deployments.getByName(ns, canary.spec.targetRef.name);
  for (const name of secretNames(target)) {
    keys.add(own(name));
    keys.add(own(primaryConfigName(name)));
  }
  for (const name of secretNames(readers.deployments.getByName(ns, primaryName(canary.spec))))
    keys.add(own(name));
  const stored = latestStoredTemplate({ metadata: canary.metadata ?? {} }, readers.promoted);
  for (const config of stored?.configs ?? [])
    if (config.kind === 'secret') keys.add(own(config.name));
  for (const metric of canary.spec.analysis?.metrics ?? []) {
    if (metric.templateRef === undefined) continue;
    const found = findTemplate(readers, ns, controllerNamespace, metric.templateRef);
    const at = found?.credentials;
    if (at !== undefined) keys.add(`${at.namespace}/${at.name}`);
  }
  return keys;
}
