import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import {
  Controller,
  ownKeys,
  type Elector,
  type LeaderCallbacks,
} from '../../../src/canary/controller.js';
import { ManualClock, flushPromises } from '../../../src/time/manual-clock.js';
import type {
  ReconcileContext,
  ReconcileResult,
  Reconciler,
} from '../../../src/runtime/reconciler.js';
import type { EventSource, InformerEvent, InformerHandler } from '../../../src/kube/informer.js';
import type { KubeObject } from '../../../src/kube/object-key.js';

/** An event source under test control (fake of our own seam). */
class FakeSource implements EventSource<KubeObject> {
  synced = true;
  readonly #handlers = new Set<InformerHandler<KubeObject>>();
  constructor(readonly name: string) {}
  onEvent(h: InformerHandler<KubeObject>): () => void {
    this.#handlers.add(h);
    return () => this.#handlers.delete(h);
  }
  hasSynced(): boolean {
    return this.synced;
  }
  emit(key: string, type: InformerEvent<KubeObject>['type'] = 'update'): void {
    const [namespace = '', name = ''] = key.split('/');
    for (const h of this.#handlers) h({ type, key, obj: { metadata: { namespace, name } } });
  }
}

interface Call {
  key: string;
  ctx: ReconcileContext;
  finish: (r: ReconcileResult) => void;
  fail: (e: unknown) => void;
}

/** A reconciler whose calls stay open until the test finishes them. */
class ControlledReconciler implements Reconciler {
  readonly calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly perKeyInFlight = new Map<string, number>();
  overlapped = false;

  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const n = (this.perKeyInFlight.get(key) ?? 0) + 1;
    if (n > 1) this.overlapped = true;
    this.perKeyInFlight.set(key, n);
    return new Promise((resolve, reject) => {
      const end = (): void => {
        this.inFlight -= 1;
        this.perKeyInFlight.set(key, (this.perKeyInFlight.get(key) ?? 1) - 1);
      };
      this.calls.push({
        key,
        ctx,
        finish: (r) => {
          end();
          resolve(r);
        },
        fail: (e) => {
          end();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      });
    });
  }
}

const finish = (c: Call | undefined, r: ReconcileResult = { kind: 'done' }): void => {
  if (c === undefined) throw new Error('no such call');
  c.finish(r);
};

function setup(opts: { keys?: string[]; concurrency?: number; elector?: boolean } = {}) {
  const clock = new ManualClock();
  const source = new FakeSource('canaries');
  const reconciler = new ControlledReconciler();
  let callbacks: LeaderCallbacks | undefined;
  let leading = false;
  const elector: Elector = {
    start: () => undefined,
    stop: () => Promise.resolve(),
    isLeader: () => leading,
  };
  const controller = new Controller({
    name: 'canary',
    reconciler,
    sources: [ownKeys(source)],
    initialKeys: () => opts.keys ?? [],
    logger: pino({ level: 'silent' }),
    concurrency: opts.concurrency ?? 2,
    clock,
    backoff: { baseMs: 500, maxMs: 4000 },
    drainTimeoutMs: 10_000,
    ...(opts.elector === true
      ? {
          elector: (cb: LeaderCallbacks) => {
            callbacks = cb;
            return elector;
          },
        }
      : {}),
  });
  const lead = async (on: boolean): Promise<void> => {
    leading = on;
    if (on) callbacks?.onStartedLeading(new AbortController().signal);
    else callbacks?.onStoppedLeading();
    await flushPromises();
  };
  return { clock, source, reconciler, controller, lead };
}

describe('Controller', () => {
  it('reconciles every initial key once sources have synced, at most `concurrency` at a time', async () => {
    const { clock, source, reconciler, controller } = setup({
      keys: ['ns/a', 'ns/b', 'ns/c', 'ns/d', 'ns/e'],
    });
    source.synced = false;
    controller.start();
    await clock.advance(1000);
    expect(reconciler.calls).toHaveLength(0);
    expect(controller.readiness()).toEqual({
      ready: false,
      checks: { 'informer/canaries': false },
    });

    source.synced = true;
    await clock.advance(100);
    expect(controller.readiness().ready).toBe(true);
    expect(reconciler.calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b']);
    for (let i = 0; i < 3; i++) {
      finish(reconciler.calls[i]);
      await flushPromises();
    }
    finish(reconciler.calls[3]);
    finish(reconciler.calls[4]);
    await flushPromises();
    expect(reconciler.calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b', 'ns/c', 'ns/d', 'ns/e']);
    expect(reconciler.maxInFlight).toBe(2);
    await controller.stop();
  });

  it('never runs one key twice at once; an event during its reconcile runs it again afterwards', async () => {
    const { clock, source, reconciler, controller } = setup({ keys: ['ns/a'] });
    controller.start();
    await clock.advance(100);
    expect(reconciler.calls).toHaveLength(1);
    source.emit('ns/a');
    source.emit('ns/a');
    await flushPromises();
    expect(reconciler.calls).toHaveLength(1);
    finish(reconciler.calls[0]);
    await flushPromises();
    expect(reconciler.calls).toHaveLength(2);
    finish(reconciler.calls[1]);
    await flushPromises();
    expect(reconciler.calls).toHaveLength(2);
    expect(reconciler.overlapped).toBe(false);
    await controller.stop();
  });

  it('requeues after the requested delay', async () => {
    const { clock, reconciler, controller } = setup({ keys: ['ns/a'] });
    controller.start();
    await clock.advance(100);
    finish(reconciler.calls[0], { kind: 'requeueAfter', ms: 5000 });
    await clock.advance(4999);
    expect(reconciler.calls).toHaveLength(1);
    await clock.advance(1);
    expect(reconciler.calls).toHaveLength(2);
    finish(reconciler.calls[1]);
    await controller.stop();
  });

  it('retries errors (returned or thrown) with growing, capped backoff, reset by success', async () => {
    const { clock, reconciler, controller } = setup({ keys: ['ns/a'] });
    controller.start();
    await clock.advance(100);
    const gaps: number[] = [];
    let last = clock.now();
    for (let i = 0; i < 5; i++) {
      const call = reconciler.calls.at(-1);
      expect(call?.ctx.retries).toBe(i);
      if (i % 2 === 0) finish(call, { kind: 'error', error: new Error('apiserver down') });
      else call?.fail(new Error('thrown'));
      const before = reconciler.calls.length;
      while (reconciler.calls.length === before) await clock.advance(100);
      gaps.push(clock.now() - last);
      last = clock.now();
    }
    expect(gaps).toEqual([500, 1000, 2000, 4000, 4000]);
    finish(reconciler.calls.at(-1));
    await flushPromises();
    await controller.stop();
  });

  it('stop() waits for in-flight reconciles and starts no new ones', async () => {
    const { clock, source, reconciler, controller } = setup({ keys: ['ns/a'] });
    controller.start();
    await clock.advance(100);
    let stopped = false;
    void controller.stop().then(() => (stopped = true));
    await flushPromises();
    source.emit('ns/b');
    await clock.advance(5000);
    expect(stopped).toBe(false);
    expect(reconciler.calls.at(0)?.ctx.signal.aborted).toBe(false);
    finish(reconciler.calls[0]);
    await flushPromises();
    expect(stopped).toBe(true);
    expect(reconciler.calls.map((c) => c.key)).toEqual(['ns/a']);
  });

  it('aborts reconciles still running at the drain deadline', async () => {
    const { clock, reconciler, controller } = setup({ keys: ['ns/a'] });
    controller.start();
    await clock.advance(100);
    const call = reconciler.calls[0];
    call?.ctx.signal.addEventListener('abort', () => {
      finish(call);
    });
    let stopped = false;
    void controller.stop().then(() => (stopped = true));
    await clock.advance(9_999);
    expect(stopped).toBe(false);
    await clock.advance(1);
    expect(call?.ctx.signal.aborted).toBe(true);
    expect(stopped).toBe(true);
  });

  it('with leader election, works only while leading and resumes every key on re-election', async () => {
    const { clock, source, reconciler, controller, lead } = setup({
      keys: ['ns/a', 'ns/b'],
      elector: true,
    });
    controller.start();
    await clock.advance(1000);
    source.emit('ns/a');
    await flushPromises();
    expect(reconciler.calls).toHaveLength(0);
    expect(controller.readiness()).toEqual({
      ready: true,
      checks: { 'informer/canaries': true, leader: false },
    });

    await lead(true);
    await clock.advance(100);
    expect(reconciler.calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b']);
    const first = reconciler.calls[0];
    await lead(false);
    expect(first?.ctx.signal.aborted).toBe(true);
    finish(first);
    finish(reconciler.calls[1]);
    await flushPromises();
    source.emit('ns/a');
    await clock.advance(1000);
    expect(reconciler.calls).toHaveLength(2);

    await lead(true);
    await clock.advance(100);
    expect(reconciler.calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b', 'ns/a', 'ns/b']);
    finish(reconciler.calls[2]);
    finish(reconciler.calls[3]);
    await controller.stop();
  });
});
