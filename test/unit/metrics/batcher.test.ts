// PromQL batching against an in-memory executor and a manual clock: how many queries N canaries
// cost, that each gets its own deployment's value, and that no canary is ever handed a round that
// started before its own step's window was complete (issue 12 item 1).
import { describe, expect, it } from '@jest/globals';
import { QueryBatcher, type BatchAnswer, type BatchShape } from '../../../src/metrics/batcher.js';
import { MetricsError } from '../../../src/metrics/errors.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { FakeExecutor, perTarget, targetsIn } from './fakes.js';

const WINDOW = 30_000;
const COALESCE = 20;

function shape(namespace: string, window = '30s'): BatchShape {
  return {
    key: `prom\n${namespace}\n${window}`,
    endpoint: { address: 'http://prometheus:9090' },
    groupLabel: 'deployment',
    build: (t) =>
      `sum by (deployment) (rate(x{namespace="${namespace}", deployment=~"${t}"}[${window}]))`,
  };
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `app-${i}`);

function values(n: number): Record<string, number> {
  return Object.fromEntries(names(n).map((name, i) => [name, i * 10]));
}

/** A batcher on a manual clock; `settle` lets the coalescing timer fire and returns the answers. */
function world(executor: FakeExecutor, opts: { maxTargets?: number } = {}) {
  const clock = new ManualClock();
  const batcher = new QueryBatcher(executor, { clock, coalesceMs: COALESCE, ...opts });
  /** A step whose window is complete now: it began one window ago. */
  const stepStart = (): number => clock.now() - WINDOW;
  const settle = async <T>(asked: Promise<T>): Promise<T> => {
    await clock.advance(COALESCE);
    return asked;
  };
  return { clock, batcher, stepStart, settle };
}

const valueOf = (answer: BatchAnswer): number | undefined =>
  answer.ok ? answer.samples[0]?.value : undefined;

/** An executor whose every query answers a new value (1, 2, ...) for every selected target. */
function counting(): FakeExecutor {
  let n = 0;
  return new FakeExecutor((query) => {
    n += 1;
    return targetsIn(query).map((t) => ({ labels: { deployment: t }, value: n }));
  });
}

