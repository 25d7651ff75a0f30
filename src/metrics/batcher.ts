// PromQL batching (issue 7): checks that share a query shape — same endpoint, same query apart
// from the target, same window and namespace — are answered by ONE query that selects all their
// targets with a regex and groups `by (<label>)`, and the answer is fanned out per target.
//
// How a query comes to cover many canaries: every group remembers which targets asked recently
// (its interest set). When a target needs a fresh answer, a new round is opened for it AND every
// other interested target, and sent after a short coalescing delay that lets concurrent askers
// join. A later asker takes a round already sent only if that round measured its own step: the
// round was sent at or after the asker's `since + window` (issue 12), whoever opened it. So a
// round is shared by canaries whose steps line up; the saving comes from alignment, never from
// handing out an answer about an earlier step's traffic.
//
// Each (target, check) takes a given round's answer at most once: an early tick never counts one
// measurement twice.
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../time/clock.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';
import type { PrometheusEndpoint, QueryExecutor, Sample } from './executor.js';
import { targetRegex } from './promql.js';

export interface BatchShape {
  /** Identity of the query apart from its targets (endpoint, namespace, window, text...). */
  readonly key: string;
  readonly endpoint: PrometheusEndpoint;
  /** The label whose value is the target's name in the answer (e.g. `deployment`). */
  readonly groupLabel: string;
  /** The query for a set of targets, given as a PromQL string body (see targetRegex). */
  build(targets: string): string;
}

export type BatchAnswer =
  | { readonly ok: true; readonly samples: readonly Sample[] }
  | { readonly ok: false; readonly error: MetricsError };

/** Who asks, and from when its answer must cover only its own step's traffic. */
export interface BatchAsk {
  /** The target's name, the value of the shape's groupLabel. */
  readonly target: string;
  /** The check asking (a canary's checks that share a shape each take a round once). */
  readonly check: string;
  /** Epoch ms when the asker's current step began to be measured. */
  readonly since: number;
  /** The query window in ms: a round is usable from `since + windowMs` on. */
  readonly windowMs: number;
}

export interface QueryBatcherOptions {
  /** Time, and the coalescing timer. @default systemClock */
  readonly clock?: Pick<Clock, 'now' | 'setTimeout'>;
  /** How long a new round waits for more targets before it is sent. @default 20 */
  readonly coalesceMs?: number;
  /** Most targets in one query; more interested targets are split over several rounds. @default 200 */
  readonly maxTargets?: number;
  readonly logger?: Logger;
}

interface Round {
  /**
   * When the query goes out (its coalescing timer; never earlier): the end of the window it
   * measures. An asker may take the round if this is at or after its `since + window`.
   */
  readonly sentAt: number;
  readonly targets: Set<string>;
  /** `${target}\0${check}` that already took this round's answer. */
  readonly consumed: Set<string>;
  settled: boolean;
  readonly answer: Promise<BatchAnswer>;
}

interface Group {
  /** target -> when it stops being included in new rounds */
  readonly interest: Map<string, number>;
  /** The longest window asked for in this shape (the key names one, so all asks agree). */
  windowMs: number;
  rounds: Round[];
  /** The round still collecting targets, if any. */
  open: Round | undefined;
}

const MIN_INTEREST_MS = 60_000;
const KEPT_ROUNDS = 32;

/**
 * Drops what can no longer serve: interest that ran out, and answered rounds older than the
 * shape's window. Such a round measured a window that ended before the last one began, so it
 * would tell an asker nothing of the latest window's traffic; a fresh round is sent instead (and
 * no answer is held in memory long after the rollout that asked for it).
 */
function prune(group: Group, now: number): void {
  for (const [target, until] of group.interest) if (until <= now) group.interest.delete(target);
  group.rounds = group.rounds
    .filter((r) => !r.settled || now - r.sentAt < group.windowMs)
    .slice(-KEPT_ROUNDS);
}

export class QueryBatcher {
  readonly #executor: QueryExecutor;
  readonly #clock: Pick<Clock, 'now' | 'setTimeout'>;
  readonly #coalesceMs: number;
  readonly #maxTargets: number;
  readonly #groups = new Map<string, Group>();
  readonly #logger: Logger | undefined;
  #sweptAt = 0;

  constructor(executor: QueryExecutor, opts: QueryBatcherOptions = {}) {
    this.#executor = executor;
    this.#clock = opts.clock ?? systemClock;
    this.#coalesceMs = opts.coalesceMs ?? 20;
    this.#maxTargets = Math.max(1, opts.maxTargets ?? 200);
    this.#logger = opts.logger;
  }

