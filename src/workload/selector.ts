// Primary and canary pods must be distinct: the primary's copy of the target rewrites one
// selector label (`app: podinfo` -> `app: podinfo-primary`), so neither Deployment's selector
// matches the other's pods and the -primary/-canary Services each select one version.
import { WorkloadSpecError } from './errors.js';
import type { DeploymentJson } from './k8s-types.js';

/** Labels tried first, in order (Flagger's -selector-labels default). */
const PREFERRED_KEYS = ['app', 'app.kubernetes.io/name', 'name'] as const;

export interface SelectorRewrite {
  readonly key: string;
  readonly value: string;
  readonly primaryValue: string;
  /** The target's matchLabels (the canary pods). */
  readonly targetLabels: Readonly<Record<string, string>>;
  /** The primary's matchLabels. */
  readonly primaryLabels: Readonly<Record<string, string>>;
}

export function selectorRewrite(target: DeploymentJson): SelectorRewrite {
  const matchLabels = target.spec?.selector?.matchLabels ?? {};
  const keys = Object.keys(matchLabels);
  const key = PREFERRED_KEYS.find((k) => k in matchLabels) ?? keys.sort()[0];
  const value = key === undefined ? undefined : matchLabels[key];
  if (key === undefined || value === undefined) {
    throw new WorkloadSpecError(
      'invalidSpec',
      `Deployment ${target.metadata?.name ?? ''} needs spec.selector.matchLabels ` +
        '(e.g. app: <name>) so primary pods can be told apart',
      { details: { namespace: target.metadata?.namespace, name: target.metadata?.name } },
    );
  }
  const primaryValue = `${value}-primary`;
  return {
    key,
    value,
    primaryValue,
    targetLabels: { ...matchLabels },
    primaryLabels: { ...matchLabels, [key]: primaryValue },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rewrites `matchLabels` entries equal to the selector label inside pod (anti-)affinity terms and
 * topology spread constraints, in place: a primary spreading against `app: podinfo` would
 * otherwise spread against the canary's pods instead of its own.
 */
export function rewriteLabelSelectors(node: unknown, rw: SelectorRewrite): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteLabelSelectors(item, rw);
    return;
  }
  if (!isRecord(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'matchLabels' && isRecord(v) && v[rw.key] === rw.value) v[rw.key] = rw.primaryValue;
    else rewriteLabelSelectors(v, rw);
  }
}
