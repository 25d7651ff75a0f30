import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ManualClock } from '../../../src/controller/manual-clock.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import { LeaderElector } from '../../../src/kube/leader-election.js';
import type { Lease, LeaseSpec, LeaseStore } from '../../../src/kube/lease-store.js';

/** One Lease in memory with the API server's compare-and-swap on resourceVersion. */
class MemoryLeaseStore implements LeaseStore {
  lease: Lease | undefined;
  down = false;
  #rv = 0;

  get(): Promise<Lease | undefined> {
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

function candidate(name: string, store: LeaseStore, clock: ManualClock) {
  const log: string[] = [];
  let signal: AbortSignal | undefined;
  const elector = new LeaderElector({
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
    },
    onStoppedLeading: () => log.push('stopped'),
  });
  return { elector, log, signal: () => signal };
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

  it('rejects a renew deadline that is not shorter than the lease', () => {
    expect(
      () =>
        new LeaderElector({
          store: new MemoryLeaseStore(),
          logger: pino({ level: 'silent' }),
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
          onStartedLeading: () => undefined,
          onStoppedLeading: () => undefined,
        }),
    ).toThrow(RangeError);
  });
});
