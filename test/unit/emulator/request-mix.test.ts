import { describe, expect, it } from '@jest/globals';
import { evaluateHttpRoute } from '../../../dev/local/emulator/http-route.js';
import type { HttpRouteObject, ServiceObject } from '../../../dev/local/emulator/objects.js';
import {
  PLAIN_REQUEST,
  REQUEST_MIX_ANNOTATION,
  parseRequestMix,
} from '../../../dev/local/emulator/request-mix.js';
import { namespaceTopology } from '../../../dev/local/emulator/topology.js';

const NS = 'shop';

describe('parseRequestMix', () => {
  it('declared shares first, then the plain rest; header names lower-cased', () => {
    const value = JSON.stringify([
      { percent: 20, headers: { 'X-Canary': 'insider' } },
      { percent: 5, method: 'POST', path: '/api' },
    ]);
    expect(parseRequestMix(value)).toEqual({
      classes: [
        { percent: 20, method: 'GET', path: '/', headers: { 'x-canary': 'insider' } },
        { percent: 5, method: 'POST', path: '/api', headers: {} },
        { percent: 75, ...PLAIN_REQUEST },
      ],
    });
    expect(parseRequestMix(undefined)).toEqual({ classes: [{ percent: 100, ...PLAIN_REQUEST }] });
  });

  it.each([
    ['{', /not JSON/],
    ['{}', /not a JSON list/],
    ['[1]', /\[0\]: not an object/],
    ['[{"percent": 0}]', /percent must be a number in \(0, 100\]/],
    ['[{"percent": 10, "method": "BREW"}]', /unknown method BREW/],
    ['[{"percent": 10, "path": "api"}]', /path must start with \//],
    ['[{"percent": 10, "headers": {"a": 1}}]', /headers must map names to strings/],
    ['[{"percent": 60}, {"percent": 50}]', /add up to 110 > 100/],
  ])('ignores %s with a reason', (value, reason) => {
    const r = parseRequestMix(value);
    expect('problem' in r && r.problem).toMatch(reason);
    expect('problem' in r && r.problem).toMatch(/every request is GET \/$/);
  });
});

const ref = (name: string, weight = 1) => ({ group: '', kind: 'Service', name, port: 80, weight });

function route(rules: unknown[]): HttpRouteObject {
  return {
    metadata: { name: 'web', namespace: NS, generation: 1 },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }], rules },
  };
}

describe('evaluateHttpRoute: the rule each request takes (Gateway API precedence)', () => {
  const e = evaluateHttpRoute(
    route([
      {
        matches: [
          { headers: [{ type: 'RegularExpression', name: 'x-canary', value: 'insid.r' }] },
          { path: { type: 'PathPrefix', value: '/api' }, method: 'POST' },
        ],
        backendRefs: [ref('b')],
      },
      { matches: [{ path: { type: 'Exact', value: '/api/x' } }], backendRefs: [ref('c')] },
      {
        matches: [{ path: { type: 'RegularExpression', value: '/re.*' } }],
        backendRefs: [ref('d')],
      },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [ref('web')] },
    ]),
    () => true,
  );
  const to = (method: string, path: string, headers: Record<string, string> = {}) =>
    e.backendsFor({ method, path, headers })?.map((b) => b.service);

  it.each([
    ['GET', '/', {}, ['web']],
    ['GET', '/', { 'x-canary': 'insider' }, ['b']],
    ['GET', '/', { 'x-canary': 'outsider' }, ['web']], // a regex matches the whole value
    ['GET', '/', { 'x-canary': 'insider!' }, ['web']],
    ['POST', '/api/orders', {}, ['b']],
    ['POST', '/apiary', {}, ['web']], // PathPrefix matches whole path elements
    ['GET', '/api/orders', {}, ['web']],
    ['POST', '/api/x', {}, ['c']], // Exact beats PathPrefix
    ['GET', '/reports', {}, ['d']],
  ])('%s %s %j -> %j', (method, path, headers, backends) => {
    expect(to(method, path, headers)).toEqual(backends);
  });

  it('a request no rule matches takes none', () => {
    const only = evaluateHttpRoute(
      route([{ matches: [{ path: { type: 'Exact', value: '/x' } }], backendRefs: [ref('b')] }]),
      () => true,
    );
    expect(only.backendsFor(PLAIN_REQUEST)).toBeUndefined();
  });
});

