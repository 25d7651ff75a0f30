// What each TrafficSplit version can express. A strategy outside this table is refused with a
// typed error (-> Ready=False, reason UnsupportedStrategy) before anything is written.
import type { TrafficSplitVersion } from '../api/smi.js';
import { UnsupportedStrategyError } from './errors.js';
import type { TrafficStrategy } from './types.js';

export const SMI_CAPABILITIES = {
  v1alpha1: { weighted: true, headerMatch: false, abMatch: false, mirror: false },
  v1alpha2: { weighted: true, headerMatch: false, abMatch: false, mirror: false },
  v1alpha3: { weighted: true, headerMatch: true, abMatch: true, mirror: false },
  v1alpha4: { weighted: true, headerMatch: true, abMatch: true, mirror: false },
} as const satisfies Record<TrafficSplitVersion, Record<TrafficStrategy['kind'], boolean>>;

/** Throws UnsupportedStrategyError unless `version` expresses `strategy`. */
export function assertStrategySupported(
  strategy: TrafficStrategy,
  version: TrafficSplitVersion,
): void {
  if (strategy.kind === 'headerMatch' && strategy.routeGroups.length === 0) {
    throw new UnsupportedStrategyError('header matching needs at least one HTTPRouteGroup');
  }
  if (SMI_CAPABILITIES[version][strategy.kind]) return;
  const why =
    strategy.kind === 'mirror'
      ? 'SMI TrafficSplit has no traffic mirroring in any version'
      : strategy.kind === 'abMatch'
        ? `spec.analysis.match (an A/B release) needs TrafficSplit v1alpha3 or later (matches), or Gateway API HTTPRoute (spec.routing.provider: gatewayapi); the cluster serves ${version}`
        : `header matching needs TrafficSplit v1alpha3 or later (matches); the cluster uses ${version}`;
  throw new UnsupportedStrategyError(`${strategy.kind} cannot be expressed over SMI: ${why}`, {
    details: { strategy: strategy.kind, version },
  });
}
