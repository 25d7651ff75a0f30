// The takeover rule as a pure decision: who may modify an existing Service, and how it was taken.
import type { Canary } from '../api/canary.js';
import { WORKLOAD_ANNOTATIONS } from './annotations.js';
import type { ServiceJson } from './k8s-types.js';
import { notControlledBy } from '../kube/owner.js';

/** Recorded on a taken-over Service, so it can be given back as it was. */
export interface TakenOver {
  readonly canary: string;
  readonly selector: Readonly<Record<string, string>> | null;
  /** GITOPS_HANDS_OFF annotations we added (others were the user's and stay). */
  readonly addedAnnotations: readonly string[];
}

export type ServiceOwnership =
  | { readonly kind: 'owned' }
  /** Taken over by this Canary (record present), or may be now (record undefined). */
  | { readonly kind: 'takenOver'; readonly record: TakenOver | undefined }
  | { readonly kind: 'refused'; readonly why: string };

export function parseTakenOver(value: string | undefined): TakenOver | undefined {
  if (value === undefined) return undefined;
  try {
    const v = JSON.parse(value) as Partial<TakenOver>;
    if (typeof v.canary !== 'string') return undefined;
    return {
      canary: v.canary,
      selector: v.selector ?? null,
      addedAnnotations: Array.isArray(v.addedAnnotations) ? v.addedAnnotations : [],
    };
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // garbage: treated as no record
    throw err;
  }
}

export function serviceOwnership(
  canary: Canary,
  svc: ServiceJson,
  takeoverAllowed: boolean,
): ServiceOwnership {
  const notOwned = notControlledBy(canary, svc);
  if (notOwned === undefined) return { kind: 'owned' };
  const name = svc.metadata?.name ?? '';
  const annotations = svc.metadata?.annotations ?? {};
  const record = parseTakenOver(annotations[WORKLOAD_ANNOTATIONS.takenOver]);
  if (record !== undefined && record.canary !== canary.metadata.name) {
    return { kind: 'refused', why: `Service ${name} was taken over by Canary ${record.canary}` };
  }
  if (!takeoverAllowed) {
    return { kind: 'refused', why: `${notOwned}; only the apex Service can be taken over` };
  }
  if (record !== undefined) return { kind: 'takenOver', record };
  if (annotations[WORKLOAD_ANNOTATIONS.takeover] === 'true') {
    return { kind: 'takenOver', record: undefined };
  }
  return {
    kind: 'refused',
    why:
      `Service ${name} exists and was not created by weightlifter; annotate it with ` +
      `${WORKLOAD_ANNOTATIONS.takeover}="true" to let weightlifter point it at the primary`,
  };
}
