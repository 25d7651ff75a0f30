// The desired `<target>-baseline` Deployment: the primary's pod template (the last promoted
// revision, with its -primary config copies) at the canary's replica count, its selector label
// rewritten a second time (`app: podinfo-primary` -> `app: podinfo-baseline`) so its pods are
// neither the primary's nor the canary's, and owned by the Canary. A compare check judges the
// canary against these freshly started pods instead of the long-running primary. Pure; nothing
// creates it yet (spec.analysis.baseline is not built).
import type { Canary } from '../api/canary.js';
import { baselineName } from '../api/defaults.js';
import { canaryOwnerRef, managedLabels } from '../api/ownership.js';
import { WORKLOAD_ANNOTATIONS } from './annotations.js';
import type { DeploymentJson } from './k8s-types.js';
import { copyRolloutSettings } from './primary-builder.js';
import { rewriteLabelSelectors, selectorRewrite, type SelectorRewrite } from './selector.js';

export interface BaselineInput {
  readonly canary: Canary;
  /** The target Deployment (its selector names the label that tells the pods apart). */
  readonly target: DeploymentJson;
  /** The primary Deployment as built (buildPrimary) or read back. */
  readonly primary: DeploymentJson;
  /** The canary's replica count (0 scales the baseline down after a run). */
  readonly replicas: number;
}

/** The rewrite from the primary's selector value to the baseline's. */
function baselineRewrite(target: DeploymentJson): SelectorRewrite & { baselineValue: string } {
  const rw = selectorRewrite(target);
  const baselineValue = `${rw.value}-baseline`;
  return {
    ...rw,
    // rewriteLabelSelectors maps value -> primaryValue: here the primary's value -> the baseline's.
    value: rw.primaryValue,
    primaryValue: baselineValue,
    baselineValue,
  };
}

/** The baseline's matchLabels (the target's, with the selector label's value `<value>-baseline`). */
export function baselineLabels(target: DeploymentJson): Record<string, string> {
  const rw = baselineRewrite(target);
  return { ...rw.targetLabels, [rw.key]: rw.baselineValue };
}

export function buildBaseline(input: BaselineInput): DeploymentJson {
  const { canary, target, primary } = input;
  const rw = baselineRewrite(target);
  const template = structuredClone(primary.spec?.template ?? {});
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [rw.key]: rw.baselineValue },
  };
  rewriteLabelSelectors(template.spec?.['affinity'], rw);
  rewriteLabelSelectors(template.spec?.['topologySpreadConstraints'], rw);
  const revision = primary.metadata?.annotations?.[WORKLOAD_ANNOTATIONS.revision];
  const spec = primary.spec ?? {};
  const out: DeploymentJson = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: baselineName(canary.spec),
      namespace: canary.metadata.namespace ?? '',
      labels: { [rw.key]: rw.baselineValue, ...managedLabels(canary) },
      annotations: revision === undefined ? {} : { [WORKLOAD_ANNOTATIONS.revision]: revision },
      ownerReferences: [canaryOwnerRef(canary)],
    },
    spec: {
      replicas: input.replicas,
      selector: { ...spec.selector, matchLabels: baselineLabels(target) },
      template,
    },
  };
  copyRolloutSettings(spec, out);
  return out;
}
