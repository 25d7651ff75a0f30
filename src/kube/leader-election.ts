import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { withJitter } from '../time/backoff.js';
import { isAborted, sleep, systemClock, type Clock, type TimerHandle } from '../time/clock.js';
import { WeightlifterError } from '../errors/catalogue.js';
import type { Lease, LeaseSpec, LeaseStore } from './lease-store.js';
import { microTime } from './time.js';

export interface LeaderMetricsSink {
  setLeader(leading: boolean): void;
}

export interface LeaderElectionOptions {
  readonly store: LeaseStore;
  readonly logger: Logger;
  readonly clock?: Clock;
  /**
   * Milliseconds on a clock that never jumps, for every lease deadline. @default `clock.now`
   * for a test's clock, else `performance.now` (monotonic; it keeps counting while
   * the process is stopped, which is what makes a woken-up leader know it is late).
   */
  readonly monotonic?: () => number;
  /** @default `${hostname()}_${process.pid}` */
  readonly identity?: string;
  /** How long a lease is valid without renewal; candidates wait this long. @default 15_000 */
  readonly leaseDurationMs?: number;
  /** The leader gives up if it cannot renew for this long (< leaseDuration). @default 10_000 */
  readonly renewDeadlineMs?: number;
  /** Pause between acquire/renew attempts (< renewDeadline). @default 2_000 */
  readonly retryPeriodMs?: number;
  /**
   * Deadline of one acquire/renew attempt (its GET and PUT together), < renewDeadline, so a
   * request that hangs is abandoned and retried on a fresh connection before the deadline.
   * @default half the renew deadline
   */
  readonly renewTimeoutMs?: number;
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

/** One period of leadership. */
interface Term {
  readonly abort: AbortController;
  /** Monotonic start of the last attempt that renewed (or acquired) the lease. */
  renewedAt: number;
  deadline: TimerHandle | undefined;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, following client-go: a lease is expired when
 * its record has not changed for leaseDuration *as observed on our own clock* (so clock skew
 * between replicas does not matter); writes are compare-and-swap; stop() releases the lease so a
 * standby takes over at its next retry instead of after leaseDuration.
 *
 * The leader renews every retryPeriod; each attempt is aborted after renewTimeout. A renewal
 * counts from when its attempt *started* (the API server may have written it at any moment
 * after), and a standby cannot take the lease before leaseDuration after it saw that write. So
 * the leader steps down at renewedAt + renewDeadline — a timer, and isLeader() checks the same
 * deadline on the monotonic clock in case the timer has not run yet (a process woken from
 * SIGSTOP runs I/O callbacks first) — leaving leaseDuration - renewDeadline for in-flight writes
 * to be aborted before anyone else can lead.
 */
export class LeaderElector {
  readonly identity: string;
  readonly #o: Required<
    Omit<LeaderElectionOptions, 'onNewLeader' | 'metrics' | 'identity' | 'monotonic'>
  > &
    Pick<LeaderElectionOptions, 'onNewLeader' | 'metrics'>;
  readonly #mono: () => number;
  readonly #log: Logger;
  #observed: { spec: LeaseSpec; at: number } | undefined;
  #lease: Lease | undefined;
  #term: Term | undefined;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #lastLeader: string | undefined;
  #failing = false;

  constructor(opts: LeaderElectionOptions) {
    this.identity = opts.identity ?? defaultIdentity();
    const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.#o = {
      clock: systemClock,
      leaseDurationMs: 15_000,
      renewDeadlineMs,
      retryPeriodMs: 2_000,
      renewTimeoutMs: Math.floor(renewDeadlineMs / 2),
      random: Math.random,
      ...opts,
    };
    const clock = this.#o.clock;
    this.#mono =
      opts.monotonic ?? (clock === systemClock ? () => performance.now() : () => clock.now());
    checkTimings(this.#o);
    this.#log = opts.logger.child({ lease: this.identity });
  }

  /** True while the lease is ours: leading, and the last renewal is younger than renewDeadline. */
  isLeader(): boolean {
    const term = this.#term;
    return (
      term !== undefined &&
      !term.abort.signal.aborted &&
      this.#mono() - term.renewedAt < this.#o.renewDeadlineMs
    );
  }

