import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import { LeaderElector } from '../../../src/kube/leader-election.js';
import type { Lease, LeaseSpec, LeaseStore } from '../../../src/kube/lease-store.js';
import { LeaderFence } from '../../../src/kube/write-fence.js';

/** One Lease in memory with the API server's compare-and-swap on resourceVersion. */
class MemoryLeaseStore implements LeaseStore {
  lease: Lease | undefined;
  down = false;
  /** Requests never answer (a stopped API server); they end only when their signal aborts. */
  hung = false;
  /** The signal of every request, in order. */
  readonly signals: AbortSignal[] = [];
  #rv = 0;

  get(signal?: AbortSignal): Promise<Lease | undefined> {
    if (signal !== undefined) this.signals.push(signal);
    if (this.hung) return hang(signal);
    if (this.down) return Promise.reject(new Error('connection refused'));
    return Promise.resolve(this.lease === undefined ? undefined : structuredClone(this.lease));
  }

  create(spec: LeaseSpec): Promise<Lease> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    if (this.lease !== undefined)
      return Promise.reject(new KubeApiError('POST', 'lease', 409, { reason: 'AlreadyExists' }));
    this.lease = {
      metadata: { name: 'l', namespace: 'ns', resourceVersion: String(++this.#rv) },
      spec,
    };
    return Promise.resolve(structuredClone(this.lease));
  }

  update(current: Lease, spec: LeaseSpec): Promise<Lease> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    if (current.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
      return Promise.reject(new KubeApiError('PUT', 'lease', 409, { reason: 'Conflict' }));
    }
    this.lease = { metadata: { ...current.metadata, resourceVersion: String(++this.#rv) }, spec };
    return Promise.resolve(structuredClone(this.lease));
  }
}

function candidate(
  name: string,
  store: LeaseStore,
  clock: ManualClock,
  extra: { monotonic?: () => number; timeline?: string[] } = {},
) {
  const log: string[] = [];
  let signal: AbortSignal | undefined;
  const elector = new LeaderElector({
    ...(extra.monotonic === undefined ? {} : { monotonic: extra.monotonic }),
    store,
    clock,
    identity: name,
    logger: pino({ level: 'silent' }),
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    random: () => 0,
    onStartedLeading: (s) => {
      signal = s;
      log.push('started');
      extra.timeline?.push(`${String(clock.now())} ${name} started`);
    },
    onStoppedLeading: () => {
      log.push('stopped');
      extra.timeline?.push(`${String(clock.now())} ${name} stopped`);
    },
  });
  return { elector, log, signal: () => signal };
}

/** Never settles; rejects when `signal` aborts, as KubeRawClient's requests do. */
function hang<T>(signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((_, reject) => {
    signal?.addEventListener('abort', () => {
      reject(new Error('aborted'));
    });
  });
}

/** One replica's own connection to a shared store: it alone can hang (a partition). */
class ReplicaView implements LeaseStore {
  hung = false;
  constructor(readonly store: MemoryLeaseStore) {}
  get(signal?: AbortSignal): Promise<Lease | undefined> {
    return this.hung ? hang(signal) : this.store.get(signal);
  }
  create(spec: LeaseSpec): Promise<Lease> {
    return this.store.create(spec);
  }
  update(current: Lease, spec: LeaseSpec, signal?: AbortSignal): Promise<Lease> {
    return this.hung ? hang(signal) : this.store.update(current, spec);
  }
}

describe('LeaderElector', () => {
  it('lets exactly one of two candidates lead, and hands over on release', async () => {
    const clock = new ManualClock();
    const store = new MemoryLeaseStore();
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    await clock.advance(30_000);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(store.lease?.spec?.holderIdentity).toBe('a');

    await a.elector.stop();
    expect(a.log).toEqual(['started', 'stopped']);
    expect(a.signal()?.aborted).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBeUndefined();
    await clock.advance(2_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBe('b');
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    await b.elector.stop();
  });

  it('takes over from a crashed leader only after the lease duration, measured on its own clock', async () => {
    const clock = new ManualClock();
    const store = new MemoryLeaseStore();
    // A lease held by a process that died without releasing; its renewTime is from another clock.
    store.lease = {
      metadata: { name: 'l', namespace: 'ns', resourceVersion: '100' },
      spec: {
        holderIdentity: 'dead',
        leaseDurationSeconds: 15,
        renewTime: '1999-01-01T00:00:00.000000Z',
      },
    };
    const b = candidate('b', store, clock);
    b.elector.start();
    await clock.advance(14_000);
    expect(b.elector.isLeader()).toBe(false);
    await clock.advance(2_000);
    expect(b.elector.isLeader()).toBe(true);
    await b.elector.stop();
  });

  it('steps down when it cannot renew within the renew deadline, and campaigns again', async () => {
    const clock = new ManualClock();
    const store = new MemoryLeaseStore();
    const a = candidate('a', store, clock);
    a.elector.start();
    await clock.advance(0);
    expect(a.elector.isLeader()).toBe(true);
    store.down = true;
    await clock.advance(8_000);
    expect(a.elector.isLeader()).toBe(true);
    await clock.advance(2_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.log).toEqual(['started', 'stopped']);
    expect(a.signal()?.aborted).toBe(true);
    store.down = false;
    await clock.advance(2_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.log).toEqual(['started', 'stopped', 'started']);
    await a.elector.stop();
  });

  it('a leader whose renewals hang steps down at the renew deadline, before a standby can take over', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLeaseStore();
    const timeline: string[] = [];
    const aView = new ReplicaView(store);
    const a = candidate('a', aView, clock, { timeline });
    const b = candidate('b', new ReplicaView(store), clock, { timeline });
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    await clock.advance(4_000); // a renewed by attempts that started at 2 000 and 4 000
    expect(a.elector.isLeader()).toBe(true);
    aView.hung = true; // only a's requests hang: the API server still answers b
    await clock.advance(9_999);
    expect(a.elector.isLeader()).toBe(true);
    await clock.advance(1);
    // 10 000 ms (renewDeadline) after the start of the last renewal that succeeded.
    expect(a.elector.isLeader()).toBe(false);
    expect(a.signal()?.aborted).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    await clock.advance(30_000);
    expect(b.elector.isLeader()).toBe(true);
    // b saw a's last renewal at 4 000 at the earliest and waited the 15 s lease.
    expect(timeline).toEqual(['0 a started', '14000 a stopped', '20000 b started']);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('aborts a renew request after the renew timeout and renews on the next attempt', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLeaseStore();
    const a = candidate('a', store, clock);
    a.elector.start();
    await clock.advance(0);
    store.hung = true;
    await clock.advance(2_000); // the renew attempt starts and hangs
    const hungSignal = store.signals.at(-1);
    expect(hungSignal?.aborted).toBe(false);
    await clock.advance(4_999);
    expect(hungSignal?.aborted).toBe(false);
    await clock.advance(1); // renewTimeout: half of the 10 s renew deadline
    expect(hungSignal?.aborted).toBe(true);
    store.hung = false;
    await clock.advance(2_000);
    expect(store.signals.at(-1)).not.toBe(hungSignal);
    expect(store.lease?.spec?.renewTime).toBe(new Date(9_000).toISOString().replace('Z', '000Z'));
    await clock.advance(20_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.log).toEqual(['started']);
    await a.elector.stop();
  });

  it('is no leader once the renew deadline has passed on its monotonic clock, before any timer runs', async () => {
    // A process woken from SIGSTOP runs I/O callbacks before its timers: the deadline must not
    // depend on the step-down timer having fired.
    const clock = new ManualClock(0);
    let mono = 0;
    const store = new MemoryLeaseStore();
    const a = candidate('a', store, clock, { monotonic: () => mono });
    const fence = new LeaderFence();
    a.elector.start();
    await clock.advance(0);
    fence.lead(a.signal() ?? AbortSignal.abort(), () => a.elector.isLeader());
    expect(fence.admit().aborted).toBe(false);
    mono += 9_999;
    expect(a.elector.isLeader()).toBe(true);
    mono += 1;
    expect(a.elector.isLeader()).toBe(false);
    expect(a.signal()?.aborted).toBe(false); // the timer has not run yet
    expect(() => fence.admit()).toThrow(expect.objectContaining({ code: 'WL_NOT_LEADER' }));
    await a.elector.stop();
  });

  it('releases nothing on stop after the deadline passed: it may be held by another replica', async () => {
    const clock = new ManualClock(0);
    let mono = 0;
    const store = new MemoryLeaseStore();
    const a = candidate('a', store, clock, { monotonic: () => mono });
    a.elector.start();
    await clock.advance(0);
    mono += 10_000;
    const before = structuredClone(store.lease);
    await a.elector.stop();
    expect(store.lease).toEqual(before);
    expect(a.log).toEqual(['started', 'stopped']);
  });

  it.each([
    [
      { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 },
      /renewDeadline must be shorter than leaseDuration/,
    ],
    [
      { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 },
      /retryPeriod must be shorter than renewDeadline/,
    ],
    [{ renewTimeoutMs: 10_000 }, /request timeout must be above 0 and shorter than renewDeadline/],
    [{ renewTimeoutMs: 0 }, /request timeout must be above 0/],
  ])('rejects unsafe timings %j', (timings, message) => {
    expect(
      () =>
        new LeaderElector({
          store: new MemoryLeaseStore(),
          logger: pino({ level: 'silent' }),
          ...timings,
          onStartedLeading: () => undefined,
          onStoppedLeading: () => undefined,
        }),
    ).toThrow(message);
  });
});

describe('LeaderFence', () => {
  it('admits writes only during a term whose lease is still held', () => {
    const fence = new LeaderFence();
    expect(() => fence.admit()).toThrow(expect.objectContaining({ code: 'WL_NOT_LEADER' }));
    const term = new AbortController();
    let holds = true;
    fence.lead(term.signal, () => holds);
    expect(fence.admit()).toBe(term.signal);
    holds = false;
    expect(() => fence.admit()).toThrow(expect.objectContaining({ code: 'WL_NOT_LEADER' }));
    holds = true;
    term.abort();
    expect(() => fence.admit()).toThrow(expect.objectContaining({ code: 'WL_NOT_LEADER' }));
  });
});