describe('QueryBatcher', () => {
  it('answers N canaries of one namespace asking together with ONE query, each with its own value', async () => {
    const executor = new FakeExecutor(perTarget('deployment', values(25)));
    const { batcher, stepStart, settle } = world(executor);
    const since = stepStart();
    const answers = await settle(
      Promise.all(
        names(25).map((t) =>
          batcher.query(shape('shop'), { target: t, check: 'sr', since, windowMs: WINDOW }),
        ),
      ),
    );
    expect(executor.queries).toHaveLength(1);
    expect(executor.queries[0]?.query).toContain('by (deployment)');
    expect(targetsIn(executor.queries[0]?.query ?? '')).toEqual([...names(25)].sort());
    answers.forEach((a, i) => {
      expect(a).toEqual({
        ok: true,
        samples: [{ labels: { deployment: `app-${i}` }, value: i * 10 }],
      });
    });
  });

  it('sends nothing before the coalescing period is over, and lets askers within it join', async () => {
    const executor = new FakeExecutor(perTarget('deployment', { a: 1, b: 2 }));
    const { clock, batcher } = world(executor);
    const since = clock.now() - WINDOW;
    const a = batcher.query(shape('ns'), { target: 'a', check: 'sr', since, windowMs: WINDOW });
    await clock.advance(COALESCE - 1);
    expect(executor.queries).toHaveLength(0);
    const b = batcher.query(shape('ns'), { target: 'b', check: 'sr', since, windowMs: WINDOW });
    await clock.advance(1);
    expect(executor.queries).toHaveLength(1);
    expect(targetsIn(executor.queries[0]?.query ?? '')).toEqual(['a', 'b']);
    expect(valueOf(await a)).toBe(1);
    expect(valueOf(await b)).toBe(2);
  });

  it("never hands a canary another canary's round sent before its step's window was complete", async () => {
    const executor = counting();
    const { clock, batcher, settle } = world(executor);
    // b is known to the group, so a's rounds include it.
    const old = clock.now() - 10 * WINDOW;
    await settle(
      batcher.query(shape('ns'), { target: 'b', check: 'sr', since: old, windowMs: WINDOW }),
    );
    await clock.advance(1_000);
    // b moves to its next weight now; a's check comes due 1 s later and its round covers b too.
    const bSince = clock.now();
    await clock.advance(1_000);
    const a = await settle(
      batcher.query(shape('ns'), { target: 'a', check: 'sr', since: old, windowMs: WINDOW }),
    );
    expect(valueOf(a)).toBe(2);
    expect(targetsIn(executor.queries[1]?.query ?? '')).toEqual(['a', 'b']);
    // b's check, due one window after its step began, well within one interval of a's round.
    await clock.advance(bSince + WINDOW - clock.now());
    const b = await settle(
      batcher.query(shape('ns'), { target: 'b', check: 'sr', since: bSince, windowMs: WINDOW }),
    );
    expect(executor.queries).toHaveLength(3);
    expect(valueOf(b)).toBe(3);
  });

  it('shares a round with every canary whose window was complete when it was sent (aligned steps)', async () => {
    const executor = counting();
    const { clock, batcher, settle } = world(executor);
    const since = clock.now() - WINDOW;
    await settle(batcher.query(shape('ns'), { target: 'b', check: 'sr', since, windowMs: WINDOW }));
    await settle(batcher.query(shape('ns'), { target: 'a', check: 'sr', since, windowMs: WINDOW }));
    expect(executor.queries).toHaveLength(2); // a was not known when b's round went out
    await clock.advance(WINDOW);
    const next = clock.now() - WINDOW; // both moved on at the same moment
    const a = await settle(
      batcher.query(shape('ns'), { target: 'a', check: 'sr', since: next, windowMs: WINDOW }),
    );
    await clock.advance(2_000);
    const b = await settle(
      batcher.query(shape('ns'), { target: 'b', check: 'sr', since: next, windowMs: WINDOW }),
    );
    expect(executor.queries).toHaveLength(3);
    expect(valueOf(a)).toBe(3);
    expect(valueOf(b)).toBe(3);
  });

  it('takes a round sent exactly at since + window, and not one sent a millisecond before', async () => {
    const executor = counting();
    const { clock, batcher, settle } = world(executor);
    const ask = (target: string, check: string, since: number) =>
      settle(batcher.query(shape('ns'), { target, check, since, windowMs: WINDOW }));
    await ask('a', 'sr', 0);
    await ask('b', 'sr', 0); // both are known now: the next round covers a and b
    await clock.advance(5_000);
    const sentAt = clock.now() + COALESCE;
    await ask('a', 'sr', clock.now() - WINDOW); // opens a round, sent COALESCE ms later
    expect(clock.now()).toBe(sentAt);
    const sent = executor.queries.length;
    const onTime = await ask('b', 'sr', sentAt - WINDOW);
    expect(executor.queries).toHaveLength(sent);
    expect(valueOf(onTime)).toBe(sent);
    await clock.advance(1);
    const late = await ask('a', 'latency', sentAt - WINDOW + 1);
    expect(executor.queries).toHaveLength(sent + 1);
    expect(valueOf(late)).toBe(sent + 1);
  });

  it('lets a canary whose window completes while a round is collecting join it', async () => {
    const executor = counting();
    const { clock, batcher } = world(executor);
    const opened = clock.now();
    const a = batcher.query(shape('ns'), {
      target: 'a',
      check: 'sr',
      since: opened - WINDOW,
      windowMs: WINDOW,
    });
    await clock.advance(COALESCE / 2);
    // b's window was not complete when the round opened, but is before it is sent.
    const b = batcher.query(shape('ns'), {
      target: 'b',
      check: 'sr',
      since: clock.now() - WINDOW,
      windowMs: WINDOW,
    });
    await clock.advance(COALESCE);
    expect(executor.queries).toHaveLength(1);
    expect(targetsIn(executor.queries[0]?.query ?? '')).toEqual(['a', 'b']);
    expect(valueOf(await a)).toBe(1);
    expect(valueOf(await b)).toBe(1);
  });

  it('never hands the same answer to the same check twice', async () => {
    const executor = counting();
    const { batcher, stepStart, settle } = world(executor);
    const since = stepStart();
    const ask = (check: string) =>
      settle(batcher.query(shape('ns'), { target: 'a', check, since, windowMs: WINDOW }));
    const first = await ask('sr');
    const second = await ask('sr'); // the same step checked again
    const otherCheck = await ask('latency');
    expect(valueOf(first)).toBe(1);
    expect(valueOf(second)).toBe(2);
    // A different check of the same canary may share the latest round.
    expect(valueOf(otherCheck)).toBe(2);
    expect(executor.queries).toHaveLength(2);
  });

  it('costs one query per step for canaries whose steps are aligned, one per canary otherwise', async () => {
    const executor = counting();
    const { clock, batcher, settle } = world(executor);
    const targets = names(10);
    let since = clock.now() - WINDOW;
    for (const t of targets) {
      await settle(
        batcher.query(shape('shop'), { target: t, check: 'sr', since, windowMs: WINDOW }),
      );
    }
    for (let step = 0; step < 3; step += 1) {
      await clock.advance(WINDOW);
      since = clock.now() - WINDOW;
      const before = executor.queries.length;
      for (const t of targets) {
        const answer = await settle(
          batcher.query(shape('shop'), { target: t, check: 'sr', since, windowMs: WINDOW }),
        );
        expect(answer.ok && answer.samples.map((s) => s.labels.deployment)).toEqual([t]);
        await clock.advance(100);
      }
      expect(executor.queries.length - before).toBe(1);
    }
    // Steps 3 s apart: no canary's window is complete when the previous one's round starts.
    await clock.advance(WINDOW);
    const before = executor.queries.length;
    for (const [i, t] of targets.entries()) {
      const stagger = clock.now() - WINDOW + i * 3_000;
      await clock.advance(stagger + WINDOW - clock.now());
      await settle(
        batcher.query(shape('shop'), { target: t, check: 'sr', since: stagger, windowMs: WINDOW }),
      );
    }
    expect(executor.queries.length - before).toBe(targets.length);
  });

  it('keeps namespaces, windows and shapes apart', async () => {
    const executor = new FakeExecutor(perTarget('deployment', { a: 1, b: 2 }));
    const { batcher, stepStart, settle } = world(executor);
    const since = stepStart();
    const ask = (target: string) => ({ target, check: 'sr', since, windowMs: WINDOW });
    await settle(
      Promise.all([
        batcher.query(shape('ns1'), ask('a')),
        batcher.query(shape('ns1'), ask('b')),
        batcher.query(shape('ns2'), ask('a')),
        batcher.query(shape('ns1', '1m'), ask('a')),
      ]),
    );
    expect(executor.queries.map((q) => q.query).sort()).toEqual([
      'sum by (deployment) (rate(x{namespace="ns1", deployment=~"(?:a)"}[1m]))',
      'sum by (deployment) (rate(x{namespace="ns1", deployment=~"(?:a|b)"}[30s]))',
      'sum by (deployment) (rate(x{namespace="ns2", deployment=~"(?:a)"}[30s]))',
    ]);
  });

  it('gives every asker the error when the query fails, and says no data by having no samples', async () => {
    const executor = new FakeExecutor(() => {
      throw new MetricsError('QueryFailed', 'prometheus query failed (HTTP 422): parse error');
    });
    const { batcher, stepStart, settle } = world(executor);
    const since = stepStart();
    const ask = (target: string) => ({ target, check: 'sr', since, windowMs: WINDOW });
    const [a, b] = await settle(
      Promise.all([batcher.query(shape('ns'), ask('a')), batcher.query(shape('ns'), ask('b'))]),
    );
    expect(executor.queries).toHaveLength(1);
    for (const answer of [a, b]) {
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(answer.error.message).toContain('HTTP 422');
    }
    executor.answer = perTarget('deployment', { a: 1 });
    const missing = await settle(batcher.query(shape('ns2'), ask('b')));
    expect(missing).toEqual({ ok: true, samples: [] });
  });

  it('wraps an unexpected executor failure in a typed error', async () => {
    const executor = new FakeExecutor(() => {
      throw new TypeError('boom');
    });
    const { batcher, stepStart, settle } = world(executor);
    const answer = await settle(
      batcher.query(shape('ns'), {
        target: 'a',
        check: 'sr',
        since: stepStart(),
        windowMs: WINDOW,
      }),
    );
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error).toBeInstanceOf(MetricsError);
      expect(answer.error.cause).toBeInstanceOf(TypeError);
    }
  });

  it('splits more targets than maxTargets over several queries', async () => {
    const executor = new FakeExecutor(perTarget('deployment', values(7)));
    const { batcher, stepStart, settle } = world(executor, { maxTargets: 3 });
    const since = stepStart();
    const answers = await settle(
      Promise.all(
        names(7).map((t) =>
          batcher.query(shape('ns'), { target: t, check: 'sr', since, windowMs: WINDOW }),
        ),
      ),
    );
    expect(executor.queries).toHaveLength(3);
    for (const q of executor.queries) expect(targetsIn(q.query).length).toBeLessThanOrEqual(3);
    answers.forEach((a, i) => {
      expect(valueOf(a)).toBe(i * 10);
    });
  });

  it('escapes regex metacharacters in target names', async () => {
    const executor = new FakeExecutor(() => []);
    const { batcher, stepStart, settle } = world(executor);
    await settle(
      batcher.query(shape('ns'), {
        target: 'web.v2',
        check: 'sr',
        since: stepStart(),
        windowMs: WINDOW,
      }),
    );
    expect(executor.queries[0]?.query).toContain('deployment=~"(?:web\\\\.v2)"');
  });

  it('drops an answered round once it is older than its window, and asks afresh after that', async () => {
    const executor = counting();
    const { clock, batcher, settle } = world(executor);
    const ask = (target: string, check: string, since: number) =>
      settle(batcher.query(shape('ns'), { target, check, since, windowMs: WINDOW }));
    await ask('a', 'sr', clock.now() - WINDOW);
    await ask('b', 'sr', clock.now() - WINDOW); // both are known now
    await clock.advance(5_000);
    await ask('a', 'sr', clock.now() - WINDOW); // round 3 covers a and b
    expect(executor.queries).toHaveLength(3);
    await clock.advance(WINDOW - 1);
    // Younger than its window: kept, and b (whose step began long before it) shares it.
    expect(valueOf(await ask('b', 'sr', 0))).toBe(3);
    expect(executor.queries).toHaveLength(3);
    await clock.advance(1);
    // As old as its window: it measured nothing of the last window's traffic. Gone, and b's other
    // check, which could have taken it, gets a fresh query.
    expect(valueOf(await ask('b', 'latency', 0))).toBe(4);
    expect(executor.queries).toHaveLength(4);
    expect(batcher.roundCount).toBe(1);
    await clock.advance(WINDOW);
    await ask('a', 'sr', clock.now() - WINDOW);
    expect(batcher.roundCount).toBe(1);
  });
});
