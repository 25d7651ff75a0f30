import { describe, expect, it } from '@jest/globals';
import type { ParentRef } from '../../../src/api/canary.js';
import type { LiveRoute } from '../../../src/routing/http-route.js';
import {
  parentAcceptance,
  routeAcceptance,
  sameParent,
} from '../../../src/routing/route-acceptance.js';

const MESH = 'mesh.example.test/controller';
const APEX: ParentRef = { group: '', kind: 'Service', name: 'web', port: 80 };
const GATEWAY: ParentRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' };

const cond = (type: string, status: string, observedGeneration?: number, reason = type) => ({
  type,
  status,
  reason,
  message: `${type} is ${status}`,
  lastTransitionTime: '2026-01-01T00:00:00Z',
  ...(observedGeneration === undefined ? {} : { observedGeneration }),
});

const entry = (parentRef: unknown, conditions: unknown[], controllerName = MESH) => ({
  parentRef,
  controllerName,
  conditions,
});

function route(parents: unknown[], generation = 4): LiveRoute {
  return {
    metadata: { name: 'web', namespace: 'shop', generation },
    spec: {},
    status: { parents },
  };
}

describe('sameParent', () => {
  it('applies the API defaults (Gateway kind and group, the route namespace) on both sides', () => {
    expect(sameParent({ name: 'edge' }, GATEWAY, 'shop')).toBe(true);
    expect(sameParent({ name: 'edge', namespace: 'shop' }, GATEWAY, 'shop')).toBe(true);
    expect(sameParent({ name: 'edge', namespace: 'infra' }, GATEWAY, 'shop')).toBe(false);
    expect(sameParent({ name: 'edge', sectionName: 'https' }, GATEWAY, 'shop')).toBe(false);
    expect(sameParent({ group: '', kind: 'Service', name: 'web', port: 80 }, APEX, 'shop')).toBe(
      true,
    );
    expect(sameParent({ group: '', kind: 'Service', name: 'web' }, APEX, 'shop')).toBe(false);
    expect(sameParent({ kind: 'Service', name: 'web', port: 80 }, APEX, 'shop')).toBe(false);
    expect(sameParent('web', APEX, 'shop')).toBe(false);
  });
});

describe('parentAcceptance', () => {
  const accepted = [cond('Accepted', 'True', 4), cond('ResolvedRefs', 'True', 4)];

  it('is accepted: Accepted=True about the current generation, ResolvedRefs not False', () => {
    expect(parentAcceptance(route([entry(APEX, accepted)]), APEX)).toEqual({ state: 'accepted' });
    // A newer observation than the cache's generation counts too; ResolvedRefs absent is fine.
    expect(parentAcceptance(route([entry(APEX, [cond('Accepted', 'True', 5)])]), APEX)).toEqual({
      state: 'accepted',
    });
  });

  it('is pending while the acceptance is about an older generation (stale observedGeneration)', () => {
    const stale = [cond('Accepted', 'True', 3), cond('ResolvedRefs', 'True', 3)];
    expect(parentAcceptance(route([entry(APEX, stale)]), APEX)).toEqual({
      state: 'pending',
      reason: 'AcceptancePending',
      message: `Service web port 80 (${MESH}) has not accepted generation 4 of the route yet`,
    });
    // No observedGeneration at all: nothing says which generation was accepted.
    const unstamped = [cond('Accepted', 'True')];
    expect(parentAcceptance(route([entry(APEX, unstamped)]), APEX).state).toBe('pending');
  });

  it('is pending while no entry is about our parent (other parents, other controllers)', () => {
    const others = route([
      entry(GATEWAY, accepted, 'gateway.example.test/edge'),
      entry({ ...APEX, name: 'api' }, accepted),
    ]);
    expect(parentAcceptance(others, APEX)).toEqual({
      state: 'pending',
      reason: 'NoParentStatus',
      message: 'Service web port 80 has not reported on the route',
    });
    expect(parentAcceptance(route([]), APEX).state).toBe('pending');
    expect(parentAcceptance({ metadata: { generation: 1 } }, APEX).state).toBe('pending');
  });

  it('counts only the given controller’s entries when one is named', () => {
    const byOther = route([entry(APEX, accepted, 'other.example.test/mesh')]);
    expect(parentAcceptance(byOther, APEX).state).toBe('accepted');
    expect(parentAcceptance(byOther, APEX, MESH).state).toBe('pending');
  });

  it('is rejected with the mesh’s own reason and message when Accepted=False now', () => {
    const refused = [
      { ...cond('Accepted', 'False', 4, 'NotAllowedByListeners'), message: 'no port 80 here' },
    ];
    expect(parentAcceptance(route([entry(APEX, refused)]), APEX)).toEqual({
      state: 'rejected',
      reason: 'NotAllowedByListeners',
      message: `Service web port 80 (${MESH}) Accepted=False: no port 80 here`,
    });
  });

  it('is rejected when ResolvedRefs=False now, even with Accepted=True', () => {
    const unresolved = [
      cond('Accepted', 'True', 4),
      { ...cond('ResolvedRefs', 'False', 4, 'BackendNotFound'), message: 'web-canary not found' },
    ];
    expect(parentAcceptance(route([entry(APEX, unresolved)]), APEX)).toEqual({
      state: 'rejected',
      reason: 'BackendNotFound',
      message: `Service web port 80 (${MESH}) ResolvedRefs=False: web-canary not found`,
    });
  });

  it('ignores a refusal of an older generation: pending, not rejected', () => {
    const oldRefusal = [cond('Accepted', 'False', 3), cond('ResolvedRefs', 'False', 3)];
    expect(parentAcceptance(route([entry(APEX, oldRefusal)]), APEX).state).toBe('pending');
  });

  it('prefers a refusal to an acceptance when two controllers report on our parent', () => {
    const split = route([
      entry(APEX, accepted, 'a.example.test/mesh'),
      entry(APEX, [cond('Accepted', 'False', 4)], 'b.example.test/mesh'),
    ]);
    expect(parentAcceptance(split, APEX).state).toBe('rejected');
  });
});

describe('routeAcceptance', () => {
  const ok = [cond('Accepted', 'True', 4)];

  it('needs every parent of ours to accept', () => {
    const both = route([entry(APEX, ok), entry(GATEWAY, ok, 'gw')]);
    expect(routeAcceptance(both, [APEX, GATEWAY])).toEqual({ state: 'accepted' });
    const one = route([entry(APEX, ok)]);
    expect(routeAcceptance(one, [APEX, GATEWAY]).state).toBe('pending');
  });

  it('reports a refusal by any parent before a wait for another', () => {
    const r = route([entry(GATEWAY, [cond('Accepted', 'False', 4, 'NoMatchingParent')], 'gw')]);
    expect(routeAcceptance(r, [APEX, GATEWAY])).toMatchObject({
      state: 'rejected',
      reason: 'NoMatchingParent',
    });
  });

  it('is pending for a route without parents: nothing applies it', () => {
    expect(routeAcceptance(route([entry(APEX, ok)]), [])).toEqual({
      state: 'pending',
      reason: 'NoParent',
      message: 'the route has no parentRefs',
    });
  });
});
