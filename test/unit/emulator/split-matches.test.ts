// TrafficSplit `matches` in the emulator: only the requests an HTTPRouteGroup matches are split;
// the rest go to the root Service.
import { describe, expect, it } from '@jest/globals';
import { routeTable } from '../../../dev/local/emulator/routes.js';
import {
  matchedBackends,
  resolveSplitMatches,
  smiMatchHolds,
} from '../../../dev/local/emulator/split-matches.js';
import type { TrafficSplitObject } from '../../../dev/local/emulator/objects.js';
import type { RouteGroupJson, SmiHttpMatch } from '../../../src/smi-adapter/route-group.js';

const NS = 'shop';
const get = { method: 'GET', path: '/', headers: {} };
const match = (m: Partial<SmiHttpMatch>): SmiHttpMatch => ({
  name: 'm',
  methods: [],
  headers: [],
  ...m,
});

const group = (name: string, version: string, matches: unknown): RouteGroupJson =>
  version === 'v1alpha3' || version === 'v1alpha4'
    ? {
        apiVersion: `specs.smi-spec.io/${version}`,
        kind: 'HTTPRouteGroup',
        metadata: { name, namespace: NS },
        spec: { matches },
      }
    : {
        apiVersion: `specs.smi-spec.io/${version}`,
        kind: 'HTTPRouteGroup',
        metadata: { name, namespace: NS },
        matches,
      };

const split = (matches?: unknown): TrafficSplitObject => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: { name: 'podinfo', namespace: NS },
  spec: {
    service: 'podinfo',
    backends: [
      { service: 'podinfo-primary', weight: 0 },
      { service: 'podinfo-canary', weight: 100 },
    ],
    ...(matches === undefined ? {} : { matches }),
  },
});

const insiders = group('insiders', 'v1alpha4', [
  { name: 'insider', headers: [{ 'x-canary': 'insider' }] },
]);

describe('one HTTPRouteGroup match', () => {
  it.each<[string, Partial<SmiHttpMatch>, typeof get, boolean]>([
    ['no condition: every request', {}, get, true],
    ['a method listed', { methods: ['POST', 'GET'] }, get, true],
    ['a method not listed', { methods: ['POST'] }, get, false],
    ['"*" is any method', { methods: ['*'] }, { ...get, method: 'DELETE' }, true],
    ['pathRegex anchored at the start', { pathRegex: '/api' }, { ...get, path: '/api/v1' }, true],
    ['pathRegex not at the start', { pathRegex: 'api' }, { ...get, path: '/api/v1' }, false],
    [
      'a header regex matches the whole value',
      { headers: [['x-canary', 'ins.*']] },
      { ...get, headers: { 'x-canary': 'insider' } },
      true,
    ],
    [
      'a header regex matching part of the value only',
      { headers: [['x-canary', 'insid']] },
      { ...get, headers: { 'x-canary': 'insider' } },
      false,
    ],
    ['an absent header', { headers: [['x-canary', '.*']] }, get, false],
    [
      'header names are case-insensitive',
      { headers: [['X-Canary', 'insider']] },
      { ...get, headers: { 'x-canary': 'insider' } },
      true,
    ],
    [
      'every header must match (AND)',
      {
        headers: [
          ['x-canary', 'insider'],
          ['x-team', 'a'],
        ],
      },
      { ...get, headers: { 'x-canary': 'insider', 'x-team': 'b' } },
      false,
    ],
    [
      'the cookie recipe',
      { headers: [['cookie', '^(.*?;\\s*)?(beta=1)(;.*)?$']] },
      { ...get, headers: { cookie: 'session=abc; beta=1' } },
      true,
    ],
  ])('%s', (_name, m, req, holds) => {
    expect(smiMatchHolds(match(m), req)).toBe(holds);
  });
});

