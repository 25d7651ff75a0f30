import { describe, expect, it } from '@jest/globals';
import { SarAuthorizer, type Attributes } from '../../../src/metrics-api/authz.js';
import type { ReviewClient } from '../../../src/metrics-api/review-client.js';
import { CachedTokenReviewer } from '../../../src/metrics-api/token-review.js';
import { manualClock } from '../metrics/fakes.js';

class CountingReviews implements ReviewClient {
  calls = 0;
  allowed = true;
  fail = false;
  release: (() => void) | undefined;
  gate: Promise<void> | undefined;
  async create<T>(): Promise<T> {
    this.calls += 1;
    if (this.gate !== undefined) await this.gate;
    if (this.fail) throw new Error('API server unreachable');
    return {
      status: { allowed: this.allowed, authenticated: true, user: { username: 'bob' } },
    } as T;
  }
}

const alice = { name: 'alice', groups: ['system:authenticated'], extra: {} };
const get: Attributes = {
  kind: 'resource',
  verb: 'get',
  resource: 'deployments',
  namespace: 'shop',
  name: 'web',
};

describe('SubjectAccessReview authorizer', () => {
  it('caches a decision for its TTL, per user and attributes', async () => {
    const clock = manualClock();
    const reviews = new CountingReviews();
    const authz = new SarAuthorizer(reviews, { allowedTtlMs: 10_000, now: clock.now });
    expect(await authz.authorize(alice, get)).toEqual({ allowed: true, reason: '' });
    await authz.authorize(alice, get);
    expect(reviews.calls).toBe(1);
    await authz.authorize({ ...alice, name: 'alice2' }, get);
    await authz.authorize(alice, { ...get, name: 'other' });
    expect(reviews.calls).toBe(3);
    clock.advance(10_001);
    reviews.allowed = false;
    expect((await authz.authorize(alice, get)).allowed).toBe(false);
    expect(reviews.calls).toBe(4);
  });

  it('shares one review between concurrent identical requests', async () => {
    const reviews = new CountingReviews();
    reviews.gate = new Promise((resolve) => (reviews.release = resolve));
    const authz = new SarAuthorizer(reviews);
    const both = Promise.all([authz.authorize(alice, get), authz.authorize(alice, get)]);
    reviews.release?.();
    expect((await both).map((d) => d.allowed)).toEqual([true, true]);
    expect(reviews.calls).toBe(1);
  });

  it('does not cache a failed review, and lets the failure through', async () => {
    const reviews = new CountingReviews();
    reviews.fail = true;
    const authz = new SarAuthorizer(reviews);
    await expect(authz.authorize(alice, get)).rejects.toThrow('API server unreachable');
    reviews.fail = false;
    expect((await authz.authorize(alice, get)).allowed).toBe(true);
    expect(reviews.calls).toBe(2);
  });

  it('caches token reviews by digest for their TTL', async () => {
    const clock = manualClock();
    const reviews = new CountingReviews();
    const tokens = new CachedTokenReviewer(reviews, { ttlMs: 5_000, now: clock.now });
    expect(await tokens.review('t')).toEqual({ name: 'bob', groups: [], extra: {} });
    await tokens.review('t');
    expect(reviews.calls).toBe(1);
    clock.advance(5_000);
    await tokens.review('t');
    expect(reviews.calls).toBe(2);
  });
});
