import { beforeEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import { EventRecorder, type EventInput, type EventSink } from '../../../src/kube/events.js';
import type { JsonObject } from '../../../src/kube/merge-patch.js';

type Write =
  | { op: 'create'; namespace: string; event: JsonObject }
  | { op: 'patch'; namespace: string; name: string; patch: JsonObject };

/** Records writes (a fake of our own EventSink seam); can be told to fail the next write. */
class RecordingSink implements EventSink {
  readonly writes: Write[] = [];
  failNext: Error | undefined;

  create(namespace: string, event: JsonObject): Promise<void> {
    return this.#do({ op: 'create', namespace, event });
  }

  patch(namespace: string, name: string, patch: JsonObject): Promise<void> {
    return this.#do({ op: 'patch', namespace, name, patch });
  }

  #do(w: Write): Promise<void> {
    const err = this.failNext;
    this.failNext = undefined;
    if (err !== undefined) return Promise.reject(err);
    this.writes.push(w);
    return Promise.resolve();
  }
}

const canary = (name: string) => ({
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { namespace: 'shop', name, uid: `uid-${name}` },
});

const ev = (
  name: string,
  reason: string,
  note: string,
  type: 'Normal' | 'Warning' = 'Normal',
): EventInput => ({
  regarding: canary(name),
  type,
  reason,
  action: reason,
  note,
});

