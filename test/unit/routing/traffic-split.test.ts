import { describe, expect, it } from '@jest/globals';
import { InvalidRoutesError } from '../../../src/routing/errors.js';
import { SPLIT_CODECS } from '../../../src/routing/smi.js';
import {
  desiredSpec,
  readRoutes,
  splitNames,
  splitPatch,
  validateRoutes,
  wholePercent,
  type LiveSplit,
} from '../../../src/routing/traffic-split.js';
import { WEIGHTED } from '../../../src/routing/types.js';
import { canary } from './fixtures.js';

const names = splitNames(canary({ service: { port: 80, name: 'web' } }));
const labels = {
  'weightlifter.io/canary': 'podinfo',
  'app.kubernetes.io/managed-by': 'weightlifter',
};

function live(backends: unknown, extra: Record<string, unknown> = {}): LiveSplit {
  return {
    metadata: { name: 'web', namespace: 'shop', labels },
    spec: { service: 'web', backends, ...extra },
  };
}

describe('splitNames', () => {
  it('names the split after the apex Service, backends <apex>-primary/-canary', () => {
    expect(names).toEqual({
      namespace: 'shop',
      name: 'web',
      apex: 'web',
      primary: 'web-primary',
      canary: 'web-canary',
    });
    expect(splitNames(canary()).apex).toBe('podinfo');
  });
});

describe('validateRoutes', () => {
  it.each([
    [100, 0],
    [0, 100],
    [95, 5],
  ])('accepts %d/%d', (p, c) => {
    expect(validateRoutes({ primaryWeight: p, canaryWeight: c })).toEqual({
      primaryWeight: p,
      canaryWeight: c,
    });
  });

  it.each([
    [90, 5],
    [101, -1],
    [99.5, 0.5],
    [Number.NaN, 100],
  ])('rejects %d/%d with a typed error', (p, c) => {
    expect(() => validateRoutes({ primaryWeight: p, canaryWeight: c })).toThrow(InvalidRoutesError);
  });
});

describe('desiredSpec', () => {
  const routes = { primaryWeight: 90, canaryWeight: 10 };

  it('writes v1alpha1 weights as integer Quantity strings', () => {
    expect(desiredSpec(SPLIT_CODECS.v1alpha1, names, routes, WEIGHTED)).toEqual({
      service: 'web',
      backends: [
        { service: 'web-primary', weight: '90' },
        { service: 'web-canary', weight: '10' },
      ],
      matches: null,
    });
  });

  it.each(['v1alpha2', 'v1alpha3', 'v1alpha4'] as const)('writes %s weights as integers', (v) => {
    const spec = desiredSpec(
      SPLIT_CODECS[v],
      names,
      { primaryWeight: 100, canaryWeight: 0 },
      WEIGHTED,
    );
    expect(spec['backends']).toEqual([
      { service: 'web-primary', weight: 100 },
      { service: 'web-canary', weight: 0 },
    ]);
  });

  it('references HTTPRouteGroups for header matching from v1alpha3 on', () => {
    const spec = desiredSpec(SPLIT_CODECS.v1alpha4, names, routes, {
      kind: 'headerMatch',
      routeGroups: ['beta-users'],
    });
    expect(spec['matches']).toEqual([
      { apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: 'beta-users' },
    ]);
  });
});

