// The two routers behind one provider selection, as createRouters builds them: exactly one routes
// a Canary, an existing route object of ours keeps its API under auto, and no served API is a
// RoutingUnavailable condition naming both.
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { RoutingProvider } from '../../../src/api/constants.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { RoutingUnavailableError } from '../../../src/routing/errors.js';
import { createTrafficRouter, releaseRoute } from '../../../src/routing/factory.js';
import { GatewayApiRouter } from '../../../src/routing/gateway.js';
import { ProviderSelection } from '../../../src/routing/provider.js';
import { SmiTrafficSplitRouter } from '../../../src/routing/smi.js';
import type { RoutedReaders, Router } from '../../../src/routing/types.js';
import { canary, MemoryReader } from './fixtures.js';

const logger = pino({ level: 'silent' });
/** Never called: nothing here writes. */
const RAW = {} as unknown as KubeRawClient;

function routers(
  served: { smi: boolean; gatewayapi: boolean },
  clusterDefault: RoutingProvider = 'auto',
): Router[] {
  const selection = new ProviderSelection(clusterDefault);
  const smi = new SmiTrafficSplitRouter({
    raw: RAW,
    logger,
    versions: { served: () => Promise.resolve(served.smi ? (['v1alpha2'] as const) : []) },
    routeGroupVersions: { served: () => Promise.resolve([]) },
    watched: served.smi ? 'v1alpha2' : undefined,
    selection,
  });
  const gateway = new GatewayApiRouter({
    raw: RAW,
    logger,
    watched: served.gatewayapi ? 'v1' : undefined,
    selection,
  });
  selection.register(smi);
  selection.register(gateway);
  return [smi, gateway];
}

const OWNED = { controller: true, uid: 'uid-1', kind: 'Canary', name: 'podinfo' };

function reads(byPlural: Record<string, KubeObject[]>): RoutedReaders {
  return (ref) => new MemoryReader(byPlural[ref.plural] ?? []);
}

const httpRoute = (ownerUid: string): KubeObject => ({
  metadata: {
    name: 'podinfo',
    namespace: 'shop',
    ownerReferences: [{ ...OWNED, uid: ownerUid, apiVersion: 'weightlifter.io/v1alpha1' }],
  },
});

describe('createTrafficRouter with both routers', () => {
  const none = reads({});

  it('auto: SMI when both are served, Gateway API when only it is', async () => {
    const both = routers({ smi: true, gatewayapi: true });
    expect((await createTrafficRouter(canary(), { routers: both, read: none })).kind).toBe(
      'smi-trafficsplit',
    );
    const gwOnly = routers({ smi: false, gatewayapi: true });
    expect((await createTrafficRouter(canary(), { routers: gwOnly, read: none })).kind).toBe(
      'gatewayapi-httproute',
    );
  });

  it('auto keeps the HTTPRoute this Canary controls, not one someone else does', async () => {
    const both = routers({ smi: true, gatewayapi: true });
    const ours = reads({ httproutes: [httpRoute('uid-1')] });
    expect((await createTrafficRouter(canary(), { routers: both, read: ours })).kind).toBe(
      'gatewayapi-httproute',
    );
    const theirs = reads({ httproutes: [httpRoute('uid-2')] });
    expect((await createTrafficRouter(canary(), { routers: both, read: theirs })).kind).toBe(
      'smi-trafficsplit',
    );
  });

  it('exactly one router serves a Canary given the caches', () => {
    const both = routers({ smi: true, gatewayapi: true });
    for (const provider of ['auto', 'smi', 'gatewayapi'] as const) {
      const c = canary({ routing: { provider } });
      expect(both.filter((r) => r.serves(c, none))).toHaveLength(1);
    }
    // Without the caches (indexing), auto may be either.
    expect(both.filter((r) => r.serves(canary()))).toHaveLength(2);
  });

  it('the cluster default applies to a Canary without spec.routing.provider', async () => {
    const both = routers({ smi: true, gatewayapi: true }, 'gatewayapi');
    expect((await createTrafficRouter(canary(), { routers: both, read: none })).kind).toBe(
      'gatewayapi-httproute',
    );
  });

  it('auto with nothing served: RoutingUnavailable, naming both APIs; release is a no-op', async () => {
    const nothing = routers({ smi: false, gatewayapi: false });
    const attempt = createTrafficRouter(canary(), { routers: nothing, read: none });
    await expect(attempt).rejects.toThrow(RoutingUnavailableError);
    await expect(attempt).rejects.toThrow(/split\.smi-spec\.io.*gateway\.networking\.k8s\.io/);
    await expect(releaseRoute(canary(), { routers: nothing, read: none })).resolves.toBeUndefined();
  });

  it('a named provider whose API is not served says so itself', async () => {
    const smiOnly = routers({ smi: true, gatewayapi: false });
    const c = canary({ routing: { provider: 'gatewayapi' } });
    await expect(createTrafficRouter(c, { routers: smiOnly, read: none })).rejects.toMatchObject({
      conditionReason: 'HTTPRouteUnavailable',
    });
  });
});