describe("a split's matches", () => {
  it('none: undefined, every request is split', () => {
    expect(resolveSplitMatches(split().spec, () => undefined)).toBeUndefined();
    expect(resolveSplitMatches(split([]).spec, () => undefined)).toBeUndefined();
  });

  it('reads v1alpha3 and v1alpha4 groups, headers as a list of single-key maps or a map', () => {
    for (const version of ['v1alpha3', 'v1alpha4']) {
      const g = group('g', version, [
        { name: 'a', headers: [{ 'x-canary': 'insider' }] },
        { name: 'b', methods: ['POST'], headers: { 'x-team': 'a' } },
      ]);
      const r = resolveSplitMatches(split([{ kind: 'HTTPRouteGroup', name: 'g' }]).spec, () => g);
      expect(r?.problems).toEqual([]);
      expect(r?.matches.map((m) => [m.name, m.methods, m.headers])).toEqual([
        ['a', [], [['x-canary', 'insider']]],
        ['b', ['POST'], [['x-team', 'a']]],
      ]);
    }
  });

  it('a reference it cannot resolve matches nothing and is reported', () => {
    const unreadable = group('bad', 'v1alpha4', [{ name: 'x', pathRegex: 7 }]);
    const r = resolveSplitMatches(
      split([
        { kind: 'HTTPRouteGroup', name: 'missing' },
        { kind: 'HTTPRouteGroup', name: 'bad' },
        { kind: 'HTTPRouteGroup', name: 'insiders' },
        { kind: 'TCPRoute', name: 'insiders' },
      ]).spec,
      (n) => (n === 'bad' ? unreadable : n === 'insiders' ? insiders : undefined),
    );
    expect(r?.matches.map((m) => m.name)).toEqual(['insider']);
    expect(r?.problems).toEqual([
      'matches[0]: HTTPRouteGroup missing not found: it matches nothing',
      'matches[1]: HTTPRouteGroup bad matches[0].pathRegex is not a string: it matches nothing',
      'matches[3] is not an HTTPRouteGroup reference: it matches nothing',
    ]);
  });

  it('matching shares take the backends in proportion, the rest the root Service', () => {
    const backends = [
      { service: 'podinfo-primary', weight: 1 },
      { service: 'podinfo-canary', weight: 3 },
    ];
    const mix = [
      { percent: 20, method: 'GET', path: '/', headers: { 'x-canary': 'insider' } },
      { percent: 80, ...get },
    ];
    const m = [match({ headers: [['x-canary', 'insider']] })];
    expect(matchedBackends('podinfo', backends, m, mix)).toEqual([
      { service: 'podinfo-primary', weight: 5 },
      { service: 'podinfo-canary', weight: 15 },
      { service: 'podinfo', weight: 80 },
    ]);
    // Without a request mix every request is GET / without headers: none matches.
    expect(matchedBackends('podinfo', backends, m, undefined)).toEqual([
      { service: 'podinfo', weight: 100 },
    ]);
    // Matching requests whose backends all weigh 0 stay on the root Service.
    const zero = backends.map((b) => ({ ...b, weight: 0 }));
    expect(matchedBackends('podinfo', zero, m, mix)).toEqual([
      { service: 'podinfo', weight: 20 },
      { service: 'podinfo', weight: 80 },
    ]);
  });

  it('the routing table routes a split with matches by its groups and reports a dangling one', () => {
    const mix = [
      { percent: 20, method: 'GET', path: '/', headers: { 'x-canary': 'insider' } },
      { percent: 80, ...get },
    ];
    const problems: { object: string; message: string }[] = [];
    const table = routeTable(
      NS,
      [split([{ kind: 'HTTPRouteGroup', name: 'insiders' }])],
      [],
      () => true,
      problems,
      (s) => (s === 'podinfo' ? mix : undefined),
      [insiders],
    );
    expect(table.byApex.get('podinfo')?.backends).toEqual([
      { service: 'podinfo-primary', weight: 0 },
      { service: 'podinfo-canary', weight: 20 },
      { service: 'podinfo', weight: 80 },
    ]);
    expect(problems).toEqual([]);
    const dangling = routeTable(
      NS,
      [split([{ kind: 'HTTPRouteGroup', name: 'insiders' }])],
      [],
      () => true,
      problems,
    );
    expect(dangling.byApex.get('podinfo')?.backends).toEqual([{ service: 'podinfo', weight: 100 }]);
    expect(dangling.byApex.get('podinfo')?.problems).toEqual([
      'matches[0]: HTTPRouteGroup insiders not found: it matches nothing',
    ]);
  });
});
