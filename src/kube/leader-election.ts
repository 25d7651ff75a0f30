import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { withJitter } from '../controller/backoff.js';
import { isAborted, sleep, systemClock, type Clock } from '../controller/clock.js';
import type { Lease, LeaseSpec, LeaseStore } from './lease-store.js';
import { microTime } from './time.js';

export interface LeaderMetricsSink {
  setLeader(leading: boolean): void;
}

export interface LeaderElectionOptions {
  readonly store: LeaseStore;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** @default `${hostname()}_${process.pid}` */
  readonly identity?: string;
  /** How long a lease is valid without renewal; candidates wait this long. @default 15_000 */
  readonly leaseDurationMs?: number;
  /** The leader gives up if it cannot renew for this long (< leaseDuration). @default 10_000 */
  readonly renewDeadlineMs?: number;
  /** Pause between acquire/renew attempts. @default 2_000 */
  readonly retryPeriodMs?: number;
  /** Called on becoming leader; `signal` aborts when leadership ends. */
  readonly onStartedLeading: (signal: AbortSignal) => void;
  readonly onStoppedLeading: () => void;
  readonly onNewLeader?: (identity: string) => void;
  readonly random?: () => number;
  readonly metrics?: LeaderMetricsSink;
}

export function defaultIdentity(): string {
  return `${hostname()}_${process.pid}`;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, following client-go: a lease is expired when
 * its record has not changed for leaseDuration *as observed on our own clock* (so clock skew
 * between replicas does not matter); writes are compare-and-swap; the leader renews every
 * retryPeriod and steps down if renewals fail for renewDeadline; stop() releases the lease so a
 * standby takes over at its next retry instead of after leaseDuration.
 */
export class LeaderElector {
  readonly identity: string;
  readonly #o: Required<Omit<LeaderElectionOptions, 'onNewLeader' | 'metrics' | 'identity'>> &
    Pick<LeaderElectionOptions, 'onNewLeader' | 'metrics'>;
  readonly #log: Logger;
  #observed: { spec: LeaseSpec; at: number } | undefined;
  #lease: Lease | undefined;
  #leading: AbortController | undefined;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #lastLeader: string | undefined;
  #failing = false;

  constructor(opts: LeaderElectionOptions) {
    this.identity = opts.identity ?? defaultIdentity();
    this.#o = {
      clock: systemClock,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      random: Math.random,
      ...opts,
    };
    if (this.#o.renewDeadlineMs >= this.#o.leaseDurationMs) {
      throw new RangeError('renewDeadlineMs must be shorter than leaseDurationMs');
    }
    this.#log = opts.logger.child({ lease: this.identity });
  }

  isLeader(): boolean {
    return this.#leading !== undefined;
  }

  /** Campaigns in the background until stop(); leads again after losing the lease. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops campaigning; a leader releases the lease and gets onStoppedLeading. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    if (this.#leading !== undefined) {
      await this.#release();
      this.#stepDown();
    }
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      if (!(await this.#acquire(stop))) return;
      this.#leading = new AbortController();
      this.#o.metrics?.setLeader(true);
      this.#log.info('started leading');
      this.#o.onStartedLeading(this.#leading.signal);
      await this.#renewLoop(stop);
      if (isAborted(stop)) return;
      this.#log.warn('leadership lost');
      this.#stepDown();
    }
  }

  async #acquire(stop: AbortSignal): Promise<boolean> {
    while (!stop.aborted) {
      if (await this.#tryAcquireOrRenew()) return true;
      await sleep(this.#o.clock, withJitter(this.#o.retryPeriodMs, 0.2, this.#o.random), stop);
    }
    return false;
  }

  async #renewLoop(stop: AbortSignal): Promise<void> {
    let lastRenew = this.#o.clock.now();
    while (!stop.aborted) {
      await sleep(this.#o.clock, this.#o.retryPeriodMs, stop);
      if (isAborted(stop)) return;
      if (await this.#tryAcquireOrRenew()) lastRenew = this.#o.clock.now();
      else if (this.#o.clock.now() - lastRenew >= this.#o.renewDeadlineMs) return;
    }
  }

  #stepDown(): void {
    this.#leading?.abort();
    this.#leading = undefined;
    this.#o.metrics?.setLeader(false);
    this.#o.onStoppedLeading();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#o.clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const current = await this.#o.store.get();
      if (current === undefined) {
        this.#lease = await this.#o.store.create(mine);
        this.#observe(mine, now);
        return this.#succeeded();
      }
      const spec = current.spec ?? {};
      if (this.#observed === undefined || !sameRecord(this.#observed.spec, spec))
        this.#observe(spec, now);
      const holder = spec.holderIdentity ?? '';
      const held = holder !== '' && holder !== this.identity;
      if (held && (this.#observed?.at ?? now) + this.#leaseMs(spec) > now)
        return this.#succeededAsFollower();
      if (holder === this.identity) {
        mine.acquireTime = spec.acquireTime ?? microTime(now);
        mine.leaseTransitions = spec.leaseTransitions ?? 0;
      } else {
        mine.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
      }
      this.#lease = await this.#o.store.update(current, mine);
      this.#observe(mine, now);
      return this.#succeeded();
    } catch (err) {
      // Conflicts and outages are expected while competing; log the first of a streak only.
      if (!this.#failing) this.#log.warn({ err }, 'lease acquire/renew failed');
      this.#failing = true;
      return false;
    }
  }

  #leaseMs(spec: LeaseSpec): number {
    return (spec.leaseDurationSeconds ?? Math.ceil(this.#o.leaseDurationMs / 1000)) * 1000;
  }

  #observe(spec: LeaseSpec, at: number): void {
    this.#observed = { spec, at };
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.#lastLeader) {
      this.#lastLeader = holder;
      this.#o.onNewLeader?.(holder);
    }
  }

  #succeeded(): boolean {
    this.#failing = false;
    return true;
  }

  #succeededAsFollower(): boolean {
    this.#failing = false;
    return false;
  }

  async #release(): Promise<void> {
    const lease = this.#lease;
    if (lease === undefined) return;
    const now = microTime(this.#o.clock.now());
    try {
      // An empty holder with a 1 s duration: any candidate may take the lease at once.
      this.#lease = await this.#o.store.update(lease, {
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: lease.spec?.leaseTransitions ?? 0,
      });
      this.#log.info('lease released');
    } catch (err) {
      this.#log.warn({ err }, 'lease release failed; standby takes over after the lease expires');
    }
  }
}

function sameRecord(a: LeaseSpec, b: LeaseSpec): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions &&
    a.leaseDurationSeconds === b.leaseDurationSeconds
  );
}
