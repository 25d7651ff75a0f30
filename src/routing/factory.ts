// The one place that decides which router a Canary gets: provider (only `smi` so far) and the
// TrafficSplit version — pinned by spec.routing.smiVersion, else the newest one served.
import type { Canary } from '../api/canary.js';
import type { TrafficSplitVersion } from '../api/smi.js';
import { pickSplitVersion, type ServedVersionsSource } from './discovery.js';
import { SmiRouter, type SmiRouterDeps } from './smi-router.js';
import { smiV1alpha1 } from './smi-v1alpha1.js';
import { smiV1alpha2 } from './smi-v1alpha2.js';
import { smiV1alpha3, smiV1alpha4 } from './smi-v1alpha3.js';
import type { SplitCodec } from './traffic-split.js';
import { WEIGHTED, type TrafficRouter, type TrafficStrategy } from './types.js';

export const SPLIT_CODECS = {
  v1alpha1: smiV1alpha1,
  v1alpha2: smiV1alpha2,
  v1alpha3: smiV1alpha3,
  v1alpha4: smiV1alpha4,
} as const satisfies Record<TrafficSplitVersion, SplitCodec>;

export interface RouterFactoryDeps extends SmiRouterDeps {
  /** Served TrafficSplit versions (a ServedVersionsCache in production). */
  readonly versions: ServedVersionsSource;
}

/**
 * The router for `canary`. Throws TrafficSplitUnavailableError (no served or pinned version) or
 * UnsupportedStrategyError (`strategy` not expressible by the chosen version) — both become a
 * Ready=False condition, never a partial write.
 */
export async function createTrafficRouter(
  canary: Canary,
  deps: RouterFactoryDeps,
  strategy: TrafficStrategy = WEIGHTED,
): Promise<TrafficRouter> {
  // spec.routing.provider is an enum of one ('smi') in the CRD; a second provider adds a switch here.
  const version = pickSplitVersion(await deps.versions.served(), canary.spec.routing?.smiVersion);
  return new SmiRouter(SPLIT_CODECS[version], canary, strategy, deps);
}
