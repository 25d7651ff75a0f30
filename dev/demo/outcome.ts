// Pure readings of cluster objects for the story: how a release ended, and where the route
// (TrafficSplit or HTTPRoute) sends traffic.
import type { Canary } from '../../src/api/canary.js';
import { parseQuantity } from '../../src/kube/quantity.js';

export const OUTCOMES = { promoted: 'Promoted', rolledBack: 'RolledBack' } as const;
export type Outcome = (typeof OUTCOMES)[keyof typeof OUTCOMES];

/**
 * How the run of a revision other than `before` ended, or undefined while it has not: Succeeded
 * counts only once that revision is the promoted one (a Succeeded phase left over from the previous
 * run, read before the controller noticed the change, must not count).
 */
export function outcomeOf(canary: Canary, before: string | undefined): Outcome | undefined {
  const s = canary.status;
  if (s?.revision === undefined || s.revision === before) return undefined;
  if (s.phase === 'Succeeded' && s.lastPromotedRevision === s.revision) return OUTCOMES.promoted;
  if (s.phase === 'Failed') return OUTCOMES.rolledBack;
  return undefined;
}

interface SplitJson {
  spec?: { backends?: { service?: string; weight?: number | string }[] };
}

/** Weights by backend Service; v1alpha1 writes Quantities ("100", "500m"), later versions ints. */
export function splitWeights(split: SplitJson): Map<string, number> {
  const weights = new Map<string, number>();
  for (const b of split.spec?.backends ?? []) {
    if (b.service === undefined) continue;
    weights.set(b.service, quantity(b.weight));
  }
  return weights;
}

interface HttpRouteJson {
  spec?: { rules?: { backendRefs?: { name?: string; weight?: number }[] }[] };
}

/**
 * Weights by backend Service of the HTTPRoute rule that names `primary` (the rule weightlifter
 * writes); a backendRef without a weight weighs 1, as Gateway API says.
 */
export function httpRouteWeights(route: HttpRouteJson, primary: string): Map<string, number> {
  const weights = new Map<string, number>();
  const rule = route.spec?.rules?.find((r) => r.backendRefs?.some((b) => b.name === primary));
  for (const b of rule?.backendRefs ?? []) {
    if (b.name !== undefined) weights.set(b.name, b.weight ?? 1);
  }
  return weights;
}

function quantity(w: number | string | undefined): number {
  if (w === undefined) return 0;
  return parseQuantity(w) ?? Number.NaN;
}

/** "podinfo-primary 100 / podinfo-canary 0" in backend order. */
export function describeSplit(weights: ReadonlyMap<string, number>): string {
  return [...weights].map(([svc, w]) => `${svc} ${w}`).join(' / ');
}
