// PromQL batching against an in-memory executor and a manual clock: how many queries N canaries
// cost, that each gets its own deployment's value, and that every answer measures exactly the
// window that ends at the asker's point of the step grid, which begins after its step began
// (issue 12 item 1, issue 14 item 4).
import { describe, expect, it } from '@jest/globals';
import { QueryBatcher, type BatchAnswer, type BatchShape } from '../../../src/metrics/batcher.js';
import { MetricsError } from '../../../src/metrics/errors.js';
import { measuredUntil, stepDue } from '../../../src/progression/step-grid.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { FakeExecutor, perTarget, targetsIn } from './fakes.js';

const WINDOW = 30_000;
const COALESCE = 20;
const NEWCOMER = 250;

function shape(namespace: string, window = '30s'): BatchShape {
  return {
    key: `prom\n${namespace}\n${window}`,
    endpoint: { address: 'http://prometheus:9090' },
    groupLabel: 'deployment',
    build: (t) =>
      `sum by (deployment) (rate(x{namespace="${namespace}", deployment=~"${t}"}[${window}]))`,
  };
}

/** A shape that selects its namespaces itself (as the mesh queries do): one key for all of them. */
function anyNamespace(window = '30s'): BatchShape {
  return {
    key: `prom\n${window}`,
    endpoint: { address: 'http://prometheus:9090' },
    groupLabel: 'deployment',
    namespaceLabel: 'namespace',
    build: (t, namespaces) =>
      `sum by (namespace, deployment) (rate(x{deployment=~"${t}", namespace=~"${namespaces.join('|')}"}[${window}]))`,
  };
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `app-${i}`);

function values(n: number): Record<string, number> {
  return Object.fromEntries(names(n).map((name, i) => [name, i * 10]));
}

