// The router seam (Flagger's router.Interface, narrowed): everything the engine needs from a
// traffic-splitting system, with one implementation per API flavour and a factory choosing one.
import type { TrafficSplitVersion } from '../api/smi.js';

/**
 * Percentages, 0..100 each, summing to 100: whole numbers when written; read back exactly, so a
 * live split that is not a whole percentage (899/101) reads as a fraction (89.9/10.1).
 */
export interface Routes {
  readonly primaryWeight: number;
  readonly canaryWeight: number;
}

/**
 * How traffic is split. `weighted` is the canary strategy every SMI version expresses;
 * `headerMatch` (A/B: only requests matching user-provided HTTPRouteGroups are split) exists
 * from TrafficSplit v1alpha3; `mirror` has no SMI expression at all.
 */
export type TrafficStrategy =
  | { readonly kind: 'weighted' }
  | { readonly kind: 'headerMatch'; readonly routeGroups: readonly string[] }
  | { readonly kind: 'mirror' };

export const WEIGHTED: TrafficStrategy = { kind: 'weighted' };

export interface RouterWriteResult {
  /** `unchanged` means no request was sent: the live object already matched. */
  readonly action: 'created' | 'patched' | 'unchanged';
}

/** One Canary's traffic router (bound to it by the factory). */
export interface TrafficRouter {
  readonly provider: 'smi';
  readonly apiVersion: string;
  readonly version: TrafficSplitVersion;
  /**
   * Creates the TrafficSplit (all traffic to the primary) when missing; when it exists, repairs
   * everything except valid weights (service, backends, matches, labels), which it keeps as the
   * nearest whole percentages (wholePercent). Throws OwnershipError (WL_NOT_OWNED) for a split
   * this Canary does not control — it is never modified.
   */
  reconcile(): Promise<RouterWriteResult>;
  /**
   * Makes the split route exactly these weights (creating it if missing), patching only on
   * change; weight drift made by someone else is put back. Same ownership rule as reconcile.
   */
  setRoutes(primaryWeight: number, canaryWeight: number): Promise<RouterWriteResult>;
  /**
   * Live weights as exact percentages (from the cache, see readRoutes); null when absent or not
   * a two-backend split.
   */
  getRoutes(): Routes | null;
  /** Deletes the split if this Canary controls it; a missing or foreign split is left alone. */
  finalize(): Promise<void>;
}
