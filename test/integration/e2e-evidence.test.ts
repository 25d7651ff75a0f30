// End-to-end, issue 12 ("evidence before promotion") items 4, 7 and 8, against the real control
// plane, a real Prometheus and the mesh emulator, with the controller as its own identity:
// skipAnalysis never copies a revision that cannot become ready to the primary; a Prometheus
// outage holds every run in flight instead of rolling healthy releases back; the canary's
// readiness deadline runs from when it became unready, not from the start of the step.
import { describe, expect, it, jest } from '@jest/globals';
import { deployInitialized, newRevision, waitForEnd, waitForWeight } from '../e2e/canary-run.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, waitForStatus } from '../e2e/harness.js';
import { APP, BEHAVIOUR } from '../e2e/manifests.js';
import { canaryEvents, getDeployment } from '../e2e/observers.js';
import { READY_ANNOTATION } from '../../dev/local/kwok-stages.js';
import type { CanaryStatus } from '../../src/api/canary.js';

jest.setTimeout(240_000);

const e = useE2E('evidence');

const readyReason = (s: CanaryStatus | undefined): string | undefined =>
  s?.conditions?.find((c) => c.type === 'Ready')?.reason;

const revisionOf = async (ns: string, name: string): Promise<string | undefined> =>
  (await getDeployment(e.admin, ns, name))?.metadata?.annotations?.['weightlifter.io/revision'];

// Items 4 and 7 run side by side: item 4 measures nothing (skipAnalysis), so item 7's Prometheus
// outage does not touch it.
describe('items 4 and 7', () => {
  it.concurrent(
    'item 4: skipAnalysis with a revision that never becomes ready fails the run and leaves the primary on the last promoted template, serving',
    async () => {
      const ns = 'e2e-skip-never-ready';
      const split = await deployInitialized(e, ns, {
        canary: { skipAnalysis: true, progressDeadlineSeconds: 12 },
      });
      try {
        const promotedBefore = await revisionOf(ns, `${APP}-primary`);
        await newRevision(e, ns, { ...BEHAVIOUR.neverReady(), 'example.com/rev': 'broken' });
        await waitForStatus(
          e,
          ns,
          APP,
          'waiting for the canary',
          (s) => readyReason(s) === 'WaitingForCanary',
        );
        const done = await waitForEnd(e, ns, 60_000);
        expect(done.phase).toBe('Failed');
        expect(['ProgressDeadlineExceeded', 'CanaryNotReady']).toContain(readyReason(done));
        expect(done.lastPromotedRevision).not.toBe(done.revision);
        const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
        expect(primary?.metadata?.annotations?.['weightlifter.io/revision']).toBe(promotedBefore);
        expect(primary?.spec?.template?.metadata?.annotations?.[READY_ANNOTATION]).toBeUndefined();
        expect(primary?.status?.readyReplicas).toBe(2);
        expect(split.weights).toEqual([0]);
      } finally {
        await split.stop();
      }
    },
  );

  it.concurrent(
    'item 7: a Prometheus outage while four healthy canaries progress holds every run with a clear reason, rolls none back, and promotes all once it is back',
    async () => {
      const namespaces = ['e2e-outage-a', 'e2e-outage-b', 'e2e-outage-c', 'e2e-outage-d'];
      const intervalMs = 3_000;
      const splits = [];
      for (const ns of namespaces) {
        splits.push(
          await deployInitialized(e, ns, {
            canary: {
              interval: '3s',
              threshold: 2,
              stepWeights: [10, 20, 30, 40, 50],
              progressDeadlineSeconds: 120,
            },
          }),
        );
      }
      try {
        for (const ns of namespaces) await newRevision(e, ns, { 'example.com/rev': '2' });
        for (const ns of namespaces) await waitForWeight(e, ns, 20);
        await e.world.prometheus.kill();
        const outageStart = Date.now();
        // Each run notices and holds, saying why.
        const held = await Promise.all(
          namespaces.map((ns) =>
            waitForStatus(
              e,
              ns,
              APP,
              'holding: MetricsUnavailable',
              (s) => readyReason(s) === 'MetricsUnavailable',
              30_000,
            ),
          ),
        );
        for (const s of held) {
          expect(s.phase).toBe('Progressing');
          expect(s.failedChecks ?? 0).toBe(0);
          expect(s.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
            'checks could not be evaluated',
          );
        }
        await eventually('three intervals of outage', () =>
          Date.now() - outageStart >= 3 * intervalMs ? true : undefined,
        );
        const during = await Promise.all(
          namespaces.map(async (ns) => (await getCanary(e, ns, APP)).status),
        );
        for (const s of during) expect(s?.phase).toBe('Progressing');
        const weightsDuring = during.map((s) => s?.canaryWeight);
        await e.world.prometheus.restart();
        const ends = await Promise.all(namespaces.map((ns) => waitForEnd(e, ns, 150_000)));
        for (const [i, done] of ends.entries()) {
          expect({ ns: namespaces[i], phase: done.phase }).toEqual({
            ns: namespaces[i],
            phase: 'Succeeded',
          });
          expect(done.failedChecks ?? 0).toBe(0);
        }
        // No weight moved while nothing could be measured, and each weight was still stepped through.
        for (const [i, split] of splits.entries()) {
          const w = weightsDuring[i] ?? -1;
          expect(split.weights).toEqual(expect.arrayContaining([w]));
          expect(split.weights.filter((x) => x > 0)).toEqual([10, 20, 30, 40, 50]);
        }
        for (const ns of namespaces) {
          const events = await canaryEvents(e.admin, ns);
          expect(
            events.some((ev) => ev.reason === 'MetricsUnavailable' && ev.type === 'Warning'),
          ).toBe(true);
        }
      } finally {
        if (
          (await fetch(`${e.world.prometheusUrl}/-/ready`).catch(() => undefined)) === undefined
        ) {
          await e.world.prometheus.restart();
        }
        for (const split of splits) await split.stop();
      }
    },
  );
});

