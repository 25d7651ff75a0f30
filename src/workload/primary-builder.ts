// The desired `<target>-primary` Deployment: a copy of the target with the selector label
// rewritten, tracked configs pointing at their -primary copies, the revision recorded (on the
// Deployment, and on the pod template so a config-only change still rolls the primary's pods),
// GitOps tool metadata dropped, and owned by the Canary. Pure.
import type { Canary } from '../api/canary.js';
import { primaryName } from '../api/defaults.js';
import { WORKLOAD_ANNOTATIONS } from './annotations.js';
import { withPrimaryConfigRefs } from './config-refs.js';
import type { DeploymentJson, PodTemplateJson } from './k8s-types.js';
import { canaryOwnerRef, managedLabels } from '../api/ownership.js';
import { withoutForeignKeys } from '../kube/owner.js';
import { rewriteLabelSelectors, selectorRewrite } from './selector.js';

/** Deployment annotations owned by the Deployment controller, never copied. */
const CONTROLLER_ANNOTATIONS = ['deployment.kubernetes.io/revision'];

export interface PrimaryInput {
  readonly canary: Canary;
  readonly target: DeploymentJson;
  /** The target's revision (targetRevision().revision). */
  readonly revision: string;
  /** configKey()s of the configs that have -primary copies. */
  readonly copiedConfigs: ReadonlySet<string>;
  readonly replicas: number;
}

/** Replicas for the primary: the target's own count while it has one, else what the primary has. */
export function primaryReplicas(
  target: DeploymentJson,
  primary: DeploymentJson | undefined,
): number {
  const own = target.spec?.replicas ?? 1;
  if (own > 0) return own;
  return Math.max(primary?.spec?.replicas ?? 1, 1);
}

export function primaryTemplate(input: PrimaryInput): PodTemplateJson {
  const rw = selectorRewrite(input.target);
  const template = withPrimaryConfigRefs(input.target.spec?.template ?? {}, input.copiedConfigs);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [rw.key]: rw.primaryValue },
    annotations: {
      ...template.metadata?.annotations,
      [WORKLOAD_ANNOTATIONS.revision]: input.revision,
    },
  };
  rewriteLabelSelectors(template.spec?.['affinity'], rw);
  rewriteLabelSelectors(template.spec?.['topologySpreadConstraints'], rw);
  return template;
}

export function buildPrimary(input: PrimaryInput): DeploymentJson {
  const { canary, target, revision } = input;
  const rw = selectorRewrite(target);
  const labels = withoutForeignKeys(target.metadata?.labels);
  if (labels[rw.key] === rw.value) labels[rw.key] = rw.primaryValue;
  const annotations = Object.fromEntries(
    Object.entries(withoutForeignKeys(target.metadata?.annotations)).filter(
      ([k]) => !CONTROLLER_ANNOTATIONS.includes(k),
    ),
  );
  const spec = target.spec ?? {};
  const out: DeploymentJson = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: primaryName(canary.spec),
      namespace: canary.metadata.namespace ?? '',
      labels: { ...labels, ...managedLabels(canary) },
      annotations: { ...annotations, [WORKLOAD_ANNOTATIONS.revision]: revision },
      ownerReferences: [canaryOwnerRef(canary)],
    },
    spec: {
      replicas: input.replicas,
      selector: { ...spec.selector, matchLabels: { ...rw.primaryLabels } },
      template: primaryTemplate(input),
    },
  };
  copyRolloutSettings(spec, out);
  return out;
}

/** Copies the Deployment's rollout settings (strategy, deadlines, history) onto `out`. */
export function copyRolloutSettings(
  spec: NonNullable<DeploymentJson['spec']>,
  out: DeploymentJson,
): void {
  const s = out.spec ?? {};
  if (spec.strategy !== undefined) s.strategy = structuredClone(spec.strategy);
  if (spec.minReadySeconds !== undefined) s.minReadySeconds = spec.minReadySeconds;
  if (spec.progressDeadlineSeconds !== undefined) {
    s.progressDeadlineSeconds = spec.progressDeadlineSeconds;
  }
  if (spec.revisionHistoryLimit !== undefined) s.revisionHistoryLimit = spec.revisionHistoryLimit;
}

/** The revision the primary runs (our annotation), or null when unknown. */
export function primaryRevisionOf(primary: DeploymentJson | undefined): string | null {
  return primary?.metadata?.annotations?.[WORKLOAD_ANNOTATIONS.revision] ?? null;
}
