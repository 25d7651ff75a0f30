import type { Logger } from 'pino';
import { PatchStrategy } from './http-constants.js';
import { systemClock, type Clock } from '../time/clock.js';
import { isNotFound } from './errors.js';
import { internString } from './intern.js';
import type { JsonObject } from './merge-patch.js';
import { keyOf, type KubeObject } from './object-key.js';
import type { KubeRawClient } from './raw-client.js';
import { BUILTIN, collectionPath, objectPath } from './resources.js';
import { microTime } from './time.js';

export type EventType = 'Normal' | 'Warning';

/** An Event about `regarding` (which must carry apiVersion, kind, metadata.name and namespace). */
export interface EventInput {
  readonly regarding: KubeObject;
  readonly type: EventType;
  /** CamelCase, machine-readable, e.g. 'Promoted', 'RolledBack'. */
  readonly reason: string;
  /** What was done, e.g. 'Promote', 'Rollback'. */
  readonly action: string;
  /** Human-readable detail; truncated to 1 kB. */
  readonly note: string;
}

export type EventOutcome = 'created' | 'series' | 'suppressed' | 'error';

export interface EventMetricsSink {
  incEvent(outcome: EventOutcome): void;
}

/** Where Events are written: the API server (createEventSink) or, in unit tests, a recorder. */
export interface EventSink {
  create(namespace: string, event: JsonObject): Promise<void>;
  patch(namespace: string, name: string, patch: JsonObject): Promise<void>;
}

export function createEventSink(raw: KubeRawClient): EventSink {
  return {
    create: async (namespace, event) => {
      await raw.create(collectionPath(BUILTIN.events, namespace), event);
    },
    patch: async (namespace, name, patch) => {
      await raw.patch(objectPath(BUILTIN.events, namespace, name), patch, PatchStrategy.MergePatch);
    },
  };
}

export interface EventRecorderOptions {
  readonly sink: EventSink;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** @default 'weightlifter.io/controller' */
  readonly reportingController?: string;
  /** This replica, e.g. `${hostname}_${pid}`. */
  readonly reportingInstance: string;
  /**
   * A reason+note that recurs after a different one within this window updates the first
   * Event's series instead of creating a new Event. @default 1_800_000 (30 min, < the 1 h event TTL)
   */
  readonly seriesWindowMs?: number;
  /**
   * A reason+note recorded again and again in a row is counted, not written, until its Event was
   * last written this long ago: then the count goes into the Event's series (a heartbeat, as
   * Kubernetes' own recorder does). @default seriesWindowMs
   */
  readonly seriesHeartbeatMs?: number;
  /** Objects whose event history is kept; oldest dropped beyond. @default 10_000 */
  readonly maxTrackedObjects?: number;
  /** Distinct reason+notes remembered per object; the least recently seen dropped beyond. @default 16 */
  readonly maxSeriesPerObject?: number;
  readonly metrics?: EventMetricsSink;
}

interface Occurrence {
  name: string;
  count: number;
  lastWrittenAt: number;
  /** Last recorded, written or not; forgotten one series window after it. */
  lastSeenAt: number;
}

interface ObjectHistory {
  last: string | undefined;
  seen: Map<string, Occurrence>;
}

/**
 * Records Kubernetes Events (events.k8s.io/v1) with Kubernetes' series rules: occurrences of the
 * same (object, type, reason, note) are one Event and a count, never one Event each. Per object it
 * remembers the last reason+note: recording the same one again (every reconcile tick of a steady
 * state) writes nothing and is only counted, until a heartbeat (seriesHeartbeatMs after the
 * Event's last write) puts the count into its `series`; a different one is written; a return to
 * an earlier one within the series window patches that Event's `series` (count, lastObservedTime)
 * rather than adding a new Event. What it remembers is bounded: per object the most recently seen
 * reason+notes (maxSeriesPerObject), each forgotten a series window after it was last seen, and
 * all of it when forget() is called (the controller calls it when a Canary is deleted). Failures
 * to write are logged and counted, never thrown: an Event is a notice, and a lost one must not
 * fail the reconcile that changed state.
 */
export class EventRecorder {
  readonly #sink: EventSink;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #controller: string;
  readonly #instance: string;
  readonly #windowMs: number;
  readonly #heartbeatMs: number;
  readonly #maxObjects: number;
  readonly #maxSeries: number;
  readonly #metrics: EventMetricsSink | undefined;
  readonly #history = new Map<string, ObjectHistory>();
  #seq = 0;

