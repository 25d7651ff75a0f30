// Which route objects `status` names: the Canary's own TrafficSplit and HTTPRoute (controlled, or
// taken over), looked up by the apex name in each served API; a user's route is not the Canary's.
import { describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import { canaryRouteObjects } from '../../../src/cli/commands/route-lookup.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';

const canary: Canary = {
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'web', namespace: 'shop', uid: 'c1' },
  spec: { targetRef: { name: 'web' }, service: { port: 80, name: 'storefront' } },
};

const controlledBy = (uid: string) => ({
  metadata: {
    ownerReferences: [
      {
        apiVersion: 'weightlifter.io/v1alpha1',
        kind: 'Canary',
        name: 'web',
        uid,
        controller: true,
      },
    ],
  },
});

const SPLIT = '/apis/split.smi-spec.io/v1alpha4/namespaces/shop/trafficsplits/storefront';
const ROUTE = '/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/storefront';

/** A client whose GETs answer from `objects` by path, 404 otherwise. */
function client(objects: Record<string, unknown>): KubeRawClient {
  const get = (path: string) =>
    path in objects
      ? Promise.resolve(objects[path])
      : Promise.reject(Object.assign(new Error(`${path} not found`), { statusCode: 404 }));
  return { get } as unknown as KubeRawClient;
}

const BOTH = { trafficSplit: 'v1alpha4', httpRoute: 'v1' } as const;

describe('canaryRouteObjects', () => {
  it('names the TrafficSplit or the HTTPRoute the Canary controls, after the apex Service', async () => {
    expect(await canaryRouteObjects(client({ [SPLIT]: controlledBy('c1') }), canary, BOTH)).toEqual(
      [{ kind: 'TrafficSplit', name: 'storefront' }],
    );
    expect(await canaryRouteObjects(client({ [ROUTE]: controlledBy('c1') }), canary, BOTH)).toEqual(
      [{ kind: 'HTTPRoute', name: 'storefront' }],
    );
  });

  it('names both while the Canary moves from one provider to the other', async () => {
    const both = client({ [SPLIT]: controlledBy('c1'), [ROUTE]: controlledBy('c1') });
    expect(await canaryRouteObjects(both, canary, BOTH)).toEqual([
      { kind: 'TrafficSplit', name: 'storefront' },
      { kind: 'HTTPRoute', name: 'storefront' },
    ]);
  });

  it('names a taken-over HTTPRoute, not one of another owner or a user route not annotated', async () => {
    const takenOver = {
      metadata: {
        annotations: {
          'weightlifter.io/taken-over': JSON.stringify({ canary: 'web', backendRefs: [] }),
        },
      },
    };
    expect(await canaryRouteObjects(client({ [ROUTE]: takenOver }), canary, BOTH)).toEqual([
      { kind: 'HTTPRoute', name: 'storefront' },
    ]);
    const others = client({ [SPLIT]: controlledBy('other'), [ROUTE]: { metadata: {} } });
    expect(await canaryRouteObjects(others, canary, BOTH)).toEqual([]);
  });

  it('asks only the APIs the cluster serves', async () => {
    const asked: string[] = [];
    const raw = {
      get: (path: string) => {
        asked.push(path);
        return Promise.resolve(controlledBy('c1'));
      },
    } as unknown as KubeRawClient;
    expect(
      await canaryRouteObjects(raw, canary, { trafficSplit: undefined, httpRoute: 'v1beta1' }),
    ).toEqual([{ kind: 'HTTPRoute', name: 'storefront' }]);
    expect(asked).toEqual([
      '/apis/gateway.networking.k8s.io/v1beta1/namespaces/shop/httproutes/storefront',
    ]);
  });
});