/** A batcher on a manual clock; `settle` lets the coalescing timers fire and returns the answers. */
function world(executor: FakeExecutor, opts: { maxTargets?: number } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 12, 0, 0));
  const batcher = new QueryBatcher(executor, {
    clock,
    coalesceMs: COALESCE,
    newTargetCoalesceMs: NEWCOMER,
    ...opts,
  });
  /** A step whose window ends now: it began one window ago. */
  const step = () => ({ since: clock.now() - WINDOW, until: clock.now(), windowMs: WINDOW });
  const settle = async <T>(asked: Promise<T>): Promise<T> => {
    await clock.advance(NEWCOMER);
    return asked;
  };
  return { clock, batcher, step, settle };
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
  it('answers N canaries of one namespace judged at one point with ONE query evaluated at it', async () => {
    const executor = new FakeExecutor(perTarget('deployment', values(25)));
    const { batcher, step, settle } = world(executor);
    const ask = step();
    const answers = await settle(
      Promise.all(
        names(25).map((t) =>
          batcher.query(shape('shop'), { namespace: 'shop', target: t, ...ask }),
        ),
      ),
    );
    expect(executor.queries).toHaveLength(1);
    expect(executor.queries[0]?.query).toContain('by (deployment)');
    expect(executor.queries[0]?.at).toBe(ask.until);
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
    const { clock, batcher, step, settle } = world(executor);
    await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...step() }));
    await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'b', ...step() }));
    const sent = executor.queries.length;
    // Both are known now: a round opened for a selects b too and waits only COALESCE ms.
    const ask = step();
    const a = batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask });
    await clock.advance(COALESCE - 1);
    expect(executor.queries).toHaveLength(sent);
    const b = batcher.query(shape('ns'), { namespace: 'ns', target: 'b', ...ask });
    await clock.advance(1);
    expect(executor.queries).toHaveLength(sent + 1);
    expect(targetsIn(executor.queries[sent]?.query ?? '')).toEqual(['a', 'b']);
    expect(valueOf(await a)).toBe(1);
    expect(valueOf(await b)).toBe(2);
  });

  it('lets canaries asking for the first time wait for each other a little longer', async () => {
    const executor = counting();
    const { clock, batcher, step } = world(executor);
    const ask = step();
    const first = batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask });
    await clock.advance(NEWCOMER - 1);
    const second = batcher.query(shape('ns'), { namespace: 'ns', target: 'b', ...ask });
    expect(executor.queries).toHaveLength(0);
    await clock.advance(1);
    expect(executor.queries).toHaveLength(1);
    expect(valueOf(await first)).toBe(1);
    expect(valueOf(await second)).toBe(1);
  });

  it('sends a round a newcomer opened within COALESCE ms of a known target joining it', async () => {
    const executor = counting();
    const { clock, batcher, step, settle } = world(executor);
    await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'known', ...step() }));
    const sent = executor.queries.length;
    // A newcomer opens the next point's round (NEWCOMER ms); the known target joins 10 ms later.
    const ask = step();
    const newcomer = batcher.query(shape('ns'), { namespace: 'ns', target: 'new', ...ask });
    await clock.advance(10);
    const known = batcher.query(shape('ns'), { namespace: 'ns', target: 'known', ...ask });
    await clock.advance(COALESCE - 1);
    expect(executor.queries).toHaveLength(sent);
    await clock.advance(1);
    expect(executor.queries).toHaveLength(sent + 1);
    expect(targetsIn(executor.queries[sent]?.query ?? '')).toEqual(['known', 'new']);
    expect(valueOf(await newcomer)).toBe(sent + 1);
    expect(valueOf(await known)).toBe(sent + 1);
    // The newcomer's own timer, cancelled, sends nothing more.
    await clock.advance(NEWCOMER);
    expect(executor.queries).toHaveLength(sent + 1);
  });

  it('never delays a round when a known target joins it later than its own send time', async () => {
    const executor = counting();
    const { clock, batcher, step, settle } = world(executor);
    await settle(
      Promise.all(
        ['a', 'b'].map((t) =>
          batcher.query(shape('ns'), { namespace: 'ns', target: t, ...step() }),
        ),
      ),
    );
    const sent = executor.queries.length;
    const ask = step();
    const a = batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask });
    await clock.advance(COALESCE - 5);
    const b = batcher.query(shape('ns'), { namespace: 'ns', target: 'b', ...ask });
    await clock.advance(5);
    expect(executor.queries).toHaveLength(sent + 1);
    expect(valueOf(await a)).toBe(sent + 1);
    expect(valueOf(await b)).toBe(sent + 1);
  });

  it('hands a canary judged later at the same point the round already sent for it', async () => {
    const executor = counting();
    const { clock, batcher, step, settle } = world(executor);
    await settle(
      Promise.all(
        names(3).map((t) => batcher.query(shape('ns'), { namespace: 'ns', target: t, ...step() })),
      ),
    );
    // Next step: app-0 is judged first; its round selects every known canary.
    const ask = step();
    const first = await settle(
      batcher.query(shape('ns'), { namespace: 'ns', target: 'app-0', ...ask }),
    );
    await clock.advance(1_500); // the others' reconciles come later, for the same point
    const later = await Promise.all(
      ['app-1', 'app-2'].map((t) =>
        batcher.query(shape('ns'), { namespace: 'ns', target: t, ...ask }),
      ),
    );
    expect(executor.queries).toHaveLength(2);
    expect(executor.queries[1]?.at).toBe(ask.until);
    expect([first, ...later].map(valueOf)).toEqual([2, 2, 2]);
  });

  it('never hands a canary a round evaluated at another point, even a later one', async () => {
    const executor = counting();
    const { clock, batcher, step, settle } = world(executor);
    await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...step() }));
    await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'b', ...step() }));
    await clock.advance(1_000);
    const aAsk = step();
    const a = await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...aAsk }));
    expect(targetsIn(executor.queries[2]?.query ?? '')).toEqual(['a', 'b']);
    // b's step began after a's window did: a's round (which selected b) reaches back before it.
    const bSince = aAsk.until - WINDOW + 1;
    await clock.advance(bSince + WINDOW - clock.now());
    const bAsk = { since: bSince, until: bSince + WINDOW, windowMs: WINDOW };
    const b = await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'b', ...bAsk }));
    expect(executor.queries).toHaveLength(4);
    expect(executor.queries[3]?.at).toBe(bAsk.until);
    expect([valueOf(a), valueOf(b)]).toEqual([3, 4]);
  });

  it('refuses, without a query, a window that would begin before the step or is not over yet', async () => {
    const executor = counting();
    const { clock, batcher } = world(executor);
    const now = clock.now();
    const early = await batcher.query(shape('ns'), {
      namespace: 'ns',
      target: 'a',
      since: now - WINDOW + 1,
      until: now,
      windowMs: WINDOW,
    });
    const ahead = await batcher.query(shape('ns'), {
      namespace: 'ns',
      target: 'a',
      since: now - WINDOW,
      until: now + 1,
      windowMs: WINDOW,
    });
    expect(early.ok || early.error.message).toContain('would begin before the step began');
    expect(ahead.ok || ahead.error.message).toContain('is not over yet');
    expect(executor.queries).toHaveLength(0);
  });

  it('answers the same window asked again (a retried reconcile) with the same evaluation time', async () => {
    const executor = counting();
    const { batcher, step, settle } = world(executor);
    const ask = step();
    const first = await settle(
      batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask }),
    );
    const again = await settle(
      batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask }),
    );
    expect(valueOf(again)).toBe(valueOf(first));
    expect(executor.queries).toHaveLength(1);
  });

  it('costs one query per namespace and shape per window for a fleet on the step grid, and every answer starts after its step began', async () => {
    const executor = counting();
    const { clock, batcher } = world(executor);
    const STEP = WINDOW;
    const namespaces = ['shop', 'pay'];
    const fleet = namespaces.flatMap((ns) => names(20).map((t) => ({ ns, key: `${ns}/${t}`, t })));
    // Steps began scattered over 1.9 s; the grid (3 s for a 30 s step) gathers them.
    const sinceOf = new Map(fleet.map((c, i) => [c.key, clock.now() + 500 + ((i * 47) % 1_900)]));
    const evaluatedAt: number[] = []; // query n (value n) was evaluated at evaluatedAt[n - 1]
    const queriesPerStep: number[] = [];
    const windowsPerStep: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      const sent = executor.queries.length;
      const windows = new Set<string>(); // namespace and window end
      const asked: { key: string; since: number; at: number; answer: Promise<BatchAnswer> }[] = [];
      // Reconciles come one after another, 30 ms apart, each once its step is due.
      for (const c of fleet) {
        const since = sinceOf.get(c.key) ?? 0;
        const due = stepDue(since, STEP);
        if (clock.now() < due) await clock.advance(due - clock.now());
        const until = measuredUntil(since, STEP, clock.now());
        windows.add(`${c.ns}@${until}`);
        const answer = batcher.query(shape(c.ns), {
          namespace: c.ns,
          target: c.t,
          since,
          until,
          windowMs: WINDOW,
        });
        asked.push({ key: c.key, since, at: clock.now(), answer });
        await clock.advance(30);
      }
      await clock.advance(NEWCOMER);
      evaluatedAt.push(...executor.queries.slice(sent).map((q) => q.at ?? Number.NaN));
      for (const { key, since, at: judgedAt, answer } of asked) {
        const at = evaluatedAt[(valueOf(await answer) ?? 0) - 1] ?? Number.NaN;
        expect(at - WINDOW).toBeGreaterThanOrEqual(since);
        sinceOf.set(key, judgedAt); // the next step begins when this one was judged
      }
      queriesPerStep.push(executor.queries.length - sent);
      windowsPerStep.push(windows.size);
    }
    // The first step: nobody knew the fleet yet, so newcomers waited NEWCOMER ms for each other
    // (600 ms of reconciles per namespace: a few rounds each). From then on, one per window.
    expect(queriesPerStep[0]).toBeLessThanOrEqual(namespaces.length * (600 / NEWCOMER + 2));
    expect(queriesPerStep.slice(1)).toEqual(windowsPerStep.slice(1));
    // 1.2 s of reconciles per step fall on a few points of the 3 s grid, never one per canary.
    for (const w of windowsPerStep) expect(w).toBeLessThanOrEqual(3 * namespaces.length);
  });

  it('keeps namespaces, windows and shapes apart', async () => {
    const executor = new FakeExecutor(perTarget('deployment', { a: 1, b: 2 }));
    const { batcher, step, settle } = world(executor);
    const ask = step();
    await settle(
      Promise.all([
        batcher.query(shape('ns1'), { namespace: 'ns1', target: 'a', ...ask }),
        batcher.query(shape('ns1'), { namespace: 'ns1', target: 'b', ...ask }),
        batcher.query(shape('ns2'), { namespace: 'ns2', target: 'a', ...ask }),
        batcher.query(shape('ns1', '1m'), { namespace: 'ns1', target: 'a', ...ask }),
      ]),
    );
    expect(executor.queries.map((q) => q.query).sort()).toEqual([
      'sum by (deployment) (rate(x{namespace="ns1", deployment=~"(?:a)"}[1m]))',
      'sum by (deployment) (rate(x{namespace="ns1", deployment=~"(?:a|b)"}[30s]))',
      'sum by (deployment) (rate(x{namespace="ns2", deployment=~"(?:a)"}[30s]))',
    ]);
  });

  it('answers canaries of several namespaces with ONE query when the shape selects its namespaces', async () => {
    // Every selected (namespace, name) pair answers 10 × its namespace's number + its name's.
    const executor = new FakeExecutor((query) => {
      const nsList = /namespace=~"([^"]*)"/.exec(query)?.[1]?.split('|') ?? [];
      return nsList.flatMap((ns) =>
        targetsIn(query).map((t) => ({
          labels: { namespace: ns, deployment: t },
          value: 10 * Number(ns.slice(2)) + Number(t.slice(4)),
        })),
      );
    });
    const { batcher, step, settle } = world(executor);
    const ask = step();
    const fleet = [
      ['ns1', 'app-1'],
      ['ns2', 'app-1'],
      ['ns2', 'app-2'],
      ['ns3', 'app-3'],
    ] as const;
    const answers = await settle(
      Promise.all(
        fleet.map(([namespace, target]) =>
          batcher.query(anyNamespace(), { namespace, target, ...ask }),
        ),
      ),
    );
    expect(executor.queries).toHaveLength(1);
    expect(executor.queries[0]?.query).toBe(
      'sum by (namespace, deployment) (rate(x{deployment=~"(?:app-1|app-2|app-3)", namespace=~"ns1|ns2|ns3"}[30s]))',
    );
    // The query read every name in every namespace; each asker gets its own pair only.
    expect(answers).toEqual([
      { ok: true, samples: [{ labels: { namespace: 'ns1', deployment: 'app-1' }, value: 11 }] },
      { ok: true, samples: [{ labels: { namespace: 'ns2', deployment: 'app-1' }, value: 21 }] },
      { ok: true, samples: [{ labels: { namespace: 'ns2', deployment: 'app-2' }, value: 22 }] },
      { ok: true, samples: [{ labels: { namespace: 'ns3', deployment: 'app-3' }, value: 33 }] },
    ]);
  });

  it('counts maxTargets in namespace and name pairs, across namespaces', async () => {
    const executor = new FakeExecutor(() => []);
    const { batcher, step, settle } = world(executor, { maxTargets: 2 });
    const ask = step();
    await settle(
      Promise.all(
        ['ns1', 'ns2', 'ns3'].map((namespace) =>
          batcher.query(anyNamespace(), { namespace, target: 'web', ...ask }),
        ),
      ),
    );
    expect(executor.queries.map((q) => /namespace=~"([^"]*)"/.exec(q.query)?.[1])).toEqual([
      'ns1|ns2',
      'ns3',
    ]);
  });

  it('selects at most 1,000 targets in one query by default', async () => {
    const executor = new FakeExecutor(() => []);
    const { batcher, step, settle } = world(executor);
    const ask = step();
    await settle(
      Promise.all(
        names(1_001).map((t) =>
          batcher.query(anyNamespace(), { namespace: `ns${t.length}`, target: t, ...ask }),
        ),
      ),
    );
    expect(executor.queries.map((q) => targetsIn(q.query).length)).toEqual([1_000, 1]);
  });

  it('probes a shape at a point with any round of it there, and remembers the probed targets', async () => {
    const executor = counting();
    const { clock, batcher, step, settle } = world(executor);
    const ask = step();
    const first = await settle(
      batcher.probe(anyNamespace(), { namespace: 'a', target: 'web', ...ask }),
    );
    // Later pre-flights asking about the same point reuse the settled round: no query.
    const later = await Promise.all(
      ['b', 'c'].map((namespace) =>
        batcher.probe(anyNamespace(), { namespace, target: 'api', ...ask }),
      ),
    );
    expect([first, ...later]).toEqual([undefined, undefined, undefined]);
    expect(executor.queries).toHaveLength(1);
    // The first measured step's round selects every probed target, after the short wait only.
    await clock.advance(WINDOW);
    const measured = batcher.query(anyNamespace(), { namespace: 'a', target: 'web', ...step() });
    await clock.advance(COALESCE);
    expect(executor.queries).toHaveLength(2);
    expect(targetsIn(executor.queries[1]?.query ?? '')).toEqual(['api', 'web']);
    expect(executor.queries[1]?.query).toContain('namespace=~"a|b|c"');
    await measured;
  });

  it('gives every prober the error of the round it shares', async () => {
    const executor = new FakeExecutor(() => {
      throw new MetricsError('QueryFailed', 'prometheus query failed (HTTP 422): parse error');
    });
    const { batcher, step, settle } = world(executor);
    const ask = step();
    const errors = await settle(
      Promise.all(
        ['web', 'api'].map((target) =>
          batcher.probe(anyNamespace(), { namespace: 'a', target, ...ask }),
        ),
      ),
    );
    expect(executor.queries).toHaveLength(1);
    expect(errors.map((e) => e?.message)).toEqual([
      'prometheus query failed (HTTP 422): parse error',
      'prometheus query failed (HTTP 422): parse error',
    ]);
  });

  it('gives every asker the error when the query fails, and says no data by having no samples', async () => {
    const executor = new FakeExecutor(() => {
      throw new MetricsError('QueryFailed', 'prometheus query failed (HTTP 422): parse error');
    });
    const { batcher, step, settle } = world(executor);
    const ask = step();
    const [a, b] = await settle(
      Promise.all([
        batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask }),
        batcher.query(shape('ns'), { namespace: 'ns', target: 'b', ...ask }),
      ]),
    );
    expect(executor.queries).toHaveLength(1);
    for (const answer of [a, b]) {
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(answer.error.message).toContain('HTTP 422');
    }
    executor.answer = perTarget('deployment', { a: 1 });
    const missing = await settle(
      batcher.query(shape('ns2'), { namespace: 'ns2', target: 'b', ...ask }),
    );
    expect(missing).toEqual({ ok: true, samples: [] });
  });

  it('wraps an unexpected executor failure in a typed error', async () => {
    const executor = new FakeExecutor(() => {
      throw new TypeError('boom');
    });
    const { batcher, step, settle } = world(executor);
    const answer = await settle(
      batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...step() }),
    );
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error).toBeInstanceOf(MetricsError);
      expect(answer.error.cause).toBeInstanceOf(TypeError);
    }
  });

  it('splits more targets than maxTargets over several queries', async () => {
    const executor = new FakeExecutor(perTarget('deployment', values(7)));
    const { batcher, step, settle } = world(executor, { maxTargets: 3 });
    const ask = step();
    const answers = await settle(
      Promise.all(
        names(7).map((t) => batcher.query(shape('ns'), { namespace: 'ns', target: t, ...ask })),
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
    const { batcher, step, settle } = world(executor);
    await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'web.v2', ...step() }));
    expect(executor.queries[0]?.query).toContain('deployment=~"(?:web\\\\.v2)"');
  });

  it('drops an answered round once its window ended one window ago, and asks afresh after that', async () => {
    const executor = counting();
    const { clock, batcher, step, settle } = world(executor);
    const ask = step();
    await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask }));
    expect(batcher.roundCount).toBe(1);
    await clock.advance(ask.until + WINDOW - 1 - clock.now());
    // Its window ended less than one window ago: kept.
    expect(
      valueOf(await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask }))),
    ).toBe(1);
    await clock.advance(1);
    // Gone now; the same window is queried again if anyone still asks for it.
    const late = await settle(batcher.query(shape('ns'), { namespace: 'ns', target: 'a', ...ask }));
    expect(valueOf(late)).toBe(2);
    expect(executor.queries.map((q) => q.at)).toEqual([ask.until, ask.until]);
    expect(batcher.roundCount).toBe(1);
  });
});
