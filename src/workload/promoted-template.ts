// The last promoted revision, kept durably as a ControllerRevision owned by the Canary (GC deletes
// it with the Canary): the primary Deployment's template and the ConfigMap data of its `-primary`
// copies, so a deleted primary is rebuilt from what passed its checks, never from the target's
// unanalysed template. Secret data is never stored: a Secret copy is recorded by name only (it is
// owned by the Canary and outlives the primary). Pure.
import type { Canary } from '../api/canary.js';
import { LABELS, MANAGED_BY } from '../api/constants.js';
import { primaryName } from '../api/defaults.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { configRefs, type ConfigKind } from './config-refs.js';
import type { ConfigJson, DeploymentJson } from './k8s-types.js';
import { canaryOwnerRef, copyLabels, managedLabels, ownedByAnyCanary } from '../api/ownership.js';

/** The label every stored template carries; the controller watches by this selector only. */
export const PROMOTED_TEMPLATE_LABEL = 'weightlifter.io/stored';
export const PROMOTED_TEMPLATE_VALUE = 'promoted-template';
export const PROMOTED_TEMPLATE_SELECTOR = `${PROMOTED_TEMPLATE_LABEL}=${PROMOTED_TEMPLATE_VALUE}`;

/** A `-primary` copy the primary uses: ConfigMaps with their data, Secrets by name only. */
export interface StoredConfig {
  readonly kind: ConfigKind;
  /** The copy's name (`<source>-primary`). */
  readonly name: string;
  readonly data?: Record<string, string>;
  readonly binaryData?: Record<string, string>;
}

export interface StoredTemplate {
  /** The promoted revision (the target's revision hash when it was promoted). */
  readonly revision: string;
  readonly deployment: DeploymentJson;
  readonly configs: readonly StoredConfig[];
}

export interface ControllerRevisionJson extends KubeObject {
  /** As read back: anyone with RBAC could have edited it, so every field is checked. */
  data?: Partial<StoredTemplate>;
  revision?: number;
}

export function promotedTemplateName(canary: Canary, revision: string): string {
  return `${canary.metadata.name ?? ''}-promoted-${revision.slice(0, 12)}`;
}

/** Deployment annotations owned by the Deployment controller, never stored. */
const CONTROLLER_ANNOTATIONS = ['deployment.kubernetes.io/revision'];

/** What is stored of the live primary: its metadata, its spec without status or replicas' owner. */
function storedDeployment(primary: DeploymentJson): DeploymentJson {
  const annotations = Object.fromEntries(
    Object.entries(primary.metadata?.annotations ?? {}).filter(
      ([k]) => !CONTROLLER_ANNOTATIONS.includes(k),
    ),
  );
  const spec = structuredClone(primary.spec ?? {});
  delete spec.paused;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { labels: { ...primary.metadata?.labels }, annotations },
    spec,
  };
}

/** The `-primary` copies (owned by a Canary) that the primary's template refers to. */
export function storedConfigs(
  primary: DeploymentJson,
  readers: {
    readonly configMaps: ObjectReader<ConfigJson>;
    readonly secrets: ObjectReader<ConfigJson>;
  },
): StoredConfig[] {
  const ns = primary.metadata?.namespace;
  const out: StoredConfig[] = [];
  for (const ref of configRefs(primary.spec?.template)) {
    const reader = ref.kind === 'configmap' ? readers.configMaps : readers.secrets;
    const copy = reader.getByName(ns, ref.name);
    if (copy === undefined || !ownedByAnyCanary(copy)) continue;
    if (ref.kind === 'secret') {
      out.push({ kind: 'secret', name: ref.name });
      continue;
    }
    out.push({
      kind: 'configmap',
      name: ref.name,
      ...(copy.data === undefined ? {} : { data: { ...copy.data } }),
      ...(copy.binaryData === undefined ? {} : { binaryData: { ...copy.binaryData } }),
    });
  }
  return out;
}

export function buildPromotedTemplate(input: {
  readonly canary: Canary;
  readonly primary: DeploymentJson;
  readonly revision: string;
  readonly configs: readonly StoredConfig[];
  /** Higher than every earlier stored template of this Canary. */
  readonly sequence: number;
}): ControllerRevisionJson {
  const { canary, revision } = input;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: promotedTemplateName(canary, revision),
      namespace: canary.metadata.namespace ?? '',
      labels: { ...managedLabels(canary), [PROMOTED_TEMPLATE_LABEL]: PROMOTED_TEMPLATE_VALUE },
      ownerReferences: [canaryOwnerRef(canary)],
    },
    data: { revision, deployment: storedDeployment(input.primary), configs: input.configs },
    revision: input.sequence,
  };
}

/** This Canary's stored templates (by owner uid), newest (highest sequence) first. */
export function storedTemplatesOf(
  canary: Pick<Canary, 'metadata'>,
  reader: ObjectReader<ControllerRevisionJson>,
): ControllerRevisionJson[] {
  const uid = canary.metadata.uid;
  return reader
    .list(canary.metadata.namespace)
    .filter(
      (cr) =>
        cr.metadata?.labels?.[LABELS.canary] === canary.metadata.name &&
        cr.metadata?.labels?.[LABELS.managedBy] === MANAGED_BY &&
        (cr.metadata.ownerReferences ?? []).some((r) => r.uid === uid),
    )
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
}

/** The newest stored template of this Canary that has a revision, or undefined. */
export function latestStoredTemplate(
  canary: Pick<Canary, 'metadata'>,
  reader: ObjectReader<ControllerRevisionJson>,
): StoredTemplate | undefined {
  for (const cr of storedTemplatesOf(canary, reader)) {
    const { revision, deployment, configs } = cr.data ?? {};
    if (typeof revision === 'string' && deployment !== undefined) {
      return { revision, deployment, configs: Array.isArray(configs) ? configs : [] };
    }
  }
  return undefined;
}

/** The primary Deployment rebuilt from a stored template, owned by the Canary. */
export function primaryFromStored(
  canary: Canary,
  stored: StoredTemplate,
  replicas: number,
): DeploymentJson {
  const d = stored.deployment;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: primaryName(canary.spec),
      namespace: canary.metadata.namespace ?? '',
      labels: { ...d.metadata?.labels, ...managedLabels(canary) },
      annotations: { ...d.metadata?.annotations },
      ownerReferences: [canaryOwnerRef(canary)],
    },
    spec: { ...structuredClone(d.spec ?? {}), replicas },
  };
}

/** A ConfigMap copy rebuilt from its stored data (owned like ensureConfigCopies' copies). */
export function configMapFromStored(canary: Canary, config: StoredConfig): ConfigJson {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: config.name,
      namespace: canary.metadata.namespace ?? '',
      labels: copyLabels(canary),
      ownerReferences: [{ ...canaryOwnerRef(canary), controller: false }],
    },
    ...(config.data === undefined ? {} : { data: { ...config.data } }),
    ...(config.binaryData === undefined ? {} : { binaryData: { ...config.binaryData } }),
  };
}