describe('item 8: the canary becomes unready late in a step', () => {
  const ns = 'e2e-unready-late';
  const deployed = initializedCanary(e, ns, {
    canary: { interval: '12s', threshold: 3, stepWeights: [20, 50], progressDeadlineSeconds: 20 },
  });

  const annotateCanaryPods = async (value: string | null): Promise<void> => {
    const arg = value === null ? `${READY_ANNOTATION}-` : `${READY_ANNOTATION}=${value}`;
    await e.kubectl(['-n', ns, 'annotate', 'pods', '-l', `app=${APP}`, arg, '--overwrite']);
  };

  it('gets the whole progress deadline from when it became unready, and the run goes on', async () => {
    const { split } = deployed;
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const at20 = await waitForWeight(e, ns, 20);
    await split.reached(20);
    const stepStart = Date.parse(at20.phaseSince ?? '');
    // 9 s into a step whose deadline, counted from the step, would end at 20 s.
    await eventually('9 s into the step', () =>
      Date.now() - stepStart >= 9_000 ? true : undefined,
    );
    await annotateCanaryPods('false');
    const waiting = await waitForStatus(
      e,
      ns,
      APP,
      'waiting for the canary',
      (s) => readyReason(s) === 'WaitingForCanary',
      30_000,
    );
    expect(waiting.canaryUnreadySince).toBeDefined();
    // Past the step-based deadline (20 s after the step began), within the unready-based one.
    await eventually(
      '24 s into the step',
      () => (Date.now() - stepStart >= 24_000 ? true : undefined),
      30_000,
    );
    const mid = (await getCanary(e, ns, APP)).status;
    expect(mid?.phase).toBe('Progressing');
    await annotateCanaryPods(null);
    const done = await waitForEnd(e, ns, 120_000);
    expect(done.phase).toBe('Succeeded');
  });
});
