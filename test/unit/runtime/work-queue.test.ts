import { describe, expect, it } from '@jest/globals';
import { ManualClock, flushPromises } from '../../../src/time/manual-clock.js';
import { WorkQueue } from '../../../src/runtime/work-queue.js';
import { backoffDelay } from '../../../src/time/backoff.js';

const backoff = { baseMs: 100, maxMs: 1000 };

function newQueue(): { clock: ManualClock; queue: WorkQueue } {
  const clock = new ManualClock();
  return { clock, queue: new WorkQueue({ clock, backoff }) };
}

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
    expect(queue.len()).toBe(0);
  });

  it('never hands out a key that is being processed; a re-add runs after done()', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    const first = await queue.get();
    expect(first).toBe('ns/a');
    queue.add('ns/a');
    queue.add('ns/a');
    expect(queue.len()).toBe(0);
    expect(queue.processingLen()).toBe(1);

    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await flushPromises();
    expect(second).toBeUndefined();

    queue.done('ns/a');
    await flushPromises();
    expect(second).toBe('ns/a');
    queue.done('ns/a');
    expect(queue.len()).toBe(0);
    expect(queue.processingLen()).toBe(0);
  });

  it('does not requeue on done() when nothing was added meanwhile', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    await queue.get();
    queue.done('ns/a');
    expect(queue.len()).toBe(0);
  });

  it('hands a key straight to a waiting worker', async () => {
    const { queue } = newQueue();
    const pending = queue.get();
    queue.add('ns/a');
    expect(await pending).toBe('ns/a');
    expect(queue.processingLen()).toBe(1);
  });

  it('addAfter delays a key; the earliest requested time wins', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('ns/a', 1000);
    queue.addAfter('ns/a', 500);
    queue.addAfter('ns/a', 2000);
    expect(queue.delayedLen()).toBe(1);
    await clock.advance(499);
    expect(queue.len()).toBe(0);
    await clock.advance(1);
    expect(queue.len()).toBe(1);
    expect(queue.delayedLen()).toBe(0);
    await clock.advance(5000);
    expect(queue.len()).toBe(1);
  });

  it('addRateLimited backs off exponentially per key, capped, and forget() resets it', async () => {
    const { clock, queue } = newQueue();
    const expected = [100, 200, 400, 800, 1000, 1000];
    for (const delay of expected) {
      queue.addRateLimited('ns/a');
      await clock.advance(delay - 1);
      expect(queue.len()).toBe(0);
      await clock.advance(1);
      expect(queue.len()).toBe(1);
      expect(await queue.get()).toBe('ns/a');
      queue.done('ns/a');
    }
    expect(queue.numRequeues('ns/a')).toBe(expected.length);
    queue.forget('ns/a');
    expect(queue.numRequeues('ns/a')).toBe(0);
    queue.addRateLimited('ns/a');
    await clock.advance(100);
    expect(queue.len()).toBe(1);
  });

  it('keeps backoff per key', async () => {
    const { clock, queue } = newQueue();
    queue.addRateLimited('ns/a');
    queue.addRateLimited('ns/a'); // a: 2 failures -> 200 ms
    queue.addRateLimited('ns/b'); // b: 1 failure -> 100 ms
    await clock.advance(100);
    expect(await queue.get()).toBe('ns/a'); // a's first (100 ms) request fired too: earliest wins
    expect(queue.numRequeues('ns/a')).toBe(2);
    expect(queue.numRequeues('ns/b')).toBe(1);
  });

  it('shutDown releases waiting workers and ignores further adds', async () => {
    const { queue } = newQueue();
    const pending = queue.get();
    queue.shutDown();
    expect(await pending).toBeUndefined();
    queue.add('ns/a');
    queue.addAfter('ns/b', 10);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it('shutDownWithDrain waits for in-flight keys', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    await queue.get();
    let drained = false;
    void queue.shutDownWithDrain().then(() => (drained = true));
    await flushPromises();
    expect(drained).toBe(false);
    queue.done('ns/a');
    await flushPromises();
    expect(drained).toBe(true);
  });

  it('reports depth to its metrics sink', () => {
    const depths: number[] = [];
    let retries = 0;
    const queue = new WorkQueue({
      clock: new ManualClock(),
      metrics: { setDepth: (d) => depths.push(d), incRetries: () => (retries += 1) },
    });
    queue.add('a');
    queue.add('b');
    queue.addRateLimited('c');
    expect(depths).toEqual([1, 2]);
    expect(retries).toBe(1);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0],
    [1, 100],
    [2, 200],
    [4, 800],
    [5, 1000],
    [50, 1000],
    [100_000, 1000],
  ])('after %i failures waits %i ms', (failures, ms) => {
    expect(backoffDelay(backoff, failures)).toBe(ms);
  });
});
