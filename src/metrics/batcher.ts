// PromQL batching (issue 7): checks that share a query shape — same endpoint, same query apart
// from the target, same window and namespace — are answered by ONE query that selects all their
// targets with a regex and groups `by (<label>)`, and the answer is fanned out per target.
//
// Fresh and still batched (issue 14): every ask names where its window ends (`until`, the step's
// point on the step grid of src/progression/step-grid.ts), and a round is a query evaluated AT
// that time, so it measures exactly [until - window, until] for every target it selects. Asks
// with the same `until` share a round; an ask never takes a round for another time, so an answer
// never reaches back before the asker's step began (the asker checks until - window >= since).
//
// Across namespaces: a shape whose query names the namespace only through a matcher on one label
// (namespaceLabel; the mesh queries of traffic-metrics-computed.ts) leaves the namespace out of its
// key, so the checks of every namespace share its rounds. Such a query selects the namespaces and
// the target names each with a regex (every name in every namespace, so it may read a few series
// nobody asked about) and keeps them apart by both labels; each asker gets only the series of its
// own namespace and name.
//
// How a query comes to cover many canaries: every group remembers which targets asked recently
// (its interest set). A new round selects its asker AND every other interested target, and is
// sent after a short coalescing delay that lets concurrent askers join; canaries judged later at
// the same point find their answer in it. A target asking for the first time has no one waiting
// for it in anyone's round, so its round waits longer (newTargetCoalesceMs) for other newcomers:
// a fleet's first measured step costs a few queries, not one per canary. A known target that joins
// such a round brings its sending forward to its own coalescing delay: a canary already being
// measured (a failing one, about to be rolled back) never waits for newcomers.
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../time/clock.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';
import type { PrometheusEndpoint, QueryExecutor, Sample } from './executor.js';
import { targetRegex } from './promql.js';
import { internString, internStrings } from '../kube/intern.js';

export interface BatchShape {
  /**
   * Identity of the query apart from its targets (endpoint, window, text...), and apart from the
   * namespace only when namespaceLabel is set.
   */
  readonly key: string;
  readonly endpoint: PrometheusEndpoint;
  /** The label whose value is the target's name in the answer (e.g. `deployment`). */
  readonly groupLabel: string;
  /**
   * The label whose value is the target's namespace in the answer, when the query selects its
   * namespaces with `build`'s second argument: asks from different namespaces then share rounds.
   * Absent: the namespace is fixed in the query (and so in the key).
   */
  readonly namespaceLabel?: string;
  /**
   * The query for a set of targets, given as a PromQL string body (see targetRegex), in the
   * given namespaces (only used when namespaceLabel is set).
   */
  build(targets: string, namespaces: readonly string[]): string;
}

export type BatchAnswer =
  | { readonly ok: true; readonly samples: readonly Sample[] }
  | { readonly ok: false; readonly error: MetricsError };

/** Who asks, and which window its answer must measure. */
export interface BatchAsk {
  /** The target's namespace, the value of the shape's namespaceLabel when it has one. */
  readonly namespace: string;
  /** The target's name, the value of the shape's groupLabel. */
  readonly target: string;
  /** Epoch ms when the asker's current step began to be measured. */
  readonly since: number;
  /** Epoch ms where the window ends: the query's evaluation time. */
  readonly until: number;
  /** The query window in ms: the answer measures [until - windowMs, until]. */
  readonly windowMs: number;
}

export interface QueryBatcherOptions {
  /** Time, and the coalescing timer. @default systemClock */
  readonly clock?: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /** How long a new round waits for more targets before it is sent. @default 20 */
  readonly coalesceMs?: number;
  /** The same, for a round opened by a target the group did not know yet. @default 250 */
  readonly newTargetCoalesceMs?: number;
  /**
   * Most targets (namespace and name) in one query; more interested targets are split over
   * several rounds. @default 1000
   */
  readonly maxTargets?: number;
  readonly logger?: Logger;
}

/** A round's answer, its samples indexed once by answerKey for every asker to look up. */
type RoundAnswer =
  | { readonly ok: true; readonly byTarget: ReadonlyMap<string, readonly Sample[]> }
  | { readonly ok: false; readonly error: MetricsError };

/**
 * Where a sample (or an asker) is found in a RoundAnswer: by namespace and name when the shape
 * selects namespaces, else by name (the namespace is fixed in the shape's query).
 */
const answerKey = (shape: BatchShape, namespace: string, name: string): string =>
  shape.namespaceLabel === undefined ? name : `${namespace}/${name}`;