  /** Campaigns in the background until stop(); leads again after losing the lease. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops campaigning; a leader stops leading (onStoppedLeading), then releases the lease. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    const term = this.#term;
    if (term === undefined) return;
    const holds = this.isLeader();
    this.#stepDown(term, 'stopped leading');
    if (holds) await this.#release();
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      const renewedAt = await this.#acquire(stop);
      if (renewedAt === undefined) return;
      const term: Term = { abort: new AbortController(), renewedAt, deadline: undefined };
      this.#term = term;
      this.#armDeadline(term);
      this.#o.metrics?.setLeader(true);
      this.#log.info('started leading');
      this.#o.onStartedLeading(term.abort.signal);
      await this.#renewLoop(term, stop);
      if (isAborted(stop)) return;
      this.#stepDown(term, 'leadership lost');
    }
  }

  /** The monotonic start of the attempt that acquired the lease; undefined when stopped. */
  async #acquire(stop: AbortSignal): Promise<number | undefined> {
    while (!stop.aborted) {
      const started = this.#mono();
      if (await this.#attempt(stop)) return started;
      await sleep(this.#o.clock, withJitter(this.#o.retryPeriodMs, 0.2, this.#o.random), stop);
    }
    return undefined;
  }

  /** Renews until stopped or the term ends (its deadline passed). */
  async #renewLoop(term: Term, stop: AbortSignal): Promise<void> {
    const ended = AbortSignal.any([stop, term.abort.signal]);
    while (!ended.aborted) {
      await sleep(this.#o.clock, this.#o.retryPeriodMs, ended);
      if (isAborted(ended)) return;
      const started = this.#mono();
      if ((await this.#attempt(ended)) && !isAborted(ended)) {
        term.renewedAt = started;
        this.#armDeadline(term);
      }
    }
  }

  #armDeadline(term: Term): void {
    if (term.deadline !== undefined) this.#o.clock.clearTimeout(term.deadline);
    const left = term.renewedAt + this.#o.renewDeadlineMs - this.#mono();
    term.deadline = this.#o.clock.setTimeout(() => {
      this.#stepDown(term, 'lease not renewed within the renew deadline; stepping down');
    }, left);
  }

  #stepDown(term: Term, msg: string): void {
    if (this.#term !== term) return;
    this.#term = undefined;
    if (term.deadline !== undefined) this.#o.clock.clearTimeout(term.deadline);
    term.abort.abort();
    this.#o.metrics?.setLeader(false);
    this.#log.warn(msg);
    this.#o.onStoppedLeading();
  }

  /** One acquire/renew attempt, abandoned after renewTimeout or when `signal` aborts. */
  async #attempt(signal: AbortSignal): Promise<boolean> {
    const timeout = new AbortController();
    const timer = this.#o.clock.setTimeout(() => {
      timeout.abort(
        new WeightlifterError('WL_LEADER_ELECTION_FAILED', 'lease request timed out', {
          details: { timeoutMs: this.#o.renewTimeoutMs },
        }),
      );
    }, this.#o.renewTimeoutMs);
    try {
      return await this.#tryAcquireOrRenew(AbortSignal.any([signal, timeout.signal]));
    } finally {
      this.#o.clock.clearTimeout(timer);
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const wall = this.#o.clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      acquireTime: microTime(wall),
      renewTime: microTime(wall),
      leaseTransitions: 0,
    };
    const store = this.#o.store;
    try {
      const current = await abortable(store.get(signal), signal);
      const now = this.#mono();
      if (current === undefined) {
        this.#lease = await abortable(store.create(mine, signal), signal);
        this.#observe(mine, this.#mono());
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
        mine.acquireTime = spec.acquireTime ?? microTime(wall);
        mine.leaseTransitions = spec.leaseTransitions ?? 0;
      } else {
        mine.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
      }
      this.#lease = await abortable(store.update(current, mine, signal), signal);
      this.#observe(mine, this.#mono());
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
    const timeout = new AbortController();
    const timer = this.#o.clock.setTimeout(() => {
      timeout.abort();
    }, this.#o.renewTimeoutMs);
    try {
      // An empty holder with a 1 s duration: any candidate may take the lease at once.
      const released = this.#o.store.update(
        lease,
        {
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: lease.spec?.leaseTransitions ?? 0,
        },
        timeout.signal,
      );
      this.#lease = await abortable(released, timeout.signal);
      this.#log.info('lease released');
    } catch (err) {
      this.#log.warn({ err }, 'lease release failed; standby takes over after the lease expires');
    } finally {
      this.#o.clock.clearTimeout(timer);
    }
  }
}

/** Rejects when `signal` aborts, even if `p` (a store that ignores its signal) never settles. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(toError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(toError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}

/** client-go's rules, with the reason a violation is unsafe. */
function checkTimings(o: {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  renewTimeoutMs: number;
}): void {
  const problems: string[] = [];
  if (!(o.renewDeadlineMs < o.leaseDurationMs))
    problems.push(
      'renewDeadline must be shorter than leaseDuration (a standby could lead while the old leader still acts)',
    );
  if (!(o.retryPeriodMs < o.renewDeadlineMs))
    problems.push(
      'retryPeriod must be shorter than renewDeadline (the leader could never renew in time)',
    );
  if (!(o.renewTimeoutMs > 0 && o.renewTimeoutMs < o.renewDeadlineMs))
    problems.push(
      'the renew request timeout must be above 0 and shorter than renewDeadline (a hung renew must be retried before the deadline)',
    );
  if (problems.length > 0) {
    throw new RangeError(
      `leader election timings: ${problems.join('; ')} (got leaseDuration ${String(o.leaseDurationMs)} ms, renewDeadline ${String(o.renewDeadlineMs)} ms, retryPeriod ${String(o.retryPeriodMs)} ms, request timeout ${String(o.renewTimeoutMs)} ms)`,
    );
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
