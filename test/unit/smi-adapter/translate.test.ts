import { describe, expect, it } from '@jest/globals';
import type { RouteGroupJson } from '../../../src/smi-adapter/route-group.js';
import {
  REFUSAL_REASONS,
  translateSplit,
  type ServicePortsJson,
  type SplitJson,
} from '../../../src/smi-adapter/translate.js';
import { integerWeights } from '../../../src/smi-adapter/weights.js';

const NS = 'shop';
const services: Record<string, ServicePortsJson> = {
  web: { metadata: { name: 'web', namespace: NS }, spec: { ports: [{ port: 8080 }] } },
  multi: { metadata: { name: 'multi' }, spec: { ports: [{ port: 80 }, { port: 9090 }] } },
};

const split = (version: string, spec: Record<string, unknown>): SplitJson => ({
  apiVersion: `split.smi-spec.io/${version}`,
  kind: 'TrafficSplit',
  metadata: { name: 'web', namespace: NS },
  spec,
});

const translate = (s: SplitJson, groups: Record<string, RouteGroupJson> = {}) =>
  translateSplit({ split: s, service: (n) => services[n], group: (n) => groups[n] });

const ref = (name: string, weight: number) => ({
  group: '',
  kind: 'Service',
  name,
  port: 8080,
  weight,
});
const ALL = { path: { type: 'PathPrefix', value: '/' } };
const PARENT = [{ group: '', kind: 'Service', name: 'web', port: 8080 }];

describe('integerWeights', () => {
  it.each([
    [
      ['500m', '1'],
      [1, 2],
    ],
    [
      ['900m', '100m'],
      [9, 1],
    ],
    [
      ['1', '0'],
      [1, 0],
    ],
    [
      [0, 1],
      [0, 1],
    ],
    [
      [75, 25],
      [3, 1],
    ],
    [
      ['750m', 250],
      [3, 1000],
    ],
    [
      ['1.5', '500m', 1],
      [3, 1, 2],
    ],
    [
      ['1k', '1'],
      [1000, 1],
    ],
    [
      ['899m', '101m'],
      [899, 101],
    ],
  ])('%j -> %j (the same ratio, zero kept)', (values, weights) => {
    expect(integerWeights(values)).toEqual({ ok: true, weights });
  });

  it.each([
    [['lots', 1], /is not a quantity/],
    [['-1', 1], /negative/],
    [[0, '0m'], /routes no traffic/],
    [['1n', '1M'], /maximum weight 1000000; it is not rounded/],
  ])('refuses %j', (values, message) => {
    const r = integerWeights(values);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(message);
  });
});

