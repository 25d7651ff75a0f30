import { describe, expect, it } from '@jest/globals';
import {
  desiredParentRefs,
  newRules,
  ourRuleIndex,
  readRouteRoutes,
  routeNames,
  routeRef,
  rulesWithOurs,
  type LiveRoute,
} from '../../../src/routing/http-route.js';
import { canary } from './fixtures.js';

const web = canary({ service: { port: 80, name: 'web' } });
const names = routeNames(web);

const backend = (name: string, weight?: number): Record<string, unknown> => ({
  group: '',
  kind: 'Service',
  name,
  port: 80,
  ...(weight === undefined ? {} : { weight }),
});

/** A rule of the route's author: only its matches say so. */
const FOREIGN_RULE = {
  matches: [{ path: { type: 'PathPrefix', value: '/admin' } }],
  filters: [
    { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: 'y' }] } },
  ],
  backendRefs: [{ group: '', kind: 'Service', name: 'admin', port: 8080, weight: 1 }],
};

function route(rules: unknown[]): LiveRoute {
  return {
    metadata: { name: 'web', namespace: 'shop', generation: 3 },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }], rules },
  };
}

describe('routeNames and routeRef', () => {
  it('names the route after the apex Service, backends <apex>-primary/-canary on the port', () => {
    expect(names).toEqual({
      namespace: 'shop',
      name: 'web',
      apex: 'web',
      primary: 'web-primary',
      canary: 'web-canary',
      port: 80,
    });
  });

  it('addresses httproutes of gateway.networking.k8s.io at the given version', () => {
    expect(routeRef('v1')).toEqual({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      plural: 'httproutes',
      kind: 'HTTPRoute',
      namespaced: true,
    });
    expect(routeRef('v1beta1').version).toBe('v1beta1');
  });
});

describe('desiredParentRefs', () => {
  it('is the apex Service on its port (GAMMA) when the Canary names no parents', () => {
    expect(desiredParentRefs(web, names)).toEqual([
      { group: '', kind: 'Service', name: 'web', port: 80 },
    ]);
    const empty = canary({ service: { port: 80, name: 'web' }, routing: { parentRefs: [] } });
    expect(desiredParentRefs(empty, names)).toEqual([
      { group: '', kind: 'Service', name: 'web', port: 80 },
    ]);
  });

  it('is spec.routing.parentRefs with the API defaults spelled out', () => {
    const north = canary({
      service: { port: 80, name: 'web' },
      routing: { parentRefs: [{ name: 'edge', namespace: 'infra', sectionName: 'https' }] },
    });
    expect(desiredParentRefs(north, names)).toEqual([
      {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: 'edge',
        namespace: 'infra',
        sectionName: 'https',
      },
    ]);
  });
});

describe('newRules', () => {
  it('is one rule matching every path, primary and canary with integer weights, 0 included', () => {
    expect(newRules(names, { primaryWeight: 100, canaryWeight: 0 })).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [backend('web-primary', 100), backend('web-canary', 0)],
      },
    ]);
  });
});

describe('ourRuleIndex', () => {
  const ours = { backendRefs: [backend('web-primary', 90), backend('web-canary', 10)] };
  const apex = { backendRefs: [backend('web')] };

  it('finds the rule sending to the primary or canary Service, wherever it is', () => {
    expect(ourRuleIndex([FOREIGN_RULE, ours], names, false)).toBe(1);
    expect(ourRuleIndex([{ backendRefs: [backend('web-canary', 1)] }], names, false)).toBe(0);
    expect(ourRuleIndex([FOREIGN_RULE], names, false)).toBe(-1);
  });

  it('takes the apex rule only when asked (a taken-over route) and ours first', () => {
    expect(ourRuleIndex([FOREIGN_RULE, apex], names, false)).toBe(-1);
    expect(ourRuleIndex([FOREIGN_RULE, apex], names, true)).toBe(1);
    expect(ourRuleIndex([apex, ours], names, true)).toBe(1);
  });

  it('ignores refs to other kinds that share the name', () => {
    const other = {
      backendRefs: [{ group: 'example.test', kind: 'Backend', name: 'web-primary' }],
    };
    expect(ourRuleIndex([other], names, false)).toBe(-1);
  });
});

