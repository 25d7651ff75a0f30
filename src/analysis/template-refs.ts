// templateRef resolution from the caches: the template (namespaced or cluster-wide) and the
// credentials its provider's secretRef names. A missing template resolves to nothing: pre-flight
// refuses to start a run with it (TemplateNotFound); one deleted mid-run makes every measurement
// of that check an Error (the metric source factory names the template in status and Events).
import type { Metric } from '../api/canary.js';
import type { TemplateKind } from '../api/constants.js';
import { STORED_DEFAULTS } from '../api/defaults.js';
import { prometheusAuthFromSecret } from '../metrics/executor.js';
import type { ResolvedTemplate } from '../metrics/factory.js';
import type { AnalysisTemplateSpec } from '../api/analysis-template.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';

/** An AnalysisTemplate or ClusterAnalysisTemplate as the informer holds it. */
export interface TemplateJson extends KubeObject {
  spec: AnalysisTemplateSpec;
}

/** A Secret's data, as far as a template's credentials go. */
export interface SecretData extends KubeObject {
  data?: Record<string, string>;
}

/** Where templates and their credentials are read from (the controller's caches). */
export interface TemplateReaders {
  readonly templates: ObjectReader<TemplateJson>;
  readonly clusterTemplates: ObjectReader<TemplateJson>;
  /** Secrets of the Canaries' namespaces (an AnalysisTemplate's credentials). */
  readonly secrets: ObjectReader<SecretData>;
  /** Secrets of the controller's namespace (a ClusterAnalysisTemplate's credentials). */
  readonly controllerSecrets: ObjectReader<SecretData>;
}

export function resolveTemplate(
  caches: TemplateReaders,
  namespace: string,
  controllerNamespace: string,
  metric: Metric,
): ResolvedTemplate | undefined {
  const ref = metric.templateRef;
  if (ref === undefined) return undefined;
  const kind: TemplateKind = ref.kind ?? STORED_DEFAULTS.templateRef.kind;
  const cluster = kind === 'ClusterAnalysisTemplate';
  const tpl: TemplateJson | undefined = cluster
    ? caches.clusterTemplates.getByName(undefined, ref.name)
    : caches.templates.getByName(namespace, ref.name);
  if (tpl === undefined) return undefined;
  const secretRef = tpl.spec.provider?.secretRef;
  // A ClusterAnalysisTemplate's secret lives with the controller, never in the Canary's namespace
  // (a tenant must not be able to supply credentials for a cluster-wide template).
  const secret =
    secretRef === undefined
      ? undefined
      : cluster
        ? caches.controllerSecrets.getByName(controllerNamespace, secretRef.name)
        : caches.secrets.getByName(namespace, secretRef.name);
  const auth = prometheusAuthFromSecret(secret?.data);
  const annotations = tpl.metadata?.annotations;
  return {
    kind,
    name: ref.name,
    ...(cluster ? {} : { namespace }),
    spec: tpl.spec,
    ...(annotations === undefined ? {} : { annotations }),
    ...(auth === undefined ? {} : { auth }),
  };
}