describe('translateSplit: weights, every TrafficSplit version', () => {
  it.each([
    [
      'v1alpha1',
      [
        { service: 'web-v1', weight: '500m' },
        { service: 'web-v2', weight: '1' },
      ],
      [1, 2],
    ],
    [
      'v1alpha1',
      [
        { service: 'web-v1', weight: '900m' },
        { service: 'web-v2', weight: '100m' },
      ],
      [9, 1],
    ],
    [
      'v1alpha1',
      [
        { service: 'web-v1', weight: 5 },
        { service: 'web-v2', weight: '95' },
      ],
      [1, 19],
    ],
    [
      'v1alpha2',
      [
        { service: 'web-v1', weight: 90 },
        { service: 'web-v2', weight: 10 },
      ],
      [9, 1],
    ],
    [
      'v1alpha2',
      [
        { service: 'web-v1', weight: 1 },
        { service: 'web-v2', weight: 0 },
      ],
      [1, 0],
    ],
    [
      'v1alpha3',
      [
        { service: 'web-v1', weight: 0 },
        { service: 'web-v2', weight: 100 },
      ],
      [0, 1],
    ],
    [
      'v1alpha4',
      [
        { service: 'web-v1', weight: 75 },
        { service: 'web-v2', weight: 25 },
      ],
      [3, 1],
    ],
    // A v1alpha1 Quantity read through a v1alpha4 watch (conversion None): still a Quantity.
    [
      'v1alpha4',
      [
        { service: 'web-v1', weight: '250m' },
        { service: 'web-v2', weight: '750m' },
      ],
      [1, 3],
    ],
  ])('%s %j -> weights %j on one rule for every request', (version, backends, weights) => {
    expect(translate(split(version, { service: 'web', backends }))).toEqual({
      ok: true,
      spec: {
        parentRefs: PARENT,
        rules: [
          {
            matches: [ALL],
            backendRefs: backends.map((b, i) => ref(b.service, weights[i] ?? -1)),
          },
        ],
      },
    });
  });

  it('three backends, one of them at zero', () => {
    const r = translate(
      split('v1alpha2', {
        service: 'web',
        backends: [
          { service: 'a', weight: 50 },
          { service: 'b', weight: 0 },
          { service: 'c', weight: 25 },
        ],
      }),
    );
    expect(r.ok && r.spec.rules).toEqual([
      { matches: [ALL], backendRefs: [ref('a', 2), ref('b', 0), ref('c', 1)] },
    ]);
  });

  it.each([
    [
      { backends: [{ service: 'a', weight: 1 }] },
      REFUSAL_REASONS.rootService,
      /spec.service is empty/,
    ],
    [
      { service: 'nope', backends: [{ service: 'a', weight: 1 }] },
      REFUSAL_REASONS.rootService,
      /root Service nope not found/,
    ],
    [
      { service: 'multi', backends: [{ service: 'a', weight: 1 }] },
      REFUSAL_REASONS.rootPorts,
      /has 2 ports/,
    ],
    [{ service: 'web' }, REFUSAL_REASONS.backends, /spec.backends is empty/],
    [
      { service: 'web', backends: [{ weight: 1 }] },
      REFUSAL_REASONS.backends,
      /backends\[0\].service is empty/,
    ],
    [
      { service: 'web', backends: [{ service: 'a', weight: 0 }] },
      REFUSAL_REASONS.backends,
      /routes no traffic/,
    ],
    [
      { service: 'web', backends: [{ service: 'a', weight: '-5' }] },
      REFUSAL_REASONS.backends,
      /negative/,
    ],
    [
      {
        service: 'web',
        backends: Array.from({ length: 17 }, (_, i) => ({ service: `b${i}`, weight: 1 })),
      },
      REFUSAL_REASONS.backends,
      /17 backends; an HTTPRoute rule holds at most 16/,
    ],
  ])('refuses case %# with its reason and why', (spec, reason, message) => {
    const r = translate(split('v1alpha4', spec));
    expect(r).toEqual({ ok: false, reason, message: expect.stringMatching(message) });
  });
});

/** The same group in each HTTPRouteGroup version's wire shape. */
function group(version: string, matches: Record<string, unknown>[]): RouteGroupJson {
  const meta = { apiVersion: `specs.smi-spec.io/${version}`, kind: 'HTTPRouteGroup' };
  return version === 'v1alpha1' || version === 'v1alpha2'
    ? { ...meta, metadata: { name: 'insiders', namespace: NS }, matches }
    : { ...meta, metadata: { name: 'insiders', namespace: NS }, spec: { matches } };
}

const abSplit = (version: string) =>
  split(version, {
    service: 'web',
    matches: [{ kind: 'HTTPRouteGroup', name: 'insiders' }],
    backends: [
      { service: 'web-v1', weight: 0 },
      { service: 'web-v2', weight: 100 },
    ],
  });

const WEIGHTED = [ref('web-v1', 0), ref('web-v2', 1)];
const REST = { matches: [ALL], backendRefs: [ref('web', 1)] };