interface Round {
  /** The query's evaluation time: the end of the window it measures. */
  readonly until: number;
  /** The targets it selects, as `namespace/name` (see targetKey). */
  readonly targets: Set<string>;
  /** Epoch ms when it is sent. */
  sendAt: number;
  /** The timer that sends it; set while it still collects targets, undefined once sent. */
  timer: TimerHandle | undefined;
  /** Closes it and sends its query (what the timer calls). */
  readonly send: () => void;
  settled: boolean;
  readonly answer: Promise<RoundAnswer>;
}

interface Group {
  /** target (`namespace/name`) -> when it stops being included in new rounds */
  readonly interest: Map<string, number>;
  /** The longest window asked for in this shape (the key names one, so all asks agree). */
  windowMs: number;
  rounds: Round[];
}

const MIN_INTEREST_MS = 60_000;

/** A target in a group: namespace and name (neither can contain a slash). */
const targetKey = (ask: Pick<BatchAsk, 'namespace' | 'target'>): string =>
  `${ask.namespace}/${ask.target}`;

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
const KEPT_ROUNDS = 32;

/**
 * Drops what can no longer serve: interest that ran out, and answered rounds whose window ended
 * one window ago or more (steps are judged at their grid point or, when late, at a later one, so
 * no one asks for such a round any more; if someone does, the same window is queried again) — no
 * answer is held in memory long after the rollout that asked for it.
 */
function prune(group: Group, now: number): void {
  for (const [target, until] of group.interest) if (until <= now) group.interest.delete(target);
  group.rounds = group.rounds
    .filter((r) => !r.settled || now - r.until < group.windowMs)
    .slice(-KEPT_ROUNDS);
}

/** Why an ask cannot be answered: its window would begin before its step, or is not over yet. */
function refusal(ask: BatchAsk, now: number): MetricsError | undefined {
  const end = new Date(ask.until).toISOString();
  if (ask.until - ask.windowMs < ask.since)
    return new MetricsError(
      METRICS_ERROR_REASONS.queryFailed,
      `refused: the window ending at ${end} would begin before the step began`,
    );
  if (ask.until > now)
    return new MetricsError(
      METRICS_ERROR_REASONS.queryFailed,
      `refused: the window ending at ${end} is not over yet`,
    );
  return undefined;
}

export class QueryBatcher {
  readonly #executor: QueryExecutor;
  readonly #clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  readonly #coalesceMs: number;
  readonly #newTargetCoalesceMs: number;
  readonly #maxTargets: number;
  readonly #groups = new Map<string, Group>();
  readonly #logger: Logger | undefined;
  #sweptAt = 0;

  constructor(executor: QueryExecutor, opts: QueryBatcherOptions = {}) {
    this.#executor = executor;
    this.#clock = opts.clock ?? systemClock;
    this.#coalesceMs = opts.coalesceMs ?? 20;
    this.#newTargetCoalesceMs = Math.max(this.#coalesceMs, opts.newTargetCoalesceMs ?? 250);
    this.#maxTargets = Math.max(1, opts.maxTargets ?? 1000);
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
   * The samples of `shape` for `ask.target` (possibly several series) over the window that ends
   * at `ask.until`, never rejecting. A window that would begin before `ask.since`, or end after
   * now, is refused (sources check it first with stepWindow() in source.ts).
   */
  async query(shape: BatchShape, ask: BatchAsk): Promise<BatchAnswer> {
    const now = this.#clock.now();
    const refused = refusal(ask, now);
    if (refused !== undefined) return { ok: false, error: refused };
    const { group, target, known } = this.#interested(shape, ask, now);
    const round =
      this.#reusable(group, target, ask.until) ??
      this.#openRound(group, shape, target, ask.until, known);
    if (known) this.#hurry(round, now);
    const answer = await round.answer;
    if (!answer.ok) return answer;
    const samples = answer.byTarget.get(answerKey(shape, ask.namespace, ask.target)) ?? [];
    return { ok: true, samples };
  }

  /**
   * Whether Prometheus runs `shape` at `ask.until`, for pre-flight: ANY round of the shape at that
   * point answers, whichever targets it selects (its queries differ only in the target regex),
   * so the pre-flights of a fleet that ask about one point share one query per shape. The asker
   * becomes interested, so its first measured step joins the fleet's rounds. Undefined: it runs.
   */
  async probe(shape: BatchShape, ask: BatchAsk): Promise<MetricsError | undefined> {
    const now = this.#clock.now();
    const refused = refusal(ask, now);
    if (refused !== undefined) return refused;
    const { group, target } = this.#interested(shape, ask, now);
    const round =
      group.rounds.find((r) => r.until === ask.until) ??
      this.#openRound(group, shape, target, ask.until, true);
    const answer = await round.answer;
    return answer.ok ? undefined : answer.error;
  }

  /** The shape's group, with the asker's interest recorded (`known`: it was there already). */
  #interested(
    shape: BatchShape,
    ask: BatchAsk,
    now: number,
  ): { group: Group; target: string; known: boolean } {
    const target = targetKey(ask);
    const group = this.#group(shape.key, now);
    group.windowMs = Math.max(group.windowMs, ask.windowMs);
    const known = group.interest.has(target);
    group.interest.set(target, now + Math.max(3 * ask.windowMs, MIN_INTEREST_MS));
    return { group, target, known };
  }

