// A/B over Gateway API: spec.analysis.match as HTTPRoute matches, the A/B rule in front of the
// weighted rule during a run, and its removal afterwards (the HTTPRoute router against an
// in-memory cache and a recording stand-in for our KubeRawClient).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parse } from 'yaml';
import { evaluateHttpRoute } from '../../../dev/local/emulator/http-route.js';
import type { Canary, HttpMatch } from '../../../src/api/canary.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { httpRouteMatches, regexLiteral } from '../../../src/routing/ab-rule.js';
import { createTrafficRouter } from '../../../src/routing/factory.js';
import { HttpRouteRouter } from '../../../src/routing/gateway-router.js';
import {
  newRules,
  readRouteRoutes,
  routeNames,
  rulesWithOurs,
  withoutAbRules,
  type LiveRoute,
} from '../../../src/routing/http-route.js';
import { SmiTrafficSplitRouter } from '../../../src/routing/smi.js';
import { assertStrategySupported } from '../../../src/routing/strategy.js';
import { trafficStrategyOf, type Router } from '../../../src/routing/types.js';
import { conditionReasonOf } from '../../../src/workload/errors.js';
import { canary, MemoryReader } from './fixtures.js';

const INSIDER: HttpMatch[] = [{ headers: { 'x-canary': { exact: 'insider' } } }];
const ab = canary({
  service: { port: 80, name: 'web' },
  analysis: { iterations: 3, match: INSIDER },
});
const web = canary({ service: { port: 80, name: 'web' } });
const names = routeNames(web);
const ANY = { type: 'PathPrefix', value: '/' };
const AB_MATCHES = [
  { path: ANY, headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] },
];

const SERVICE = { group: '', kind: 'Service', port: 80 };
const ref = (name: string, weight: number) => ({ ...SERVICE, name, weight });
const refs = (p: number, c: number) => [ref('web-primary', p), ref('web-canary', c)];
const weightedRule = (p: number, c: number) => ({
  matches: [{ path: ANY }],
  backendRefs: refs(p, c),
});
const abRule = (p: number, c: number) => ({ matches: AB_MATCHES, backendRefs: refs(p, c) });
const FOREIGN_RULE = {
  matches: [{ path: { type: 'PathPrefix', value: '/admin' } }],
  backendRefs: [{ group: '', kind: 'Service', name: 'admin', port: 8080, weight: 1 }],
};

function route(rules: unknown[]): LiveRoute {
  return {
    metadata: {
      name: 'web',
      namespace: 'shop',
      resourceVersion: '7',
      ownerReferences: [
        {
          apiVersion: 'weightlifter.io/v1alpha1',
          kind: 'Canary',
          name: 'podinfo',
          uid: 'uid-1',
          controller: true,
        },
      ],
    },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }], rules },
  };
}

/** The rules each write sends (create or patch). */
function harness(objects: LiveRoute[], subject: Canary) {
  const sent: unknown[] = [];
  const record = (_path: string, body: { spec?: { rules?: unknown } }) => {
    sent.push(body.spec?.rules);
    return Promise.resolve(body);
  };
  const raw = { create: record, patch: record } as unknown as KubeRawClient;
  const match = subject.spec.analysis?.match ?? null;
  const routes = new MemoryReader<LiveRoute>(objects);
  const router = new HttpRouteRouter(subject, {
    raw,
    routes,
    logger: pino({ level: 'silent' }),
    version: 'v1',
    match,
  });
  return { sent, router };
}

