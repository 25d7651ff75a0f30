// Blue/green in the local world, measured on real requests (issue 12 item 11). The route gives a
// blue/green canary no traffic; its checks measure what reaches `<service>-canary` directly
// (mirrored or test traffic). Here the emulator's `canaryRps` sends that traffic, so the analysis
// judges real requests: a healthy revision passes every iteration on data (noData: fail would stop
// it otherwise) and a bad one fails on its error rate while the route never leaves the primary.
// Only measured iterations count: the first tick (pre-rollout only) reports `measuring iteration
// 1/N`, never `iteration 1/N passed`. The two revisions run at once, each in its own namespace.
import { describe, expect, it, jest } from '@jest/globals';
import { deployInitialized, newRevision, waitForEnd } from '../e2e/canary-run.js';
import { useE2E } from '../e2e/fixtures.js';
import { APP, BEHAVIOUR } from '../e2e/manifests.js';
import { canaryEvents, type EventJson } from '../e2e/observers.js';
import { queryAt } from './world-helpers.js';

jest.setTimeout(240_000);

const CANARY_RPS = 20;
const ITERATIONS = 3;

const e = useE2E('canary-load', { world: { emulator: { canaryRps: CANARY_RPS } } });

function blueGreenYaml(ns: string): string {
  return `apiVersion: weightlifter.io/v1alpha1
kind: Canary
metadata: {name: ${APP}, namespace: ${ns}}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: ${APP}}
  service: {port: 9898, targetPort: http}
  routing: {provider: smi}
  progressDeadlineSeconds: 60
  analysis:
    interval: 2s
    threshold: 1
    iterations: ${ITERATIONS}
    noData: fail
    metrics:
      # The canary's series are born inside the first iteration's window, and a rate needs two
      # of their scrapes (1 s apart) in it. A 3 s window left one margin scrape: one scrape late
      # under load means no data, and noData: fail fails the run. 4 s leaves two.
      - name: success-rate
        interval: 4s
        trafficMetrics: {metric: success-rate}
        thresholdRange: {min: 99}
`;
}

const advanced = (events: EventJson[]): string[] =>
  events.filter((ev) => ev.reason === 'Advanced').map((ev) => ev.note ?? '');

/** Requests the canary Deployment's pods received over the last `seconds`. */
async function canaryRequests(ns: string, seconds: number): Promise<number> {
  const query = `sum(increase(request_total{direction="inbound",namespace="${ns}",deployment="${APP}"}[${seconds}s]))`;
  const [sample] = await queryAt(e.world, query);
  return sample?.value ?? 0;
}

describe('blue/green analysed on traffic sent to <service>-canary (emulator canaryRps)', () => {
  it.concurrent(
    'a healthy revision passes each measured iteration and is promoted; the route never sent it traffic',
    async () => {
      const ns = 'bg-canary-load-ok';
      const split = await deployInitialized(e, ns, { canary: blueGreenYaml(ns) });
      try {
        const t0 = Date.now();
        await newRevision(e, ns, { 'example.com/rev': 'v2' });
        const done = await waitForEnd(e, ns);
        // The whole status on failure: which check failed, on what window.
        expect(done).toEqual(expect.objectContaining({ phase: 'Succeeded', dataSeen: true }));
        // Only the promotion moved the route: no weight during the iterations.
        expect(split.weights.filter((w) => w > 0 && w < 100)).toEqual([]);
        // The canary's pods answered real requests during the run (routed to -canary, not apex).
        const seconds = Math.ceil((Date.now() - t0) / 1000) + 1;
        expect(await canaryRequests(ns, seconds)).toBeGreaterThan(0);
        const events = await canaryEvents(e.admin, ns, (evs) =>
          advanced(evs).includes('canary weight 100'),
        );
        expect(advanced(events)).toEqual([
          `measuring iteration 1/${ITERATIONS}`,
          ...Array.from(
            { length: ITERATIONS },
            (_, i) => `iteration ${i + 1}/${ITERATIONS} passed`,
          ),
          // Then all traffic switches to it, and it is promoted.
          'canary weight 100',
        ]);
      } finally {
        await split.stop();
      }
    },
  );

  it.concurrent(
    'a revision whose every response fails is rolled back on its measured error rate, not counted as an iteration',
    async () => {
      const ns = 'bg-canary-load-bad';
      const split = await deployInitialized(e, ns, { canary: blueGreenYaml(ns) });
      try {
        await newRevision(e, ns, { ...BEHAVIOUR.errorRate(1), 'example.com/rev': 'bad' });
        const done = await waitForEnd(e, ns);
        expect(done.phase).toBe('Failed');
        const failed = done.lastAnalysis?.find((m) => m.result === 'Failed');
        expect(failed?.metric).toBe('success-rate');
        // Measured on real (failing) requests: a rate, not "no data".
        expect(failed?.value).toBe(0);
        expect(split.weights.filter((w) => w > 0)).toEqual([]);
        const events = await canaryEvents(e.admin, ns, (evs) =>
          evs.some((ev) => ev.reason === 'RolledBack' || ev.type === 'Warning'),
        );
        expect(advanced(events)).toEqual([`measuring iteration 1/${ITERATIONS}`]);
      } finally {
        await split.stop();
      }
    },
  );
});