describe('translateSplit: matches, each HTTPRouteGroup wire shape', () => {
  it.each(['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'])(
    'HTTPRouteGroup %s: path regex and methods, one match per method, ahead of the rest',
    (version) => {
      const g = group(version, [{ name: 'api', methods: ['GET', 'POST'], pathRegex: '/api' }]);
      expect(translate(abSplit('v1alpha4'), { insiders: g })).toEqual({
        ok: true,
        spec: {
          parentRefs: PARENT,
          rules: [
            {
              matches: [
                { path: { type: 'RegularExpression', value: '^(?:/api).*$' }, method: 'GET' },
                { path: { type: 'RegularExpression', value: '^(?:/api).*$' }, method: 'POST' },
              ],
              backendRefs: WEIGHTED,
            },
            REST,
          ],
        },
      });
    },
  );

  it.each(['v1alpha2', 'v1alpha3', 'v1alpha4'])(
    'HTTPRouteGroup %s: headers as a list of single-key maps -> header matches (regex), ANDed',
    (version) => {
      const g = group(version, [
        { name: 'staff', headers: [{ 'x-canary': 'insider' }, { 'user-agent': '.*Firefox.*' }] },
        { name: 'any', methods: ['*'] },
      ]);
      const r = translate(abSplit('v1alpha3'), { insiders: g });
      expect(r.ok && r.spec.rules).toEqual([
        {
          matches: [
            {
              path: { type: 'PathPrefix', value: '/' },
              headers: [
                { type: 'RegularExpression', name: 'x-canary', value: 'insider' },
                { type: 'RegularExpression', name: 'user-agent', value: '.*Firefox.*' },
              ],
            },
            { path: { type: 'PathPrefix', value: '/' } },
          ],
          backendRefs: WEIGHTED,
        },
        REST,
      ]);
    },
  );

  it("reads the spec prose's header map too", () => {
    const g = group('v1alpha4', [{ name: 'staff', headers: { 'x-canary': 'insider' } }]);
    const r = translate(abSplit('v1alpha4'), { insiders: g });
    expect(r.ok && r.spec.rules[0]?.['matches']).toEqual([
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [{ type: 'RegularExpression', name: 'x-canary', value: 'insider' }],
      },
    ]);
  });

  it('ORs several groups into the matches of the weighted rules', () => {
    const a = group('v1alpha4', [{ name: 'a', pathRegex: '/a' }]);
    const b = { ...group('v1alpha4', [{ name: 'b', pathRegex: '/b' }]), metadata: { name: 'b' } };
    const s = abSplit('v1alpha4');
    s.spec = {
      ...s.spec,
      matches: [
        { kind: 'HTTPRouteGroup', name: 'insiders' },
        { kind: 'HTTPRouteGroup', name: 'b' },
      ],
    };
    const r = translate(s, { insiders: a, b });
    expect(r.ok && r.spec.rules[0]?.['matches']).toHaveLength(2);
    expect(r.ok && r.spec.rules).toHaveLength(2);
  });

  it('splits more than 64 matches over rules with the same backends', () => {
    const many = Array.from({ length: 70 }, (_, i) => ({ name: `m${i}`, pathRegex: `/p${i}` }));
    const r = translate(abSplit('v1alpha4'), { insiders: group('v1alpha4', many) });
    expect(r.ok && r.spec.rules.map((x) => (x['matches'] as unknown[]).length)).toEqual([64, 6, 1]);
  });

  it.each([
    [{}, REFUSAL_REASONS.groupMissing, /HTTPRouteGroup insiders not found/],
    [{ insiders: group('v1alpha4', []) }, REFUSAL_REASONS.match, /has no matches/],
    [
      { insiders: group('v1alpha4', [{ name: 'x', headers: [{ 'bad header': 'v' }] }]) },
      REFUSAL_REASONS.match,
      /is not an HTTP header name/,
    ],
    [
      { insiders: group('v1alpha4', [{ name: 'x', headers: [{ a: '1' }, { A: '2' }] }]) },
      REFUSAL_REASONS.match,
      /matched twice/,
    ],
    [
      { insiders: group('v1alpha4', [{ name: 'x', headers: [{ a: '' }] }]) },
      REFUSAL_REASONS.match,
      /empty/,
    ],
    [
      { insiders: group('v1alpha4', [{ name: 'x', headers: ['a'] }]) },
      REFUSAL_REASONS.match,
      /not a map/,
    ],
    [
      { insiders: group('v1alpha4', [{ name: 'x', methods: ['BREW'] }]) },
      REFUSAL_REASONS.match,
      /method BREW/,
    ],
    [
      {
        insiders: group(
          'v1alpha4',
          Array.from({ length: 128 }, (_, i) => ({ name: `m${i}`, pathRegex: `/${i}` })),
        ),
      },
      REFUSAL_REASONS.match,
      /more than HTTPRoute's 16 rules or 128 matches/,
    ],
  ])('refuses group case %# with its reason and why', (groups, reason, message) => {
    expect(translate(abSplit('v1alpha4'), groups as Record<string, RouteGroupJson>)).toEqual({
      ok: false,
      reason,
      message: expect.stringMatching(message),
    });
  });

  it('refuses a match that is not an SMI HTTPRouteGroup', () => {
    const s = abSplit('v1alpha4');
    s.spec = { ...s.spec, matches: [{ kind: 'TCPRoute', name: 'db' }] };
    expect(translate(s)).toEqual({
      ok: false,
      reason: REFUSAL_REASONS.match,
      message: expect.stringMatching(/only specs.smi-spec.io HTTPRouteGroup is translated/),
    });
  });
});