describe('httpRouteMatches', () => {
  it('is one Gateway API match per entry, path prefix "/" spelled out, headers sorted by name', () => {
    const match: HttpMatch[] = [
      { headers: { 'x-b': { exact: '2' }, 'x-a': { regex: '^a+$' } } },
      { pathRegex: '/api/v[0-9]+/.*' },
    ];
    expect(httpRouteMatches(match)).toEqual([
      {
        path: ANY,
        headers: [
          { type: 'RegularExpression', name: 'x-a', value: '^a+$' },
          { type: 'Exact', name: 'x-b', value: '2' },
        ],
      },
      { path: { type: 'RegularExpression', value: '/api/v[0-9]+/.*' } },
    ]);
  });

  it('writes a prefix as an anchored regular expression of the literal prefix', () => {
    expect(httpRouteMatches([{ headers: { 'user-agent': { prefix: 'curl/8.' } } }])).toEqual([
      {
        path: ANY,
        headers: [{ type: 'RegularExpression', name: 'user-agent', value: '^curl/8\\..*' }],
      },
    ]);
    expect(regexLiteral('a.b*c(d)[e]{f}|g^h$i+j?k\\l')).toBe(
      'a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\+j\\?k\\\\l',
    );
  });

  it('expands methods into one match each, every other field of the entry ANDed in each', () => {
    const match: HttpMatch[] = [
      { methods: ['GET', 'HEAD'], headers: { 'x-canary': { exact: 'insider' } } },
    ];
    const headers = [{ type: 'Exact', name: 'x-canary', value: 'insider' }];
    expect(httpRouteMatches(match)).toEqual([
      { path: ANY, headers, method: 'GET' },
      { path: ANY, headers, method: 'HEAD' },
    ]);
  });
});

describe('the A/B rule on the HTTPRoute', () => {
  it('goes in front of the weighted rule while the canary has the matching requests', async () => {
    const { sent, router } = harness([route([FOREIGN_RULE, weightedRule(100, 0)])], ab);
    expect(await router.setRoutes(0, 100)).toEqual({ action: 'patched' });
    expect(sent).toEqual([[FOREIGN_RULE, abRule(0, 100), weightedRule(100, 0)]]);
  });

  it('is created with the route when a run routes before the route exists', async () => {
    const { sent, router } = harness([], ab);
    await router.setRoutes(0, 100);
    expect(sent).toEqual([[abRule(0, 100), weightedRule(100, 0)]]);
  });

  it('is removed when the run ends (promoted, failed or aborted: canary weight 0)', async () => {
    const { sent, router } = harness(
      [route([FOREIGN_RULE, abRule(0, 100), weightedRule(100, 0)])],
      ab,
    );
    await router.setRoutes(100, 0);
    expect(sent).toEqual([[FOREIGN_RULE, weightedRule(100, 0)]]);
  });

  it('carries the promotion steps of the matching requests (stepWeightPromotion)', async () => {
    const { sent, router } = harness([route([abRule(0, 100), weightedRule(100, 0)])], ab);
    await router.setRoutes(60, 40);
    expect(sent).toEqual([[abRule(60, 40), weightedRule(100, 0)]]);
  });

  it('is removed by a Canary that no longer has a match, whatever its weights', async () => {
    const { sent, router } = harness([route([abRule(0, 100), weightedRule(100, 0)])], web);
    expect(router.getRoutes()).toBeNull();
    await router.setRoutes(100, 0);
    expect(sent).toEqual([[weightedRule(100, 0)]]);
  });

  it('is replaced when spec.analysis.match changed', async () => {
    const old = { matches: [{ path: ANY, method: 'GET' }], backendRefs: refs(0, 100) };
    const { sent, router } = harness([route([old, weightedRule(100, 0)])], ab);
    await router.setRoutes(0, 100);
    expect(sent).toEqual([[abRule(0, 100), weightedRule(100, 0)]]);
  });
});