describe('readRoutes', () => {
  it.each([
    [
      'integers',
      [
        { service: 'web-primary', weight: 90 },
        { service: 'web-canary', weight: 10 },
      ],
      10,
    ],
    [
      'order-independent',
      [
        { service: 'web-canary', weight: 25 },
        { service: 'web-primary', weight: 75 },
      ],
      25,
    ],
    [
      'v1alpha1 milli-quantities',
      [
        { service: 'web-primary', weight: '900m' },
        { service: 'web-canary', weight: '100m' },
      ],
      10,
    ],
    [
      'relative weights',
      [
        { service: 'web-primary', weight: 3 },
        { service: 'web-canary', weight: 1 },
      ],
      25,
    ],
    [
      'all on canary',
      [
        { service: 'web-primary', weight: 0 },
        { service: 'web-canary', weight: '1' },
      ],
      100,
    ],
  ])('reads %s as percentages', (_what, backends, canaryWeight) => {
    expect(readRoutes(live(backends), names)).toEqual({
      ok: true,
      routes: { primaryWeight: 100 - canaryWeight, canaryWeight },
    });
  });

  // Exact, neither Math.round nor Math.floor: each row is one both would get wrong or one that
  // tells them apart.
  it.each([
    [899, 101, 10.1], // round and floor: 10, the step weight; the hand edit would stay
    [894, 106, 10.6], // round: 11, floor: 10
    [999, 1, 0.1], // round and floor: 0, "off the canary" while 0.1 % still goes there
    [1, 999, 99.9], // round: 100
    [9_999_999_999, 1, 0.000001], // below a millionth: reads as one, never as 0
    ['900m', '100m', 10],
    ['0.9', 0.1, 10],
    [2, 1, 33.333333],
  ])('reads %j/%j as exactly %d to the canary', (p, c, canaryWeight) => {
    const backends = [
      { service: 'web-primary', weight: p },
      { service: 'web-canary', weight: c },
    ];
    expect(readRoutes(live(backends), names)).toEqual({
      ok: true,
      routes: { primaryWeight: 100 - canaryWeight, canaryWeight },
    });
  });

  it.each([
    ['one backend', [{ service: 'web-primary', weight: 100 }]],
    [
      'three backends',
      [
        { service: 'web-primary', weight: 50 },
        { service: 'web-canary', weight: 25 },
        { service: 'x', weight: 25 },
      ],
    ],
    [
      'a foreign backend',
      [
        { service: 'web-primary', weight: 50 },
        { service: 'other', weight: 50 },
      ],
    ],
    [
      'no traffic at all',
      [
        { service: 'web-primary', weight: 0 },
        { service: 'web-canary', weight: 0 },
      ],
    ],
    [
      'a garbage weight',
      [
        { service: 'web-primary', weight: 'lots' },
        { service: 'web-canary', weight: 0 },
      ],
    ],
    ['no backends', undefined],
  ])('reports %s as a problem', (_what, backends) => {
    expect(readRoutes(live(backends), names)).toMatchObject({ ok: false });
  });
});

describe('wholePercent', () => {
  // Math.round, not floor: a half goes to the canary, 10.6 is 11.
  it.each([
    [10.1, 10],
    [10.5, 11],
    [10.6, 11],
    [0.1, 0],
    [99.5, 100],
    [25, 25],
  ])('writes a live %d back as %d', (canaryWeight, whole) => {
    expect(wholePercent({ primaryWeight: 100 - canaryWeight, canaryWeight })).toEqual({
      primaryWeight: 100 - whole,
      canaryWeight: whole,
    });
  });
});

describe('splitPatch (diff-then-patch)', () => {
  const spec = (v: keyof typeof SPLIT_CODECS, c: number) =>
    desiredSpec(SPLIT_CODECS[v], names, { primaryWeight: 100 - c, canaryWeight: c }, WEIGHTED);

  it('is empty when the live split already carries the desired spec', () => {
    const s = spec('v1alpha2', 10);
    expect(splitPatch(live(s['backends']), s, labels)).toBeUndefined();
  });

  it('treats another spelling of the same v1alpha1 weights as equal (no tug of war)', () => {
    const backends = [
      { service: 'web-primary', weight: 90 },
      { service: 'web-canary', weight: '10000m' },
    ];
    expect(splitPatch(live(backends), spec('v1alpha1', 10), labels)).toBeUndefined();
  });

  it('puts a split within rounding (899/101 for 90/10) back', () => {
    const edited = [
      { service: 'web-primary', weight: 899 },
      { service: 'web-canary', weight: 101 },
    ];
    expect(splitPatch(live(edited), spec('v1alpha2', 10), labels)).toEqual({
      spec: { backends: spec('v1alpha2', 10)['backends'] },
    });
  });

  it('puts drifted weights back, replacing the backends whole', () => {
    const drifted = [
      { service: 'web-primary', weight: 50 },
      { service: 'web-canary', weight: 50 },
    ];
    expect(splitPatch(live(drifted), spec('v1alpha2', 10), labels)).toEqual({
      spec: {
        backends: [
          { service: 'web-primary', weight: 90 },
          { service: 'web-canary', weight: 10 },
        ],
      },
    });
  });

  it('repairs a changed apex, removes matches and restores our labels', () => {
    const s = spec('v1alpha4', 0);
    const drifted: LiveSplit = {
      metadata: { name: 'web', namespace: 'shop', labels: { other: 'x' } },
      spec: {
        service: 'elsewhere',
        backends: s['backends'],
        matches: [{ kind: 'HTTPRouteGroup', name: 'g' }],
      },
    };
    expect(splitPatch(drifted, s, labels)).toEqual({
      metadata: { labels },
      spec: { service: 'web', matches: null },
    });
  });

  it('repairs a backend that gained an extra field', () => {
    const s = spec('v1alpha2', 0);
    const backends = [
      { service: 'web-primary', weight: 100, port: 80 },
      { service: 'web-canary', weight: 0 },
    ];
    expect(splitPatch(live(backends), s, labels)).toEqual({ spec: { backends: s['backends'] } });
  });
});

