// Which routing API routes a Canary: spec.routing.provider, else the controller's
// --routing-provider. A named provider is used as named (its router reports when its API is not
// served), except that parentRefs under the controller's default smi are refused (a TrafficSplit
// has no parent; the CRD refuses them with a spec that names smi). `auto` resolves per Canary:
//   1. a route object this Canary already has (controls or took over) keeps its API, so a mesh
//      that starts serving the other API does not move a live Canary;
//   2. with spec.routing.parentRefs, Gateway API (a TrafficSplit has no parent to attach to);
//   3. SMI TrafficSplit when the cluster serves it, else Gateway API HTTPRoute when served;
//   4. else nothing: Ready=False (RoutingUnavailable) naming both APIs.
// selectProvider is the rule, pure; ProviderSelection feeds it what the routers found.
import type { CanaryNames, RoutedReaders } from './types.js';
import type { ConcreteRoutingProvider, RoutingProvider } from '../api/constants.js';
import type { KubeObject } from '../kube/object-key.js';
import { RoutingUnavailableError } from './errors.js';

export type ProviderFlags = Readonly<Record<ConcreteRoutingProvider, boolean>>;

export interface ProviderInput {
  /** spec.routing.provider. */
  readonly setting: RoutingProvider | undefined;
  /** The controller's --routing-provider. */
  readonly clusterDefault: RoutingProvider;
  /** Which APIs the cluster serves. */
  readonly served: ProviderFlags;
  /** Which APIs hold a route object of this Canary's (controlled or taken over). */
  readonly existing: ProviderFlags;
  readonly hasParentRefs: boolean;
}

export type ProviderChoice =
  | { readonly ok: true; readonly provider: ConcreteRoutingProvider }
  | { readonly ok: false; readonly message: string };

const NEITHER =
  'the cluster serves neither SMI TrafficSplit (split.smi-spec.io) nor Gateway API HTTPRoute ' +
  '(gateway.networking.k8s.io); install one of them (e.g. linkerd-smi, or the Gateway API CRDs ' +
  'of a mesh that implements GAMMA)';

export function selectProvider(input: ProviderInput): ProviderChoice {
  const setting = input.setting ?? input.clusterDefault;
  if (setting === 'smi' && input.hasParentRefs) {
    // The CRD refuses parentRefs with provider smi; this is smi as the controller's default.
    return {
      ok: false,
      message:
        'spec.routing.parentRefs need Gateway API HTTPRoute, but the controller routes Canaries ' +
        'without spec.routing.provider over SMI (--routing-provider smi): set provider ' +
        'gatewayapi or auto',
    };
  }
  if (setting !== 'auto') return { ok: true, provider: setting };
  const { served, existing } = input;
  if (existing.smi !== existing.gatewayapi) {
    return { ok: true, provider: existing.smi ? 'smi' : 'gatewayapi' };
  }
  if (input.hasParentRefs) {
    return served.gatewayapi
      ? { ok: true, provider: 'gatewayapi' }
      : {
          ok: false,
          message:
            'spec.routing.parentRefs need Gateway API HTTPRoute (gateway.networking.k8s.io), ' +
            'which the cluster does not serve',
        };
  }
  if (served.smi) return { ok: true, provider: 'smi' };
  if (served.gatewayapi) return { ok: true, provider: 'gatewayapi' };
  return { ok: false, message: NEITHER };
}

/** What a router tells the selection: whether its API is served, and whose objects it holds. */
export interface ProviderSource {
  readonly provider: ConcreteRoutingProvider;
  served(): boolean;
  /** The Canary's route object in `read`, when this Canary controls it or took it over. */
  ownedObject(canary: CanaryNames, read: RoutedReaders): KubeObject | undefined;
}

/** The selection for this process: the cluster default and the routers' answers. */
export class ProviderSelection {
  readonly #clusterDefault: RoutingProvider;
  readonly #sources: ProviderSource[] = [];

  constructor(clusterDefault: RoutingProvider) {
    this.#clusterDefault = clusterDefault;
  }

  register(source: ProviderSource): void {
    this.#sources.push(source);
  }

  #flags(f: (s: ProviderSource) => boolean): ProviderFlags {
    const on = (p: ConcreteRoutingProvider): boolean =>
      this.#sources.some((s) => s.provider === p && f(s));
    return { smi: on('smi'), gatewayapi: on('gatewayapi') };
  }

  /** The provider of `canary`, looking for its existing route objects in `read`. */
  choose(canary: CanaryNames, read: RoutedReaders): ProviderChoice {
    return selectProvider({
      setting: canary.spec.routing?.provider,
      clusterDefault: this.#clusterDefault,
      served: this.#flags((s) => s.served()),
      existing: this.#flags((s) => s.ownedObject(canary, read) !== undefined),
      hasParentRefs: (canary.spec.routing?.parentRefs?.length ?? 0) > 0,
    });
  }

  /**
   * The providers that may route `canary` without looking at its objects: the named one, or for
   * `auto` every served one (a superset, for waking the Canary on its objects' events).
   */
  candidates(canary: CanaryNames): ConcreteRoutingProvider[] {
    const setting = canary.spec.routing?.provider ?? this.#clusterDefault;
    if (setting !== 'auto') return [setting];
    const served = this.#flags((s) => s.served());
    return (['smi', 'gatewayapi'] as const).filter((p) => served[p]);
  }
}

/** RoutingUnavailableError when `selection` finds no provider for the Canary. */
export function unrouted(
  selection: ProviderSelection | undefined,
  canary: CanaryNames,
  read: RoutedReaders,
): Error | undefined {
  const choice = selection?.choose(canary, read);
  return choice === undefined || choice.ok
    ? undefined
    : new RoutingUnavailableError(choice.message);
}
