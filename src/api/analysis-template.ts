// AnalysisTemplate (namespaced) and ClusterAnalysisTemplate (cluster-scoped) share one spec.
// Field docs live in crds/analysistemplate.yaml; the drift test keeps both in step.
import type { ObjectMeta } from '../kube/object-key.js';
import type { MetricProviderType } from './constants.js';

export interface AnalysisTemplate {
  apiVersion: 'weightlifter.io/v1alpha1';
  kind: 'AnalysisTemplate';
  metadata: ObjectMeta;
  spec: AnalysisTemplateSpec;
}

export interface ClusterAnalysisTemplate {
  apiVersion: 'weightlifter.io/v1alpha1';
  kind: 'ClusterAnalysisTemplate';
  metadata: ObjectMeta;
  spec: AnalysisTemplateSpec;
}

export interface AnalysisTemplateSpec {
  /** Defaults to `{type: prometheus}`. */
  provider?: MetricProvider;
  /** PromQL with `{{ namespace }}`, `{{ target }}`, `{{ interval }}`, `{{ variables.x }}`. */
  query: string;
  /** Defaults for `{{ variables.x }}`; a metric's templateVariables override them. */
  variables?: Record<string, string>;
}

export interface MetricProvider {
  type?: MetricProviderType;
  /** Absent: the controller's --prometheus-address. */
  address?: string;
  secretRef?: LocalSecretReference;
}

/**
 * A Secret holding `token` (bearer) or `username` + `password` (basic auth). For an
 * AnalysisTemplate it lives in the template's namespace; for a ClusterAnalysisTemplate in the
 * controller's own namespace.
 */
export interface LocalSecretReference {
  name: string;
}
