// PromQL batching against an in-memory executor: how many queries N canaries cost, and that each
// gets its own deployment's value.
import { describe, expect, it } from '@jest/globals';
import { QueryBatcher, type BatchShape } from '../../../src/metrics/batcher.js';
import { MetricsError } from '../../../src/metrics/errors.js';
import { FakeExecutor, manualClock, perTarget, targetsIn } from './fakes.js';

const INTERVAL = 30_000;

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

describe('QueryBatcher', () => {
  it('answers N canaries of one namespace asking together with ONE query, each with its own value', async () => {
    const executor = new FakeExecutor(perTarget('deployment', values(25)));
    const batcher = new QueryBatcher(executor, { coalesceMs: 0 });
    const answers = await Promise.all(
      names(25).map((t) => batcher.query(shape('shop'), t, 'success-rate', INTERVAL)),
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

  it('in steady state costs one query per interval even when canaries tick one after another', async () => {
    const clock = manualClock();
    const executor = new FakeExecutor(perTarget('deployment', values(10)));
    const batcher = new QueryBatcher(executor, { coalesceMs: 0, now: clock.now });
    // Ten canaries with a 30 s interval whose ticks are spread 3 s apart over the interval. The
    // first interval pays for discovering them; after that each interval is one query.
    for (let interval = 0; interval < 4; interval += 1) {
      const before = executor.queries.length;
      for (const t of names(10)) {
        const answer = await batcher.query(shape('shop'), t, 'sr', INTERVAL);
        expect(answer.ok && answer.samples.map((s) => s.labels.deployment)).toEqual([t]);
        clock.advance(3_000);
      }
      const sent = executor.queries.length - before;
      if (interval === 0) expect(sent).toBeLessThanOrEqual(10);
      else expect(sent).toBe(1);
    }
  });

  it('keeps namespaces, windows and shapes apart', async () => {
    const executor = new FakeExecutor(perTarget('deployment', { a: 1, b: 2 }));
    const batcher = new QueryBatcher(executor, { coalesceMs: 0 });
    await Promise.all([
      batcher.query(shape('ns1'), 'a', 'sr', INTERVAL),
      batcher.query(shape('ns1'), 'b', 'sr', INTERVAL),
      batcher.query(shape('ns2'), 'a', 'sr', INTERVAL),
      batcher.query(shape('ns1', '1m'), 'a', 'sr', INTERVAL),
    ]);
    expect(executor.queries.map((q) => q.query).sort()).toEqual([
      'sum by (deployment) (rate(x{namespace="ns1", deployment=~"(?:a)"}[1m]))',
      'sum by (deployment) (rate(x{namespace="ns1", deployment=~"(?:a|b)"}[30s]))',
      'sum by (deployment) (rate(x{namespace="ns2", deployment=~"(?:a)"}[30s]))',
    ]);
  });

  it('never hands the same answer to the same check twice', async () => {
    const clock = manualClock();
    let value = 0;
    const executor = new FakeExecutor(() => [{ labels: { deployment: 'a' }, value: (value += 1) }]);
    const batcher = new QueryBatcher(executor, { coalesceMs: 0, now: clock.now });
    const first = await batcher.query(shape('ns'), 'a', 'sr', INTERVAL);
    clock.advance(1_000); // an early tick, well inside the interval
    const second = await batcher.query(shape('ns'), 'a', 'sr', INTERVAL);
    const otherCheck = await batcher.query(shape('ns'), 'a', 'latency', INTERVAL);
    expect(first.ok && first.samples[0]?.value).toBe(1);
    expect(second.ok && second.samples[0]?.value).toBe(2);
    // A different check of the same canary may share the latest round.
    expect(otherCheck.ok && otherCheck.samples[0]?.value).toBe(2);
    expect(executor.queries).toHaveLength(2);
  });

  it('re-queries once the shared answer is older than the asker allows', async () => {
    const clock = manualClock();
    const executor = new FakeExecutor(perTarget('deployment', { a: 1, b: 2 }));
    const batcher = new QueryBatcher(executor, { coalesceMs: 0, now: clock.now });
    await batcher.query(shape('ns'), 'a', 'sr', INTERVAL);
    await batcher.query(shape('ns'), 'b', 'sr', INTERVAL); // b was not known when a's round went out
    const afterWarmUp = executor.queries.length;
    clock.advance(INTERVAL);
    await batcher.query(shape('ns'), 'a', 'sr', INTERVAL);
    clock.advance(5_000);
    await batcher.query(shape('ns'), 'b', 'sr', 4_000); // the shared round is 5 s old: too old for b
    expect(executor.queries.length - afterWarmUp).toBe(2);
  });

  it('gives every asker the error when the query fails, and says no data by having no samples', async () => {
    const executor = new FakeExecutor(() => {
      throw new MetricsError('QueryFailed', 'prometheus query failed (HTTP 422): parse error');
    });
    const batcher = new QueryBatcher(executor, { coalesceMs: 0 });
    const [a, b] = await Promise.all([
      batcher.query(shape('ns'), 'a', 'sr', INTERVAL),
      batcher.query(shape('ns'), 'b', 'sr', INTERVAL),
    ]);
    expect(executor.queries).toHaveLength(1);
    for (const answer of [a, b]) {
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(answer.error.message).toContain('HTTP 422');
    }
    executor.answer = perTarget('deployment', { a: 1 });
    const missing = await batcher.query(shape('ns2'), 'b', 'sr', INTERVAL);
    expect(missing).toEqual({ ok: true, samples: [] });
  });

  it('wraps an unexpected executor failure in a typed error', async () => {
    const executor = new FakeExecutor(() => {
      throw new TypeError('boom');
    });
    const answer = await new QueryBatcher(executor, { coalesceMs: 0 }).query(
      shape('ns'),
      'a',
      'sr',
      INTERVAL,
    );
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error).toBeInstanceOf(MetricsError);
      expect(answer.error.cause).toBeInstanceOf(TypeError);
    }
  });

  it('splits more targets than maxTargets over several queries', async () => {
    const executor = new FakeExecutor(perTarget('deployment', values(7)));
    const batcher = new QueryBatcher(executor, { coalesceMs: 0, maxTargets: 3 });
    const answers = await Promise.all(
      names(7).map((t) => batcher.query(shape('ns'), t, 'sr', INTERVAL)),
    );
    expect(executor.queries).toHaveLength(3);
    for (const q of executor.queries) expect(targetsIn(q.query).length).toBeLessThanOrEqual(3);
    answers.forEach((a, i) => {
      expect(a.ok && a.samples[0]?.value).toBe(i * 10);
    });
  });

  it('escapes regex metacharacters in target names', async () => {
    const executor = new FakeExecutor(() => []);
    await new QueryBatcher(executor, { coalesceMs: 0 }).query(
      shape('ns'),
      'web.v2',
      'sr',
      INTERVAL,
    );
    expect(executor.queries[0]?.query).toContain('deployment=~"(?:web\\\\.v2)"');
  });
});