describe('with a baseline (spec.analysis.baseline)', () => {
  const based = splitNames(
    canary({ service: { port: 80, name: 'web' }, analysis: { stepWeights: [10], baseline: true } }),
  );
  const codec = SPLIT_CODECS.v1alpha4;

  it('names the third backend <apex>-baseline', () => {
    expect(based).toEqual({ ...names, baseline: 'web-baseline' });
  });

  it('writes three backends: the baseline at the canary weight, the primary the rest', () => {
    const spec = desiredSpec(codec, based, { primaryWeight: 90, canaryWeight: 10 }, WEIGHTED);
    expect(spec['backends']).toEqual([
      { service: 'web-primary', weight: 80 },
      { service: 'web-canary', weight: 10 },
      { service: 'web-baseline', weight: 10 },
    ]);
    const none = desiredSpec(codec, based, { primaryWeight: 100, canaryWeight: 0 }, WEIGHTED);
    expect(none['backends']).toEqual([
      { service: 'web-primary', weight: 100 },
      { service: 'web-canary', weight: 0 },
      { service: 'web-baseline', weight: 0 },
    ]);
  });

  it('refuses a canary weight above 50: the baseline has no equal share', () => {
    expect(() =>
      desiredSpec(codec, based, { primaryWeight: 40, canaryWeight: 60 }, WEIGHTED),
    ).toThrow(InvalidRoutesError);
  });

  it('reads the canary weight back in the engine terms it was written in', () => {
    const backends = [
      { service: 'web-primary', weight: 60 },
      { service: 'web-canary', weight: 20 },
      { service: 'web-baseline', weight: 20 },
    ];
    expect(readRoutes(live(backends), based)).toEqual({
      ok: true,
      routes: { primaryWeight: 80, canaryWeight: 20 },
    });
    // Relative weights: 3/1/1 is canary 20 %.
    const relative = [
      { service: 'web-primary', weight: '3' },
      { service: 'web-canary', weight: '1' },
      { service: 'web-baseline', weight: '1' },
    ];
    expect(readRoutes(live(relative), based)).toEqual({
      ok: true,
      routes: { primaryWeight: 80, canaryWeight: 20 },
    });
  });

  it.each([
    [
      'a baseline weight unlike the canary',
      [
        { service: 'web-primary', weight: 70 },
        { service: 'web-canary', weight: 20 },
        { service: 'web-baseline', weight: 10 },
      ],
      "web-baseline's weight is not web-canary's",
    ],
    [
      'two backends only',
      [
        { service: 'web-primary', weight: 80 },
        { service: 'web-canary', weight: 20 },
      ],
      'the split does not have exactly three backends',
    ],
    [
      'no baseline among three',
      [
        { service: 'web-primary', weight: 60 },
        { service: 'web-canary', weight: 20 },
        { service: 'other', weight: 20 },
      ],
      'backends must be web-primary, web-canary, web-baseline with weights',
    ],
  ])('%s is a problem to repair, never a weight', (_what, backends, problem) => {
    expect(readRoutes(live(backends), based)).toEqual({ ok: false, problem });
  });

  it('a baseline backend left on a Canary without a baseline is a problem to repair', () => {
    const backends = [
      { service: 'web-primary', weight: 60 },
      { service: 'web-canary', weight: 20 },
      { service: 'web-baseline', weight: 20 },
    ];
    expect(readRoutes(live(backends), names)).toEqual({
      ok: false,
      problem: 'the split does not have exactly two backends',
    });
  });
});