  #group(key: string, now: number): Group {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { interest: new Map(), windowMs: 0, rounds: [] };
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

  /** A round for the same window that selects `target`, or one still collecting that can take it. */
  #reusable(group: Group, target: string, until: number): Round | undefined {
    const same = group.rounds.filter((r) => r.until === until);
    const covering = same.find((r) => r.targets.has(target));
    if (covering !== undefined) return covering;
    const open = same.find((r) => r.timer !== undefined && r.targets.size < this.#maxTargets);
    open?.targets.add(target);
    return open;
  }

  #openRound(
    group: Group,
    shape: BatchShape,
    target: string,
    until: number,
    known: boolean,
  ): Round {
    // Fill up with the other interested targets, except those a round for this window already
    // selects (only maxTargets splits a window's targets over several rounds).
    const covered = new Set(
      group.rounds.filter((r) => r.until === until).flatMap((r) => [...r.targets]),
    );
    const targets = new Set([target]);
    for (const other of [...group.interest.keys()].sort()) {
      if (targets.size >= this.#maxTargets) break;
      if (!covered.has(other)) targets.add(other);
    }
    let settle: (answer: RoundAnswer) => void = () => undefined;
    const answer = new Promise<RoundAnswer>((resolve) => (settle = resolve));
    const delay = known ? this.#coalesceMs : this.#newTargetCoalesceMs;
    const round: Round = {
      until,
      targets,
      settled: false,
      answer,
      sendAt: this.#clock.now() + delay,
      timer: undefined,
      send: () => {
        round.timer = undefined;
        void this.#send(shape, round).then((result) => {
          round.settled = true;
          settle(result);
        });
      },
    };
    group.rounds.push(round);
    round.timer = this.#clock.setTimeout(round.send, delay);
    return round;
  }

  /** A known target's round is sent within coalesceMs of its ask, even if a newcomer opened it. */
  #hurry(round: Round, now: number): void {
    if (round.timer === undefined || round.sendAt <= now + this.#coalesceMs) return;
    this.#clock.clearTimeout(round.timer);
    round.sendAt = now + this.#coalesceMs;
    round.timer = this.#clock.setTimeout(round.send, this.#coalesceMs);
  }

  async #send(shape: BatchShape, round: Round): Promise<RoundAnswer> {
    this.#logger?.debug(
      { address: shape.endpoint.address, targets: round.targets.size, until: round.until },
      'batched query',
    );
    const selected = [...round.targets].map(splitKey);
    const names = [...new Set(selected.map((t) => t.name))];
    const namespaces = [...new Set(selected.map((t) => t.namespace))].sort();
    try {
      const samples = await this.#executor.instant(
        shape.endpoint,
        shape.build(targetRegex(names), namespaces),
        round.until,
      );
      const byTarget = new Map<string, Sample[]>();
      for (const sample of samples) {
        const name = sample.labels[shape.groupLabel];
        const ns = shape.namespaceLabel === undefined ? '' : sample.labels[shape.namespaceLabel];
        if (name === undefined || ns === undefined) continue; // no asker's series
        // Interned: a round is kept for a window, and its answers repeat every label value.
        internStrings(sample.labels);
        const key = internString(answerKey(shape, ns, name));
        const list = byTarget.get(key);
        if (list === undefined) byTarget.set(key, [sample]);
        else list.push(sample);
      }
      return { ok: true, byTarget };
    } catch (cause) {
      const error =
        cause instanceof MetricsError
          ? cause
          : new MetricsError(METRICS_ERROR_REASONS.queryFailed, 'batched query failed', { cause });
      return { ok: false, error };
    }
  }
}
