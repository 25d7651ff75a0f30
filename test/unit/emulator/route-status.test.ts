import { describe, expect, it } from '@jest/globals';
import { evaluateHttpRoute } from '../../../dev/local/emulator/http-route.js';
import type { HttpRouteObject } from '../../../dev/local/emulator/objects.js';
import {
  EMULATOR_CONTROLLER_NAME,
  parentsDiffer,
  routeParentsStatus,
} from '../../../dev/local/emulator/route-status.js';
import { ManualClock } from '../../../src/time/manual-clock.js';

const NS = 'shop';
const apex = { group: '', kind: 'Service', name: 'web' };
const other = { group: '', kind: 'Service', name: 'api' };

function route(
  generation: number,
  parentRefs: unknown[],
  backend = 'web-primary',
): HttpRouteObject {
  return {
    metadata: { name: 'web', namespace: NS, generation },
    spec: { parentRefs, rules: [{ backendRefs: [{ name: backend, weight: 100 }] }] },
  };
}

const services = new Set(['web', 'api', 'web-primary']);
const evaluate = (r: HttpRouteObject) => evaluateHttpRoute(r, (n) => services.has(n));

const foreign = {
  controllerName: 'example.com/other-mesh',
  parentRef: apex,
  conditions: [{ type: 'Accepted', status: 'False', reason: 'Pending', message: '' }],
};

describe('routeParentsStatus', () => {
  it('writes one entry per Service parent with Accepted and ResolvedRefs at the generation', () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1, 12, 0, 0, 250));
    const parents = routeParentsStatus(evaluate(route(4, [apex])), NS, undefined, clock.now());
    expect(parents).toEqual([
      {
        parentRef: apex,
        controllerName: EMULATOR_CONTROLLER_NAME,
        conditions: [
          {
            type: 'Accepted',
            status: 'True',
            reason: 'Accepted',
            message: 'accepted by the mesh emulator',
            observedGeneration: 4,
            lastTransitionTime: '2030-01-01T12:00:00Z',
          },
          {
            type: 'ResolvedRefs',
            status: 'True',
            reason: 'ResolvedRefs',
            message: 'all backendRefs resolved',
            observedGeneration: 4,
            lastTransitionTime: '2030-01-01T12:00:00Z',
          },
        ],
      },
    ]);
  });

  it("keeps other controllers' entries where they are, and its own for the same parent in place", () => {
    const clock = new ManualClock();
    const first = routeParentsStatus(evaluate(route(1, [apex])), NS, [foreign], clock.now());
    expect(first).toEqual([
      foreign,
      expect.objectContaining({ controllerName: EMULATOR_CONTROLLER_NAME }),
    ]);
    const reordered = [first[1], foreign];
    const again = routeParentsStatus(evaluate(route(1, [apex])), NS, reordered, clock.now());
    expect(again).toEqual(reordered);
    expect(parentsDiffer(reordered, again)).toBe(false);
  });

  it('keeps lastTransitionTime while a status stays, and moves it when the status flips', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const t0 = '2030-01-01T00:00:00Z';
    const first = routeParentsStatus(evaluate(route(1, [apex])), NS, [], clock.now());
    await clock.advance(60_000);
    // A new generation, still accepted and resolved: observedGeneration moves, the times stay.
    const second = routeParentsStatus(evaluate(route(2, [apex])), NS, first, clock.now());
    expect(parentsDiffer(first, second)).toBe(true);
    expect(second[0]).toMatchObject({
      conditions: [
        { type: 'Accepted', observedGeneration: 2, lastTransitionTime: t0 },
        { type: 'ResolvedRefs', observedGeneration: 2, lastTransitionTime: t0 },
      ],
    });
    await clock.advance(60_000);
    // A backend that does not exist: ResolvedRefs flips (new time), Accepted stays (old time).
    const third = routeParentsStatus(evaluate(route(3, [apex], 'gone')), NS, second, clock.now());
    expect(third[0]).toMatchObject({
      conditions: [
        { type: 'Accepted', status: 'True', lastTransitionTime: t0 },
        {
          type: 'ResolvedRefs',
          status: 'False',
          reason: 'BackendNotFound',
          observedGeneration: 3,
          lastTransitionTime: '2030-01-01T00:02:00Z',
        },
      ],
    });
    // Nothing changed: the same status, nothing to write.
    await clock.advance(60_000);
    const fourth = routeParentsStatus(evaluate(route(3, [apex], 'gone')), NS, third, clock.now());
    expect(parentsDiffer(third, fourth)).toBe(false);
  });

  it('drops its own entry for a parent no longer in the spec, and adds one for a new parent', () => {
    const clock = new ManualClock();
    const both = routeParentsStatus(evaluate(route(1, [apex, other])), NS, [foreign], clock.now());
    expect(both.map((p) => (p as { parentRef: unknown }).parentRef)).toEqual([apex, apex, other]);
    const onlyOther = routeParentsStatus(evaluate(route(2, [other])), NS, both, clock.now());
    expect(onlyOther).toEqual([foreign, expect.objectContaining({ parentRef: other })]);
  });

  it('matches parentRefs with the API defaults applied (namespace, and group/kind as written)', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const first = routeParentsStatus(evaluate(route(1, [apex])), NS, [], clock.now());
    await clock.advance(1000);
    const explicit = { ...apex, namespace: NS };
    const again = routeParentsStatus(evaluate(route(1, [explicit])), NS, first, clock.now());
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({
      parentRef: explicit,
      conditions: [{ lastTransitionTime: '2030-01-01T00:00:00Z' }, expect.anything()],
    });
  });
});