describe('reading an A/B route back', () => {
  const read = (rules: unknown[], match: unknown[] | null = AB_MATCHES) =>
    readRouteRoutes(route(rules), names, match as never);

  it('reads the matching requests’ weights from the A/B rule', () => {
    expect(read([abRule(0, 100), weightedRule(100, 0)])).toEqual({
      ok: true,
      routes: { primaryWeight: 0, canaryWeight: 100 },
    });
    expect(read([weightedRule(100, 0)])).toEqual({
      ok: true,
      routes: { primaryWeight: 100, canaryWeight: 0 },
    });
  });

  it.each([
    [
      'non-matching requests on the canary, with an A/B rule',
      [abRule(0, 100), weightedRule(50, 50)],
      AB_MATCHES,
    ],
    ['non-matching requests on the canary, without one', [weightedRule(0, 100)], AB_MATCHES],
    [
      'an A/B rule with other matches',
      [{ ...abRule(0, 100), matches: [{ path: ANY, method: 'GET' }] }, weightedRule(100, 0)],
      AB_MATCHES,
    ],
    ['two A/B rules', [abRule(0, 100), abRule(0, 100), weightedRule(100, 0)], AB_MATCHES],
    ['an A/B rule on a Canary without match', [abRule(0, 100), weightedRule(100, 0)], null],
  ])('is a problem to repair: %s', (_name, rules, match) => {
    expect(read(rules, match).ok).toBe(false);
  });

  it('gives a taken-over route back without its A/B rule', async () => {
    const apexRefs = [{ ...SERVICE, name: 'web', weight: 1 }];
    const record = JSON.stringify({ canary: 'podinfo', backendRefs: apexRefs });
    const taken = route([FOREIGN_RULE, abRule(0, 100), weightedRule(100, 0)]);
    taken.metadata = {
      ...taken.metadata,
      ownerReferences: [],
      annotations: { 'weightlifter.io/takeover': 'true', 'weightlifter.io/taken-over': record },
    };
    const { sent, router } = harness([taken], ab);
    await router.finalize();
    expect(sent).toEqual([[FOREIGN_RULE, { ...weightedRule(100, 0), backendRefs: apexRefs }]]);
  });

  it('keeps every rule that is not an A/B rule of ours when giving a route back', () => {
    expect(withoutAbRules([FOREIGN_RULE, abRule(0, 100), weightedRule(100, 0)], names)).toEqual([
      FOREIGN_RULE,
      weightedRule(100, 0),
    ]);
  });
});

describe('the A/B strategy', () => {
  it('is abMatch for a Canary with spec.analysis.match, weighted without', () => {
    expect(trafficStrategyOf(ab)).toEqual({ kind: 'abMatch', match: INSIDER });
    expect(trafficStrategyOf(web)).toEqual({ kind: 'weighted' });
  });

  it('is refused over SMI v1alpha1 and v1alpha2 (no matches) with UnsupportedStrategy; v1alpha3 and v1alpha4 take it', () => {
    for (const version of ['v1alpha1', 'v1alpha2'] as const) {
      let err: unknown;
      try {
        assertStrategySupported(trafficStrategyOf(ab), version);
      } catch (e) {
        err = e;
      }
      expect(conditionReasonOf(err)).toBe('UnsupportedStrategy');
      expect((err as Error).message).toMatch(
        new RegExp(
          `spec\\.analysis\\.match .* needs TrafficSplit v1alpha3 or later .*serves ${version}`,
        ),
      );
    }
    for (const version of ['v1alpha3', 'v1alpha4'] as const) {
      expect(() => {
        assertStrategySupported(trafficStrategyOf(ab), version);
      }).not.toThrow();
    }
  });

  it('over SMI v1alpha3+, needs HTTPRouteGroup served in that version, else UnsupportedStrategy before anything is written', async () => {
    const smi = (groups: readonly ('v1alpha3' | 'v1alpha4')[]) =>
      new SmiTrafficSplitRouter({
        raw: {} as unknown as KubeRawClient,
        logger: pino({ level: 'silent' }),
        versions: { served: () => Promise.resolve(['v1alpha4'] as const) },
        routeGroupVersions: { served: () => Promise.resolve(groups) },
        watched: 'v1alpha4',
      });
    const read = () => new MemoryReader();
    let err: unknown;
    try {
      await smi(['v1alpha3']).forCanary(ab, read, trafficStrategyOf(ab));
    } catch (e) {
      err = e;
    }
    expect(conditionReasonOf(err)).toBe('UnsupportedStrategy');
    expect((err as Error).message).toContain(
      'needs HTTPRouteGroup v1alpha4 (specs.smi-spec.io), which the cluster does not serve (served: v1alpha3)',
    );
    await expect(
      smi(['v1alpha4']).forCanary(ab, read, trafficStrategyOf(ab)),
    ).resolves.toBeDefined();
    // A Canary without a match never asks.
    await expect(smi([]).forCanary(web, read, trafficStrategyOf(web))).resolves.toBeDefined();
  });

  it('is what createTrafficRouter asks the serving router for', async () => {
    const asked: unknown[] = [];
    const router = {
      serves: () => true,
      forCanary: (_c: Canary, _r: unknown, strategy: unknown) => {
        asked.push(strategy);
        return Promise.resolve({});
      },
    } as unknown as Router;
    await createTrafficRouter(ab, { routers: [router], read: () => new MemoryReader() });
    expect(asked).toEqual([{ kind: 'abMatch', match: INSIDER }]);
  });
});

