import { describe, expect, it } from '@jest/globals';
import {
  canaryEndpoints,
  checkRouteChange,
  serviceEndpoints,
  type BackendEndpoints,
  type EndpointSliceJson,
} from '../../../src/routing/endpoints.js';
import { MemoryReader, canary } from './fixtures.js';

function slice(
  name: string,
  service: string,
  endpoints: { ready?: boolean | null; terminating?: boolean }[],
): EndpointSliceJson {
  return {
    metadata: { name, namespace: 'shop', labels: { 'kubernetes.io/service-name': service } },
    endpoints: endpoints.map((conditions, i) => ({ addresses: [`10.0.0.${i}`], conditions })),
  };
}

const slices = new MemoryReader([
  slice('a-1', 'podinfo-primary', [{ ready: true }, { ready: true }]),
  slice('a-2', 'podinfo-primary', [{ ready: false, terminating: true }]),
  slice('b-1', 'podinfo-canary', [{ ready: false }]),
  slice('c-1', 'podinfo-other', [{ ready: true }]),
  slice('d-1', 'nil-ready', [{ ready: null }]),
]);

describe('serviceEndpoints', () => {
  it('counts ready endpoints over every slice of the Service', () => {
    expect(serviceEndpoints(slices, 'shop', 'podinfo-primary')).toEqual({
      state: 'ready',
      ready: 2,
      notReady: 1,
    });
  });

  it('is notReady without ready endpoints, or below minReady', () => {
    expect(serviceEndpoints(slices, 'shop', 'podinfo-canary')).toMatchObject({ state: 'notReady' });
    expect(serviceEndpoints(slices, 'shop', 'missing')).toMatchObject({
      state: 'notReady',
      ready: 0,
    });
    expect(serviceEndpoints(slices, 'shop', 'podinfo-primary', { minReady: 3 })).toMatchObject({
      state: 'notReady',
      reason: expect.stringMatching(/2 ready endpoint\(s\), needs 3/) as unknown,
    });
  });

  it('with settled, waits until terminating endpoints are gone', () => {
    expect(serviceEndpoints(slices, 'shop', 'podinfo-primary', { settled: true })).toMatchObject({
      state: 'notReady',
    });
  });

  it('reads a nil ready condition as ready (API contract)', () => {
    expect(serviceEndpoints(slices, 'shop', 'nil-ready').state).toBe('ready');
  });

  it('is unknown (never blocking) when the cluster has no EndpointSlices', () => {
    expect(serviceEndpoints(undefined, 'shop', 'podinfo-primary').state).toBe('unknown');
  });

  it('finds both backends of a canary', () => {
    const ep = canaryEndpoints(canary(), slices);
    expect(ep.primary.state).toBe('ready');
    expect(ep.canary.state).toBe('notReady');
  });
});

describe('checkRouteChange', () => {
  const ready: BackendEndpoints = { state: 'ready', ready: 1, notReady: 0 };
  const down: BackendEndpoints = { state: 'notReady', ready: 0, notReady: 1, reason: 'no pods' };
  const unknown: BackendEndpoints = { state: 'unknown', reason: 'no slices' };
  const r = (c: number) => ({ primaryWeight: 100 - c, canaryWeight: c });

  const table: [
    string,
    ReturnType<typeof r> | null,
    number,
    BackendEndpoints,
    BackendEndpoints,
    false | 'primary' | 'canary',
  ][] = [
    ['first weight to an unready canary', r(0), 10, ready, down, 'canary'],
    ['first weight to a ready canary', r(0), 10, ready, ready, false],
    ['rollback to a ready primary', r(50), 0, ready, down, false],
    [
      'promotion back to a primary without ready endpoints (#1826)',
      r(50),
      0,
      down,
      ready,
      'primary',
    ],
    ['lowering canary weight while it is unready', r(50), 20, ready, down, false],
    ['keeping the weight', r(10), 10, ready, down, false],
    ['creating a split with primary weight on an unready primary', null, 0, down, ready, 'primary'],
    ['no EndpointSlices in the cluster', r(0), 50, unknown, unknown, false],
  ];
  it.each(table)('%s', (_what, current, c, primary, canaryEp, blocked) => {
    const check = checkRouteChange(current, r(c), { primary, canary: canaryEp });
    if (blocked === false) expect(check).toEqual({ allowed: true });
    else expect(check).toMatchObject({ allowed: false, backend: blocked });
  });

  it('with a baseline: the baseline must be ready when the canary weight goes up, not when it goes down', () => {
    const withBase = { primary: ready, canary: ready, baseline: down };
    expect(checkRouteChange(r(10), r(20), withBase)).toEqual({
      allowed: false,
      backend: 'baseline',
      reason: 'no pods',
    });
    expect(checkRouteChange(r(20), r(0), withBase)).toEqual({ allowed: true });
    expect(checkRouteChange(r(10), r(20), { ...withBase, baseline: ready })).toEqual({
      allowed: true,
    });
  });

  it('canaryEndpoints reads the -baseline Service only for a Canary with a baseline', () => {
    const based = canary({ analysis: { stepWeights: [10], baseline: true } });
    const withSlices = new MemoryReader([slice('e-1', 'podinfo-baseline', [{ ready: true }])]);
    expect(canaryEndpoints(based, withSlices).baseline).toEqual({
      state: 'ready',
      ready: 1,
      notReady: 0,
    });
    expect(canaryEndpoints(canary(), withSlices).baseline).toBeUndefined();
  });
});