  constructor(opts: EventRecorderOptions) {
    this.#sink = opts.sink;
    this.#log = opts.logger;
    this.#clock = opts.clock ?? systemClock;
    this.#controller = opts.reportingController ?? 'weightlifter.io/controller';
    this.#instance = opts.reportingInstance.slice(0, 128);
    this.#windowMs = opts.seriesWindowMs ?? 1_800_000;
    this.#heartbeatMs = opts.seriesHeartbeatMs ?? this.#windowMs;
    this.#maxObjects = opts.maxTrackedObjects ?? 10_000;
    this.#maxSeries = Math.max(1, opts.maxSeriesPerObject ?? 16);
    this.#metrics = opts.metrics;
  }

  async record(input: EventInput): Promise<EventOutcome> {
    const objKey = `${input.regarding.kind ?? ''}/${keyOf(input.regarding)}`;
    const now = this.#clock.now();
    const history = this.#historyFor(objKey, now);
    // Interned: a fleet's Canaries record the same notes, and each is remembered for a while.
    const sig = internString(`${input.type}\u0000${input.reason}\u0000${input.note}`);
    const seen = this.#sighted(history, sig, now);
    const repeat = history.last === sig && seen !== undefined;
    if (seen !== undefined) seen.count += 1;
    if (repeat && now - seen.lastWrittenAt < this.#heartbeatMs) return this.#count('suppressed');
    history.last = sig;
    try {
      // A heartbeat of a repeat goes to its Event whatever its age (404: a new Event).
      if (seen !== undefined && (repeat || now - seen.lastWrittenAt < this.#windowMs)) {
        if (await this.#patchSeries(input, seen, now)) {
          seen.lastWrittenAt = now;
          return this.#count('series');
        }
      }
      const name = await this.#create(input, now);
      this.#remember(history, sig, { name, count: 1, lastWrittenAt: now, lastSeenAt: now });
      return this.#count('created');
    } catch (err) {
      // Forget the transition so the next call retries the write instead of suppressing it.
      history.last = undefined;
      this.#log.warn({ err, reason: input.reason, object: objKey }, 'event not recorded');
      return this.#count('error');
    }
  }

  /** Drops what is remembered about an object (call when it is deleted). */
  forget(regarding: KubeObject): void {
    this.#history.delete(`${regarding.kind ?? ''}/${keyOf(regarding)}`);
  }

  /** The occurrence of `sig`, marked seen now (most recent last); undefined if none is kept. */
  #sighted(history: ObjectHistory, sig: string, now: number): Occurrence | undefined {
    const seen = history.seen.get(sig);
    if (seen === undefined) return undefined;
    seen.lastSeenAt = now;
    history.seen.delete(sig);
    history.seen.set(sig, seen);
    return seen;
  }

  #remember(history: ObjectHistory, sig: string, occurrence: Occurrence): void {
    history.seen.delete(sig);
    history.seen.set(sig, occurrence);
    for (const oldest of history.seen.keys()) {
      if (history.seen.size <= this.#maxSeries) break;
      history.seen.delete(oldest);
    }
  }

  #historyFor(objKey: string, now: number): ObjectHistory {
    let h = this.#history.get(objKey);
    if (h !== undefined) {
      // Occurrences not seen for a series window can no longer be counted into: forgotten.
      for (const [sig, o] of h.seen) if (now - o.lastSeenAt >= this.#windowMs) h.seen.delete(sig);
    } else {
      h = { last: undefined, seen: new Map() };
      this.#history.set(objKey, h);
      if (this.#history.size > this.#maxObjects) {
        const oldest = this.#history.keys().next().value;
        if (oldest !== undefined) this.#history.delete(oldest);
      }
    }
    return h;
  }

  async #create(input: EventInput, now: number): Promise<string> {
    const meta = input.regarding.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    // Unique per process and time, like client-go's `<name>.<hex nanos>`.
    const name = `${meta.name ?? 'object'}.${now.toString(16)}${(this.#seq++ % 4096).toString(16).padStart(3, '0')}`;
    const body: JsonObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.#controller,
      reportingInstance: this.#instance,
      action: input.action.slice(0, 128),
      reason: input.reason.slice(0, 128),
      note: input.note.slice(0, 1024),
      type: input.type,
      regarding: {
        apiVersion: input.regarding.apiVersion,
        kind: input.regarding.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
    };
    await this.#sink.create(namespace, body);
    return name;
  }

  /** False when the Event has expired meanwhile (404): the caller creates a new one. */
  async #patchSeries(input: EventInput, seen: Occurrence, now: number): Promise<boolean> {
    const namespace = input.regarding.metadata?.namespace ?? 'default';
    const patch = { series: { count: seen.count, lastObservedTime: microTime(now) } };
    try {
      await this.#sink.patch(namespace, seen.name, patch);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  #count(outcome: EventOutcome): EventOutcome {
    this.#metrics?.incEvent(outcome);
    return outcome;
  }
}