  /** Groups (query shapes) currently tracked, for tests and debugging. */
  get groupCount(): number {
    return this.#groups.size;
  }

  /** Rounds (sent or collecting) currently kept over all groups, for tests and debugging. */
  get roundCount(): number {
    let n = 0;
    for (const group of this.#groups.values()) n += group.rounds.length;
    return n;
  }

  /**
   * The samples of `shape` for `ask.target` (possibly several series), never rejecting. The
   * caller asks no earlier than `since + windowMs` (sources check it with stepWindow() in
   * source.ts), so a round opened now covers only the asker's step.
   */
  async query(shape: BatchShape, ask: BatchAsk): Promise<BatchAnswer> {
    const { target, check } = ask;
    const now = this.#clock.now();
    const group = this.#group(shape.key, now);
    group.windowMs = Math.max(group.windowMs, ask.windowMs);
    group.interest.set(target, now + Math.max(3 * ask.windowMs, MIN_INTEREST_MS));
    const id = `${target}\0${check}`;
    const round =
      this.#reusable(group, target, id, ask.since + ask.windowMs) ??
      this.#openRound(group, shape, target, id, now);
    round.consumed.add(id);
    const answer = await round.answer;
    if (!answer.ok) return answer;
    return {
      ok: true,
      samples: answer.samples.filter((s) => s.labels[shape.groupLabel] === target),
    };
  }

  #group(key: string, now: number): Group {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { interest: new Map(), windowMs: 0, rounds: [], open: undefined };
      this.#groups.set(key, group);
    }
    prune(group, now);
    if (now - this.#sweptAt >= MIN_INTEREST_MS) this.#sweep(key, now);
    return group;
  }

  /** Forgets groups nobody asked about for a while (namespaces whose canaries finished). */
  #sweep(current: string, now: number): void {
    this.#sweptAt = now;
    for (const [key, group] of this.#groups) {
      if (key === current) continue;
      prune(group, now);
      if (group.interest.size === 0 && group.rounds.length === 0) this.#groups.delete(key);
    }
  }

  /** A round sent at or after `from` (or still collecting) that still owes `id` its answer. */
  #reusable(group: Group, target: string, id: string, from: number): Round | undefined {
    for (let i = group.rounds.length - 1; i >= 0; i -= 1) {
      const r = group.rounds[i];
      if (r === undefined || r.sentAt < from) continue;
      if (r.targets.has(target) && !r.consumed.has(id)) return r;
    }
    const open = group.open;
    if (
      open !== undefined &&
      open.sentAt >= from &&
      !open.consumed.has(id) &&
      open.targets.size < this.#maxTargets
    ) {
      open.targets.add(target);
      return open;
    }
    return undefined;
  }

  #openRound(group: Group, shape: BatchShape, target: string, id: string, now: number): Round {
    // Fill up with the other interested targets, except those a round in flight already covers
    // (they may get its answer; taking them again only matters when maxTargets splits the set).
    const covered = new Set(group.rounds.filter((r) => !r.settled).flatMap((r) => [...r.targets]));
    const targets = new Set([target]);
    for (const other of [...group.interest.keys()].sort()) {
      if (targets.size >= this.#maxTargets) break;
      if (!covered.has(other)) targets.add(other);
    }
    let settle: (answer: BatchAnswer) => void = () => undefined;
    const answer = new Promise<BatchAnswer>((resolve) => (settle = resolve));
    const round: Round = {
      sentAt: now + this.#coalesceMs,
      targets,
      consumed: new Set([id]),
      settled: false,
      answer,
    };
    group.rounds.push(round);
    group.open = round;
    this.#clock.setTimeout(() => {
      if (group.open === round) group.open = undefined;
      void this.#send(shape, round).then((result) => {
        round.settled = true;
        settle(result);
      });
    }, this.#coalesceMs);
    return round;
  }

  async #send(shape: BatchShape, round: Round): Promise<BatchAnswer> {
    this.#logger?.debug(
      { address: shape.endpoint.address, targets: round.targets.size },
      'batched query',
    );
    try {
      const samples = await this.#executor.instant(
        shape.endpoint,
        shape.build(targetRegex([...round.targets])),
      );
      return { ok: true, samples };
    } catch (cause) {
      const error =
        cause instanceof MetricsError
          ? cause
          : new MetricsError(METRICS_ERROR_REASONS.queryFailed, 'batched query failed', { cause });
      return { ok: false, error };
    }
  }
}