describe('examples/canary-ab.yaml on the emulated GAMMA mesh', () => {
  // The example's A/B rule as weightlifter writes it mid-run, read by the mesh emulator (which
  // matches regular expressions against the whole value, as Envoy does).
  const example = parse(
    readFileSync(
      fileURLToPath(new URL('../../../examples/canary-ab.yaml', import.meta.url)),
      'utf8',
    ),
  ) as Canary;
  const exampleNames = routeNames(example);
  const rules = newRules(
    exampleNames,
    { primaryWeight: 0, canaryWeight: 100 },
    httpRouteMatches(example.spec.analysis?.match ?? []),
  );
  const evaluation = evaluateHttpRoute(
    {
      metadata: { name: 'storefront', namespace: 'shop', generation: 1 },
      spec: { parentRefs: [{ group: '', kind: 'Service', name: 'storefront', port: 80 }], rules },
    },
    () => true,
  );
  const backendOf = (headers: Record<string, string>, method = 'GET', path = '/') =>
    evaluation.backendsFor({ method, path, headers })?.find((b) => b.weight > 0)?.service;

  it.each([
    [{ 'x-canary': 'insider' }, 'storefront-canary'],
    [{ cookie: 'insider=1' }, 'storefront-canary'],
    [{ cookie: 'session=abc; insider=1' }, 'storefront-canary'],
    [{ cookie: 'insider=1; session=abc' }, 'storefront-canary'],
    [{ cookie: 'a=b;insider=1;c=d' }, 'storefront-canary'],
    [{}, 'storefront-primary'],
    [{ 'x-canary': 'outsider' }, 'storefront-primary'],
    [{ cookie: 'insider=10' }, 'storefront-primary'],
    [{ cookie: 'notinsider=1' }, 'storefront-primary'],
    [{ cookie: 'session=insider=1x' }, 'storefront-primary'],
  ])('%j goes to %s', (headers, backend) => {
    expect(backendOf(headers)).toBe(backend);
    expect(backendOf(headers, 'POST', '/cart/items')).toBe(backend);
  });
});

describe('an A/B rule on a taken-over route, on the emulated GAMMA mesh', () => {
  // The author's rule keeps its matches (PathPrefix /api); the A/B rule does not copy them, so
  // Gateway API's precedence (the longer prefix first) keeps matching /api requests on it.
  const author = {
    matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
    backendRefs: [{ ...SERVICE, name: 'web', weight: 1 }],
  };
  const rules = rulesWithOurs(
    route([author]),
    names,
    { primaryWeight: 0, canaryWeight: 100 },
    true,
    AB_MATCHES,
  );
  const evaluation = evaluateHttpRoute(
    {
      metadata: { name: 'web', namespace: 'shop', generation: 1 },
      spec: { parentRefs: [], rules },
    },
    () => true,
  );
  const backendOf = (path: string) =>
    evaluation
      .backendsFor({ method: 'GET', path, headers: { 'x-canary': 'insider' } })
      ?.find((b) => b.weight > 0)?.service;

  it('sends matching requests on the author’s more specific path by the author’s rule (primary)', () => {
    expect(rules).toEqual([abRule(0, 100), { ...author, backendRefs: refs(100, 0) }]);
    expect(backendOf('/api/orders')).toBe('web-primary');
    expect(backendOf('/')).toBe('web-canary');
  });
});
