// `validate` on spec.routing: parentRefs with provider smi are refused as the CRD refuses them
// (also when the controller's --routing-provider smi is what the Canary gets); for `auto`, a note
// says what it picks from the APIs the cluster serves (selectProvider, the controller's own rule,
// for a Canary without a route object yet); a provider the cluster cannot serve is a warning; an
// A/B match (spec.analysis.match) on a Canary routed over an SMI TrafficSplit version without
// `matches` (v1alpha1, v1alpha2) is refused as the controller does.
import type { Canary } from '../../api/canary.js';
import type { ConcreteRoutingProvider, RoutingProvider } from '../../api/constants.js';
import { selectProvider } from '../../routing/provider.js';
import { SMI_CAPABILITIES } from '../../routing/strategy.js';
import { describeError } from './failures.js';
import type { ServedRoutingApis } from './route-lookup.js';

/** The CRD's CEL message for parentRefs under provider smi (crds/canary.yaml). */
export const PARENT_REFS_NEED_GATEWAY_API =
  'parentRefs are Gateway API parent references: they need provider gatewayapi or auto';

/** Why the controller refuses an A/B Canary over SMI (routing/strategy.ts), for `validate`. */
export const MATCH_NEEDS_MATCHES =
  'A/B releases need TrafficSplit v1alpha3 or later (matches) or Gateway API HTTPRoute: the controller reports Ready=False (UnsupportedStrategy)';

export interface RoutingFindings {
  readonly problems: { readonly field: string; readonly message: string }[];
  readonly notes: string[];
  readonly warnings: string[];
}

const API_NAME: Record<ConcreteRoutingProvider, string> = {
  smi: 'SMI TrafficSplit',
  gatewayapi: 'Gateway API HTTPRoute',
};

function servedText(served: ServedRoutingApis): string {
  const apis = [
    ...(served.trafficSplit === undefined ? [] : [`SMI TrafficSplit ${served.trafficSplit}`]),
    ...(served.httpRoute === undefined ? [] : [`Gateway API HTTPRoute ${served.httpRoute}`]),
  ];
  return apis.length === 0 ? 'neither routing API' : apis.join(' and ');
}

const none = (): RoutingFindings => ({ problems: [], notes: [], warnings: [] });

/**
 * `served` reads API discovery; without it (nothing to ask), only what needs no cluster is
 * checked.
 */
export async function routingFindings(
  canary: Canary,
  clusterDefault: RoutingProvider,
  served: (() => Promise<ServedRoutingApis>) | undefined,
): Promise<RoutingFindings> {
  const setting = canary.spec.routing?.provider;
  const hasParentRefs = (canary.spec.routing?.parentRefs?.length ?? 0) > 0;
  const effective = setting ?? clusterDefault;
  const hasMatch = (canary.spec.analysis?.match?.length ?? 0) > 0;
  const refuseMatch = (why: string): RoutingFindings => ({
    ...none(),
    problems: [{ field: 'spec.analysis.match', message: `${MATCH_NEEDS_MATCHES}${why}` }],
  });
  if (effective === 'smi' && hasParentRefs) {
    // Refused whatever the cluster serves: by the CRD when the spec names smi, by the controller
    // when smi is its default.
    const choice = selectProvider({
      setting,
      clusterDefault,
      served: { smi: true, gatewayapi: true },
      existing: { smi: false, gatewayapi: false },
      hasParentRefs,
    });
    const message = setting === 'smi' || choice.ok ? PARENT_REFS_NEED_GATEWAY_API : choice.message;
    return { ...none(), problems: [{ field: 'spec.routing.parentRefs', message }] };
  }
  if (served === undefined) return none();
  let apis: ServedRoutingApis;
  try {
    apis = await served();
  } catch (err) {
    return {
      ...none(),
      notes: [`spec.routing.provider: not checked (API discovery): ${describeError(err)}`],
    };
  }
  const choice = selectProvider({
    setting,
    clusterDefault,
    served: { smi: apis.trafficSplit !== undefined, gatewayapi: apis.httpRoute !== undefined },
    existing: { smi: false, gatewayapi: false },
    hasParentRefs,
  });
  const named = setting === undefined ? `unset (the controller's ${clusterDefault})` : setting;
  if (!choice.ok)
    return { ...none(), warnings: [`spec.routing.provider ${named}: ${choice.message}`] };
  if (
    hasMatch &&
    choice.provider === 'smi' &&
    apis.trafficSplit !== undefined &&
    !SMI_CAPABILITIES[apis.trafficSplit].abMatch
  ) {
    return refuseMatch(
      `; spec.routing.provider ${named} picks SMI TrafficSplit, served here as ${apis.trafficSplit}`,
    );
  }
  const api = API_NAME[choice.provider];
  const servedHere =
    choice.provider === 'smi' ? apis.trafficSplit !== undefined : apis.httpRoute !== undefined;
  if (!servedHere) {
    return {
      ...none(),
      warnings: [
        `spec.routing.provider ${named}: the cluster does not serve ${api} (it serves ` +
          `${servedText(apis)}); the controller would report Ready=False`,
      ],
    };
  }
  if (effective !== 'auto') return none();
  return {
    ...none(),
    notes: [
      `spec.routing.provider ${named}: picks ${api} for a Canary without a route object yet ` +
        `(the cluster serves ${servedText(apis)})`,
    ],
  };
}
