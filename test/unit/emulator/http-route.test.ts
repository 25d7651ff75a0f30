import { describe, expect, it } from '@jest/globals';
import { EMULATOR_ANNOTATIONS as A } from '../../../dev/local/emulator/annotations.js';
import { evaluateHttpRoute } from '../../../dev/local/emulator/http-route.js';
import type { HttpRouteObject } from '../../../dev/local/emulator/objects.js';

const NS = 'shop';
const SERVICES = new Set(['web', 'web-primary', 'web-canary']);
const has = (name: string) => SERVICES.has(name);
const apex = { group: '', kind: 'Service', name: 'web', port: 9898 };

function route(
  spec: { parentRefs?: unknown; rules?: unknown },
  annotations?: Record<string, string>,
): HttpRouteObject {
  return {
    metadata: {
      name: 'web',
      namespace: NS,
      generation: 3,
      ...(annotations === undefined ? {} : { annotations }),
    },
    spec,
  };
}

const weighted = (weights: Record<string, number | undefined>) => [
  {
    backendRefs: Object.entries(weights).map(([name, weight]) => ({
      name,
      port: 9898,
      ...(weight === undefined ? {} : { weight }),
    })),
  },
];

describe('evaluateHttpRoute: weights', () => {
  it('reads the weighted backendRefs of the rule; a weight defaults to 1', () => {
    const e = evaluateHttpRoute(
      route({ parentRefs: [apex], rules: weighted({ 'web-primary': 80, 'web-canary': 20 }) }),
      has,
    );
    expect(e).toMatchObject({ name: 'web', generation: 3, problems: [] });
    expect(e.backends).toEqual([
      { service: 'web-primary', weight: 80 },
      { service: 'web-canary', weight: 20 },
    ]);
    const plain = evaluateHttpRoute(
      route({ parentRefs: [apex], rules: weighted({ web: undefined }) }),
      has,
    );
    expect(plain.backends).toEqual([{ service: 'web', weight: 1 }]);
  });

  it('takes the rule that GET / matches: header and other-path rules are not it, Exact beats PathPrefix', () => {
    const rules = [
      {
        matches: [{ headers: [{ name: 'x-canary', value: '1' }] }],
        backendRefs: [{ name: 'web-canary' }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [{ name: 'web-canary' }],
      },
      { backendRefs: [{ name: 'web-primary', weight: 5 }] },
      {
        matches: [{ path: { type: 'Exact', value: '/' } }],
        backendRefs: [{ name: 'web', weight: 7 }],
      },
    ];
    expect(evaluateHttpRoute(route({ parentRefs: [apex], rules }), has).backends).toEqual([
      { service: 'web', weight: 7 },
    ]);
    // Without the Exact rule, the first rule without matches (PathPrefix "/") takes it.
    expect(
      evaluateHttpRoute(route({ parentRefs: [apex], rules: rules.slice(0, 3) }), has).backends,
    ).toEqual([{ service: 'web-primary', weight: 5 }]);
  });

  it('routes nothing, and says so, when no rule matches GET /', () => {
    const e = evaluateHttpRoute(
      route({
        parentRefs: [apex],
        rules: [{ matches: [{ method: 'POST' }], backendRefs: [{ name: 'web' }] }],
      }),
      has,
    );
    expect(e.backends).toBeUndefined();
    expect(e.problems).toEqual(['no rule matches GET / (the emulated requests): no routing']);
  });
});

describe('evaluateHttpRoute: parents and conditions', () => {
  it('accepts a Service parent (group "" or core) and ignores Gateway parents', () => {
    const e = evaluateHttpRoute(
      route({
        parentRefs: [
          { name: 'edge' }, // a Gateway (the API's default kind): another controller's business
          apex,
          { group: 'core', kind: 'Service', name: 'web-primary' },
        ],
        rules: weighted({ 'web-primary': 1 }),
      }),
      has,
    );
    expect(e.parents.map((p) => [p.service, p.ref, p.accepted, p.resolvedRefs])).toEqual([
      [
        'web',
        apex,
        { status: 'True', reason: 'Accepted', message: 'accepted by the mesh emulator' },
        { status: 'True', reason: 'ResolvedRefs', message: 'all backendRefs resolved' },
      ],
      [
        'web-primary',
        { group: 'core', kind: 'Service', name: 'web-primary' },
        expect.objectContaining({ status: 'True' }),
        expect.objectContaining({ status: 'True' }),
      ],
    ]);
  });

  it('rejects on the annotation, with its value as the message (a default one when empty)', () => {
    const spec = { parentRefs: [apex], rules: weighted({ 'web-primary': 1 }) };
    expect(
      evaluateHttpRoute(route(spec, { [A.reject]: 'no thanks' }), has).parents[0]?.accepted,
    ).toEqual({
      status: 'False',
      reason: 'Rejected',
      message: 'no thanks',
    });
    expect(evaluateHttpRoute(route(spec, { [A.reject]: '' }), has).parents[0]?.accepted).toEqual({
      status: 'False',
      reason: 'Rejected',
      message: `rejected by the ${A.reject} annotation`,
    });
  });

  it('does not accept a parent Service that is missing or in another namespace', () => {
    const e = evaluateHttpRoute(
      route({
        parentRefs: [
          { group: '', kind: 'Service', name: 'gone' },
          { group: '', kind: 'Service', name: 'web', namespace: 'other' },
        ],
        rules: weighted({ web: 1 }),
      }),
      has,
    );
    expect(e.parents.map((p) => [p.accepted.status, p.accepted.reason])).toEqual([
      ['False', 'NoMatchingParent'],
      ['False', 'UnsupportedValue'],
    ]);
  });

  it('says ResolvedRefs=False for a missing backend (which keeps its share), a non-Service or another namespace', () => {
    const missing = evaluateHttpRoute(
      route({ parentRefs: [apex], rules: weighted({ 'web-primary': 90, 'web-gone': 10 }) }),
      has,
    );
    expect(missing.parents[0]?.accepted.status).toBe('True');
    expect(missing.parents[0]?.resolvedRefs).toEqual({
      status: 'False',
      reason: 'BackendNotFound',
      message: 'rules[0].backendRefs[1]: Service web-gone not found',
    });
    expect(missing.backends).toEqual([
      { service: 'web-primary', weight: 90 },
      { service: 'web-gone', weight: 10 },
    ]);
    // The routing table reports the missing Service (as for a TrafficSplit), not the evaluation.
    expect(missing.problems).toEqual([]);

    const foreign = evaluateHttpRoute(
      route({
        parentRefs: [apex],
        rules: [
          {
            backendRefs: [
              { group: 'example.com', kind: 'Bucket', name: 'b' },
              { name: 'web', namespace: 'other' },
              { name: 'web-primary' },
            ],
          },
        ],
      }),
      has,
    );
    expect(foreign.parents[0]?.resolvedRefs).toEqual({
      status: 'False',
      reason: 'InvalidKind',
      message:
        'rules[0].backendRefs[0]: Bucket is not a core Service; rules[0].backendRefs[1]: Service other/web is in another namespace',
    });
    expect(foreign.backends).toEqual([{ service: 'web-primary', weight: 1 }]);
    expect(foreign.problems).toHaveLength(2);
  });
});
