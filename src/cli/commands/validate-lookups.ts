// Where the controller checks look things up: first the file being validated (a Deployment and its
// Canary are usually applied together), then the cluster.
import type { AnalysisTemplateSpec } from '../../api/analysis-template.js';
import { API_VERSION } from '../../api/constants.js';
import type { UrlPolicy } from '../../outbound/url-policy.js';
import { isNotFound } from '../../kube/errors.js';
import type { KubeRawClient } from '../../kube/raw-client.js';
import { BUILTIN, objectPath, type ResourceRef } from '../../kube/resources.js';
import { ANALYSIS_TEMPLATE_REF, CLUSTER_ANALYSIS_TEMPLATE_REF } from './context.js';
import type { ControllerLookups } from './validate-controller.js';
import type { KubeDoc } from './validate-types.js';

function inFile(
  docs: readonly KubeDoc[],
  apiVersion: string,
  kind: string,
  namespace: string | null,
  name: string,
): KubeDoc | undefined {
  return docs.find(
    (d) =>
      d.object.apiVersion === apiVersion &&
      d.ref.kind === kind &&
      d.ref.name === name &&
      (namespace === null || d.ref.namespace === namespace),
  );
}

async function getOrNull<T>(
  raw: KubeRawClient,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
): Promise<T | null> {
  try {
    return await raw.get<T>(objectPath(ref, namespace, name));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** `docs` must carry the namespaces they will be applied to (defaults filled in). */
export function clusterLookups(
  raw: KubeRawClient,
  docs: readonly KubeDoc[],
  policy: UrlPolicy,
): ControllerLookups {
  return {
    policy,
    async deploymentExists(namespace, name) {
      if (inFile(docs, 'apps/v1', 'Deployment', namespace, name) !== undefined) return true;
      return (await getOrNull(raw, BUILTIN.deployments, namespace, name)) !== null;
    },
    async template(kind, namespace, name) {
      const cluster = kind === 'ClusterAnalysisTemplate';
      const local = inFile(docs, API_VERSION, kind, cluster ? null : namespace, name);
      if (local !== undefined)
        return (local.object['spec'] ?? { query: '' }) as AnalysisTemplateSpec;
      const ref = cluster ? CLUSTER_ANALYSIS_TEMPLATE_REF : ANALYSIS_TEMPLATE_REF;
      const found = await getOrNull<{ spec?: AnalysisTemplateSpec }>(
        raw,
        ref,
        cluster ? undefined : namespace,
        name,
      );
      return found === null ? null : (found.spec ?? { query: '' });
    },
  };
}
