// `validate` on spec.routing: the provider table against what the cluster serves, parentRefs
// under smi, and discovery that cannot be read.
import { describe, expect, it } from '@jest/globals';
import type { Canary, Routing } from '../../../src/api/canary.js';
import type { RoutingProvider } from '../../../src/api/constants.js';
import type { ServedRoutingApis } from '../../../src/cli/commands/route-lookup.js';
import {
  MATCH_NEEDS_MATCHES,
  PARENT_REFS_NEED_GATEWAY_API,
  routingFindings,
} from '../../../src/cli/commands/validate-routing.js';

const canaryWith = (routing: Routing | undefined): Canary => ({
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { name: 'podinfo' },
    service: { port: 80 },
    ...(routing === undefined ? {} : { routing }),
  },
});

const BOTH: ServedRoutingApis = { trafficSplit: 'v1alpha4', httpRoute: 'v1' };
const SMI: ServedRoutingApis = { trafficSplit: 'v1alpha2', httpRoute: undefined };
const GATEWAY: ServedRoutingApis = { trafficSplit: undefined, httpRoute: 'v1beta1' };
const NEITHER: ServedRoutingApis = { trafficSplit: undefined, httpRoute: undefined };
const GATEWAY_PARENT = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }];

const check = (
  routing: Routing | undefined,
  served: ServedRoutingApis | undefined,
  clusterDefault: RoutingProvider = 'auto',
) =>
  routingFindings(
    canaryWith(routing),
    clusterDefault,
    served === undefined ? undefined : () => Promise.resolve(served),
  );

describe('routingFindings', () => {
  it.each([
    [undefined, BOTH, 'SMI TrafficSplit', 'SMI TrafficSplit v1alpha4 and Gateway API HTTPRoute v1'],
    [{ provider: 'auto' as const }, SMI, 'SMI TrafficSplit', 'SMI TrafficSplit v1alpha2'],
    [
      { provider: 'auto' as const },
      GATEWAY,
      'Gateway API HTTPRoute',
      'Gateway API HTTPRoute v1beta1',
    ],
    [
      { provider: 'auto' as const, parentRefs: GATEWAY_PARENT },
      BOTH,
      'Gateway API HTTPRoute',
      'SMI TrafficSplit v1alpha4 and Gateway API HTTPRoute v1',
    ],
  ])('auto (%j) with %j served: notes what it picks', async (routing, served, api, servedText) => {
    const named = routing === undefined ? "unset (the controller's auto)" : 'auto';
    expect(await check(routing, served)).toEqual({
      problems: [],
      notes: [
        `spec.routing.provider ${named}: picks ${api} for a Canary without a route object yet ` +
          `(the cluster serves ${servedText})`,
      ],
      warnings: [],
    });
  });

  it('says nothing about a named provider the cluster serves', async () => {
    expect(await check({ provider: 'smi' }, BOTH)).toEqual({
      problems: [],
      notes: [],
      warnings: [],
    });
    expect(await check({ provider: 'gatewayapi' }, GATEWAY)).toEqual({
      problems: [],
      notes: [],
      warnings: [],
    });
  });

  it('warns about a provider whose API the cluster does not serve, and auto on neither', async () => {
    expect((await check({ provider: 'gatewayapi' }, SMI)).warnings).toEqual([
      'spec.routing.provider gatewayapi: the cluster does not serve Gateway API HTTPRoute ' +
        '(it serves SMI TrafficSplit v1alpha2); the controller would report Ready=False',
    ]);
    const [neither] = (await check({ provider: 'auto' }, NEITHER)).warnings;
    expect(neither).toMatch(/^spec.routing.provider auto: the cluster serves neither SMI/);
    const [noGateway] = (await check({ parentRefs: GATEWAY_PARENT }, SMI)).warnings;
    expect(noGateway).toMatch(/parentRefs need Gateway API HTTPRoute/);
  });

  it('refuses parentRefs under provider smi as the CRD does, and under the default smi', async () => {
    expect(await check({ provider: 'smi', parentRefs: GATEWAY_PARENT }, undefined)).toEqual({
      problems: [{ field: 'spec.routing.parentRefs', message: PARENT_REFS_NEED_GATEWAY_API }],
      notes: [],
      warnings: [],
    });
    const { problems } = await check({ parentRefs: GATEWAY_PARENT }, BOTH, 'smi');
    expect(problems).toEqual([
      {
        field: 'spec.routing.parentRefs',
        message: expect.stringContaining('--routing-provider smi') as unknown as string,
      },
    ]);
  });

  it('checks only what needs no cluster without discovery, and notes discovery it cannot read', async () => {
    expect(await check({ provider: 'auto' }, undefined)).toEqual({
      problems: [],
      notes: [],
      warnings: [],
    });
    const failing = await routingFindings(canaryWith({ provider: 'auto' }), 'auto', () =>
      Promise.reject(new Error('connection refused')),
    );
    expect(failing.notes).toEqual([
      'spec.routing.provider: not checked (API discovery): connection refused',
    ]);
  });

  it('refuses an A/B match over a TrafficSplit version without matches, as the controller does', async () => {
    const ab = (routing: Routing | undefined): Canary => {
      const c = canaryWith(routing);
      return {
        ...c,
        spec: {
          ...c.spec,
          analysis: { iterations: 3, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] },
        },
      };
    };
    const field = 'spec.analysis.match';
    // Without discovery the served version is unknown: nothing to say.
    expect((await routingFindings(ab({ provider: 'smi' }), 'auto', undefined)).problems).toEqual(
      [],
    );
    const old = await routingFindings(ab({ provider: 'smi' }), 'auto', () => Promise.resolve(SMI));
    expect(old.problems).toEqual([
      {
        field,
        message: `${MATCH_NEEDS_MATCHES}; spec.routing.provider smi picks SMI TrafficSplit, served here as v1alpha2`,
      },
    ]);
    // v1alpha4 has matches: the controller writes an HTTPRouteGroup.
    const picked = await routingFindings(ab(undefined), 'auto', () => Promise.resolve(BOTH));
    expect(picked.problems).toEqual([]);
    const gateway = await routingFindings(ab({ provider: 'gatewayapi' }), 'auto', () =>
      Promise.resolve(GATEWAY),
    );
    expect(gateway.problems).toEqual([]);
  });
});