describe('namespaceTopology with a request mix', () => {
  const svc = (name: string, annotations: Record<string, string> = {}): ServiceObject => ({
    metadata: { name, namespace: NS, annotations },
    spec: { selector: { app: name }, ports: [{ port: 80 }] },
  });
  const rules = [
    {
      matches: [{ headers: [{ type: 'RegularExpression', name: 'x-canary', value: 'insider' }] }],
      backendRefs: [ref('web-b', 0), ref('web-c', 1)],
    },
    { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [ref('web', 1)] },
  ];

  it("routes each share by its own rule: weights are share x the backend's part of its rule", () => {
    const mix = JSON.stringify([
      { percent: 20, headers: { 'x-canary': 'insider' } },
      { percent: 10, headers: { 'x-canary': 'outsider' } },
    ]);
    const { targets, problems } = namespaceTopology(
      {
        namespace: NS,
        services: [svc('web', { [REQUEST_MIX_ANNOTATION]: mix }), svc('web-b'), svc('web-c')],
        deployments: [],
        splits: [],
        httpRoutes: [route(rules)],
      },
      10,
    );
    expect(problems).toEqual([]);
    const web = targets.find((t) => t.service === 'web');
    expect(web?.backends.map((b) => [b.service, b.weight])).toEqual([
      ['web-b', 0],
      ['web-c', 20],
      ['web', 10],
      ['web', 70],
    ]);
  });

  it('a share no rule matches is not sent, and reported', () => {
    const onlyHeader = [rules[0]];
    const mix = JSON.stringify([{ percent: 20, headers: { 'x-canary': 'insider' } }]);
    const { targets, problems } = namespaceTopology(
      {
        namespace: NS,
        services: [svc('web', { [REQUEST_MIX_ANNOTATION]: mix }), svc('web-b'), svc('web-c')],
        deployments: [],
        splits: [],
        httpRoutes: [
          route([
            ...onlyHeader,
            { matches: [{ path: { type: 'Exact', value: '/' } }], backendRefs: [ref('web-b', 1)] },
          ]),
        ],
      },
      10,
    );
    expect(problems).toEqual([]);
    expect(
      targets.find((t) => t.service === 'web')?.backends.map((b) => [b.service, b.weight]),
    ).toEqual([
      // Exact "/" is more specific than the header rule's PathPrefix "/": the insiders take it too.
      ['web-b', 20],
      ['web-b', 80],
    ]);
    const none = namespaceTopology(
      {
        namespace: NS,
        services: [
          svc('web', { [REQUEST_MIX_ANNOTATION]: JSON.stringify([{ percent: 10, path: '/x' }]) }),
          svc('web-b'),
        ],
        deployments: [],
        splits: [],
        httpRoutes: [
          route([
            { matches: [{ path: { type: 'Exact', value: '/' } }], backendRefs: [ref('web-b', 1)] },
          ]),
        ],
      },
      10,
    );
    expect(none.problems).toEqual([
      { object: `HTTPRoute ${NS}/web`, message: 'no rule routes 10% of requests (GET /x {})' },
    ]);
  });

  it('a bad mix is reported and every request is GET /', () => {
    const { targets, problems } = namespaceTopology(
      {
        namespace: NS,
        services: [svc('web', { [REQUEST_MIX_ANNOTATION]: 'lots' }), svc('web-b'), svc('web-c')],
        deployments: [],
        splits: [],
        httpRoutes: [route(rules)],
      },
      10,
    );
    expect(problems).toContainEqual({
      object: `Service ${NS}/web`,
      message: `${REQUEST_MIX_ANNOTATION}="lots": not JSON; every request is GET /`,
    });
    expect(targets.find((t) => t.service === 'web')?.backends.map((b) => b.service)).toEqual([
      'web',
    ]);
  });
});