describe('EventRecorder', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let recorder: EventRecorder;

  const newRecorder = (opts: { maxSeriesPerObject?: number } = {}): EventRecorder =>
    new EventRecorder({
      sink,
      logger: pino({ level: 'silent' }),
      clock,
      reportingInstance: 'host_1',
      seriesWindowMs: 60_000,
      ...opts,
    });

  beforeEach(() => {
    clock = new ManualClock();
    sink = new RecordingSink();
    recorder = newRecorder();
  });

  it('writes the first occurrence as an events.k8s.io/v1 Event', async () => {
    expect(await recorder.record(ev('web', 'Progressing', 'weight 10'))).toBe('created');
    expect(sink.writes).toHaveLength(1);
    const w = sink.writes[0];
    expect(w?.op).toBe('create');
    if (w?.op !== 'create') return;
    expect(w.namespace).toBe('shop');
    expect(w.event).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      reason: 'Progressing',
      action: 'Progressing',
      note: 'weight 10',
      type: 'Normal',
      reportingController: 'weightlifter.io/controller',
      reportingInstance: 'host_1',
      regarding: { kind: 'Canary', name: 'web', namespace: 'shop', uid: 'uid-web' },
    });
    expect(w.event['eventTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('writes nothing when the same reason and note repeat (a steady state, tick after tick)', async () => {
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    for (let i = 0; i < 50; i++) {
      await clock.advance(1000);
      expect(await recorder.record(ev('web', 'Progressing', 'weight 10'))).toBe('suppressed');
    }
    expect(sink.writes).toHaveLength(1);
  });

  it('writes each transition', async () => {
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    await recorder.record(ev('web', 'Progressing', 'weight 20'));
    await recorder.record(ev('web', 'Promoting', 'copying template', 'Normal'));
    expect(sink.writes.map((w) => w.op)).toEqual(['create', 'create', 'create']);
  });

  it('counts a recurrence into the earlier Event series instead of a new Event', async () => {
    await recorder.record(ev('web', 'Halted', 'no data'));
    await recorder.record(ev('web', 'Halted', 'no data')); // suppressed repeat, counted
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    await clock.advance(10_000);
    expect(await recorder.record(ev('web', 'Halted', 'no data'))).toBe('series');
    const last = sink.writes.at(-1);
    expect(last?.op).toBe('patch');
    if (last?.op !== 'patch') return;
    const first = sink.writes[0];
    expect(first?.op === 'create' && first.event['metadata']).toMatchObject({ name: last.name });
    expect(last.patch).toEqual({
      series: { count: 3, lastObservedTime: expect.stringMatching(/\.\d{6}Z$/) as unknown },
    });
  });

  it('creates a new Event when the recurrence is outside the series window', async () => {
    await recorder.record(ev('web', 'Halted', 'no data'));
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    await clock.advance(60_000);
    expect(await recorder.record(ev('web', 'Halted', 'no data'))).toBe('created');
  });

  it('creates a new Event when the series target has expired (404)', async () => {
    await recorder.record(ev('web', 'Halted', 'no data'));
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    sink.failNext = new KubeApiError('PATCH', '/apis/events.k8s.io/v1/…', 404, {
      reason: 'NotFound',
    });
    expect(await recorder.record(ev('web', 'Halted', 'no data'))).toBe('created');
  });

  it('keeps objects apart', async () => {
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    expect(await recorder.record(ev('api', 'Progressing', 'weight 10'))).toBe('created');
  });

  it('retries a failed write on the next call instead of suppressing it', async () => {
    sink.failNext = new Error('connection reset');
    expect(await recorder.record(ev('web', 'RolledBack', 'error rate 30%', 'Warning'))).toBe(
      'error',
    );
    expect(sink.writes).toHaveLength(0);
    expect(await recorder.record(ev('web', 'RolledBack', 'error rate 30%', 'Warning'))).toBe(
      'created',
    );
  });

  it('forget() starts an object afresh', async () => {
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    recorder.forget(canary('web'));
    expect(await recorder.record(ev('web', 'Progressing', 'weight 10'))).toBe('created');
  });

  it('truncates notes to 1 kB', async () => {
    await recorder.record(ev('web', 'Failed', 'x'.repeat(5000)));
    const w = sink.writes[0];
    expect(w?.op === 'create' && (w.event['note'] as string).length).toBe(1024);
  });

  it('puts a long run of repeats into the series at the heartbeat, not one write each', async () => {
    await recorder.record(ev('web', 'Halted', 'no data'));
    // The window (and so the heartbeat) is 60 s here: one series patch per 60 s of repeats.
    for (let i = 0; i < 130; i++) {
      await clock.advance(1000);
      await recorder.record(ev('web', 'Halted', 'no data'));
    }
    expect(sink.writes.map((w) => w.op)).toEqual(['create', 'patch', 'patch']);
    const name = sink.writes[0]?.op === 'create' ? sink.writes[0].event['metadata'] : undefined;
    expect(name).toMatchObject({ name: sink.writes[1]?.op === 'patch' && sink.writes[1].name });
    expect(sink.writes.map((w) => (w.op === 'patch' ? w.patch['series'] : null))).toEqual([
      null,
      { count: 61, lastObservedTime: expect.any(String) as unknown },
      { count: 121, lastObservedTime: expect.any(String) as unknown },
    ]);
  });

  it('keeps a bounded history per object, the least recently seen dropped first', async () => {
    recorder = newRecorder({ maxSeriesPerObject: 3 });
    for (const w of [10, 20, 30]) await recorder.record(ev('web', 'Progressing', `weight ${w}`));
    await recorder.record(ev('web', 'Progressing', 'weight 10')); // seen again: most recent
    await recorder.record(ev('web', 'Progressing', 'weight 40')); // drops weight 20
    expect(await recorder.record(ev('web', 'Progressing', 'weight 10'))).toBe('series');
    expect(await recorder.record(ev('web', 'Progressing', 'weight 20'))).toBe('created');
  });

  it('forgets an occurrence one series window after it was last seen', async () => {
    await recorder.record(ev('web', 'Halted', 'no data'));
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    await clock.advance(59_999);
    expect(await recorder.record(ev('web', 'Halted', 'no data'))).toBe('series');
    await recorder.record(ev('web', 'Progressing', 'weight 10'));
    await clock.advance(60_000);
    expect(await recorder.record(ev('web', 'Halted', 'no data'))).toBe('created');
  });
});