describe('rulesWithOurs', () => {
  it('changes only our rule’s backendRefs; foreign rules and our matches stay as read', () => {
    const ours = {
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      timeouts: { request: '10s' },
      backendRefs: [backend('web-primary', 100), backend('web-canary', 0)],
    };
    const live = route([FOREIGN_RULE, ours]);
    const rules = rulesWithOurs(live, names, { primaryWeight: 80, canaryWeight: 20 }, false);
    expect(rules).toEqual([
      FOREIGN_RULE,
      { ...ours, backendRefs: [backend('web-primary', 80), backend('web-canary', 20)] },
    ]);
    // Nothing is changed in place.
    expect(ours.backendRefs[1]).toEqual(backend('web-canary', 0));
  });

  it('appends our rule when the route has none, after the foreign ones', () => {
    const live = route([FOREIGN_RULE]);
    expect(rulesWithOurs(live, names, { primaryWeight: 100, canaryWeight: 0 }, false)).toEqual([
      FOREIGN_RULE,
      ...newRules(names, { primaryWeight: 100, canaryWeight: 0 }),
    ]);
    expect(rulesWithOurs(route([]), names, { primaryWeight: 100, canaryWeight: 0 }, false)).toEqual(
      newRules(names, { primaryWeight: 100, canaryWeight: 0 }),
    );
  });

  it('on a taken-over route, replaces the apex rule’s backendRefs', () => {
    const apexRule = {
      matches: [{ path: { type: 'Exact', value: '/' } }],
      backendRefs: [backend('web')],
    };
    const live = route([FOREIGN_RULE, apexRule]);
    expect(rulesWithOurs(live, names, { primaryWeight: 90, canaryWeight: 10 }, true)).toEqual([
      FOREIGN_RULE,
      { ...apexRule, backendRefs: [backend('web-primary', 90), backend('web-canary', 10)] },
    ]);
  });
});

describe('readRouteRoutes', () => {
  const read = (refs: unknown[], extra: unknown[] = []): ReturnType<typeof readRouteRoutes> =>
    readRouteRoutes(route([...extra, { backendRefs: refs }]), names);

  it('reads our rule’s weights as percentages, beside foreign rules', () => {
    expect(read([backend('web-primary', 90), backend('web-canary', 10)], [FOREIGN_RULE])).toEqual({
      ok: true,
      routes: { primaryWeight: 90, canaryWeight: 10 },
    });
  });

  it('reads relative weights exactly, never rounded onto a step weight', () => {
    expect(read([backend('web-primary', 9), backend('web-canary', 1)])).toEqual({
      ok: true,
      routes: { primaryWeight: 90, canaryWeight: 10 },
    });
    const near = read([backend('web-primary', 899), backend('web-canary', 101)]);
    expect(near).toEqual({ ok: true, routes: { primaryWeight: 89.9, canaryWeight: 10.1 } });
  });

  it('counts a missing weight as 1, the API default', () => {
    expect(read([backend('web-primary'), backend('web-canary')])).toEqual({
      ok: true,
      routes: { primaryWeight: 50, canaryWeight: 50 },
    });
  });

  it.each([
    ['no rule of ours', []],
    ['one backend', [backend('web-primary', 100)]],
    ['three backends', [backend('web-primary', 1), backend('web-canary', 1), backend('x', 1)]],
    ['a string weight', [backend('web-primary', 90), { ...backend('web-canary'), weight: '10' }]],
    ['a negative weight', [backend('web-primary', 90), backend('web-canary', -10)]],
    ['no traffic', [backend('web-primary', 0), backend('web-canary', 0)]],
  ])('is a problem to repair: %s', (_, refs) => {
    const reading = refs.length === 0 ? readRouteRoutes(route([FOREIGN_RULE]), names) : read(refs);
    expect(reading.ok).toBe(false);
  });
});

describe('with a baseline (spec.analysis.baseline)', () => {
  const based = routeNames(
    canary({ service: { port: 80, name: 'web' }, analysis: { stepWeights: [10], baseline: true } }),
  );

  it('our rule has three backendRefs: the baseline at the canary weight, the primary the rest', () => {
    expect(newRules(based, { primaryWeight: 90, canaryWeight: 10 })).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [
          backend('web-primary', 80),
          backend('web-canary', 10),
          backend('web-baseline', 10),
        ],
      },
    ]);
  });

  it('reads the canary weight back in the engine terms it was written in', () => {
    const live = route([
      FOREIGN_RULE,
      {
        backendRefs: [
          backend('web-primary', 60),
          backend('web-canary', 20),
          backend('web-baseline', 20),
        ],
      },
    ]);
    expect(readRouteRoutes(live, based)).toEqual({
      ok: true,
      routes: { primaryWeight: 80, canaryWeight: 20 },
    });
  });

  it.each([
    [
      'a baseline weight unlike the canary',
      [backend('web-primary', 70), backend('web-canary', 20), backend('web-baseline', 10)],
      "web-baseline's weight is not web-canary's",
    ],
    [
      'two backendRefs only',
      [backend('web-primary', 80), backend('web-canary', 20)],
      'our rule does not have exactly three backendRefs',
    ],
    [
      'no baseline among three',
      [backend('web-primary', 60), backend('web-canary', 20), backend('other', 20)],
      'backendRefs must be web-primary, web-canary, web-baseline with integer weights',
    ],
  ])('%s is a problem to repair, never a weight', (_what, refs, problem) => {
    expect(readRouteRoutes(route([{ backendRefs: refs }]), based)).toEqual({ ok: false, problem });
  });
});
