// templateRef resolution from the caches: the template (namespaced or cluster-wide) and the
// credentials its provider's secretRef names. A missing template resolves to nothing: pre-flight
// refuses to start a run with it (TemplateNotFound); one deleted mid-run makes every measurement
// of that check an Error (the metric source factory names the template in status and Events).
import type { Metric, TemplateRef } from '../api/canary.js';
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
  /**
   * Secrets by namespace and name: an AnalysisTemplate's credentials from the Canary's namespace,
   * a ClusterAnalysisTemplate's from the controller's (credentialsOf).
   */
  readonly secrets: ObjectReader<SecretData>;
}

export interface FoundTemplate {
  readonly kind: TemplateKind;
  readonly template: TemplateJson;
  /** Where its provider's secretRef is read, as `namespace/name`; undefined without one. */
  readonly credentials?: { readonly namespace: string; readonly name: string };
}

/**
 * The template a templateRef names: an AnalysisTemplate only from the Canary's `namespace`, a
 * ClusterAnalysisTemplate by name. A ClusterAnalysisTemplate's credentials live with the
 * controller, never in the Canary's namespace (a tenant must not be able to supply credentials
 * for a cluster-wide template); an AnalysisTemplate's live in its (the Canary's) namespace.
 */
export function findTemplate(
  readers: Pick<TemplateReaders, 'templates' | 'clusterTemplates'>,
  namespace: string,
  controllerNamespace: string,
  ref: TemplateRef,
): FoundTemplate | undefined {
  const kind: TemplateKind = ref.kind ?? STORED_DEFAULTS.templateRef.kind;
  const cluster = kind === 'ClusterAnalysisTemplate';
  const template = cluster
    ? readers.clusterTemplates.getByName(undefined, ref.name)
    : readers.templates.getByName(namespace, ref.name);
  if (template === undefined) return undefined;
  const secret = template.spec.provider?.secretRef?.name;
  return {
    kind,
    template,
    ...(secret === undefined
      ? {}
      : { credentials: { namespace: cluster ? controllerNamespace : namespace, name: secret } }),
  };
}

export function resolveTemplate(
  caches: TemplateReaders,
  namespace: string,
  controllerNamespace: string,
  metric: Metric,
): ResolvedTemplate | undefined {
  const ref = metric.templateRef;
  if (ref === undefined) return undefined;
  const found = findTemplate(caches, namespace, controllerNamespace, ref);
  if (found === undefined) return undefined;
  const { kind, template: tpl, credentials } = found;
  const secret =
    credentials === undefined
      ? undefined
      : caches.secrets.getByName(credentials.namespace, credentials.name);
  const auth = prometheusAuthFromSecret(secret?.data);
  const annotations = tpl.metadata?.annotations;
  return {
    kind,
    name: ref.name,
    ...(kind === 'ClusterAnalysisTemplate' ? {} : { namespace }),
    spec: tpl.spec,
    ...(annotations === undefined ? {} : { annotations }),
    ...(auth === undefined ? {} : { auth }),
  };
}
