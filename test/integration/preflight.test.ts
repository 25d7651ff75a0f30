// End-to-end, issue 12 items 2 and 6: a new revision whose checks cannot be evaluated never moves
// traffic. The controller (a child process with deploy/rbac.yaml's identity) against a real API
// server, a real Prometheus scraping every second and the mesh emulator: a templateRef naming a
// missing template, a PromQL syntax error, and a window shorter than two scrapes each end with
// Ready=False naming the check and the server's message, a Warning Event, and the TrafficSplit at
// 100/0 throughout.
import { describe, expect, it, jest } from '@jest/globals';
import type { Metric } from '../../src/api/canary.js';
import { deployInitialized, newRevision } from '../e2e/canary-run.js';
import { useE2E } from '../e2e/fixtures.js';
import { getCanary, waitForStatus } from '../e2e/harness.js';
import { APP } from '../e2e/manifests.js';
import { canaryEvents } from '../e2e/observers.js';

jest.setTimeout(240_000);

const e = useE2E('preflight');

/** The Canary of the e2e scenarios, with the given checks. */
function canaryYaml(ns: string, metrics: readonly Metric[]): string {
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
    threshold: 2
    stepWeights: [20, 50]
    metrics: ${JSON.stringify(metrics)}
`;
}

const RATE =
  'sum(increase(response_total{namespace="{{ namespace }}", deployment="{{ target }}"}[{{ interval }}]))';

interface Scenario {
  readonly ns: string;
  readonly metrics: readonly Metric[];
  readonly reason: string;
  /** What the Ready message must say after "<check>: ", given the world's Prometheus URL. */
  readonly says: (prometheusUrl: string) => RegExp;
}

const SCENARIOS: readonly Scenario[] = [
  {
    ns: 'e2e-pf-template',
    metrics: [{ name: 'budget', templateRef: { name: 'gone' }, thresholdRange: { min: 99 } }],
    reason: 'TemplateNotFound',
    says: () => /budget: AnalysisTemplate e2e-pf-template\/gone not found/,
  },
  {
    ns: 'e2e-pf-syntax',
    metrics: [
      {
        name: 'errors',
        prometheus: {
          query: 'sum(rate(response_total{namespace="{{ namespace }}"}[{{ interval }}])',
        },
        thresholdRange: { max: 1 },
      },
    ],
    reason: 'QueryInvalid',
    says: (url) =>
      new RegExp(
        `errors: query "sum\\(rate\\(response_total\\{namespace="e2e-pf-syntax"\\}\\[2s\\]\\)" on ${url}: prometheus query failed \\(HTTP 400\\): .*parse error`,
      ),
  },
  {
    ns: 'e2e-pf-window',
    metrics: [
      { name: 'short', interval: '1s', prometheus: { query: RATE }, thresholdRange: { min: 0 } },
    ],
    reason: 'AnalysisWindowTooShort',
    says: (url) =>
      new RegExp(
        `short: window 1s holds fewer than 2 scrapes: ${url} scrapes job "linkerd-proxy" every 1s; use a window of at least 2s`,
      ),
  },
];

// The scenarios at once, each in its own namespace.
describe('pre-flight refuses a run', () => {
  it.concurrent.each(SCENARIOS)(
    '$reason: ends Ready=False naming the check and the server, with a Warning Event, at 100/0',
    async ({ ns, metrics, reason, says }) => {
      const split = await deployInitialized(e, ns, { canary: canaryYaml(ns, metrics) });
      try {
        await newRevision(e, ns, { 'example.com/rev': '2' });
        const refused = await waitForStatus(e, ns, APP, `Ready=False ${reason}`, (s) =>
          (s.conditions ?? []).some((c) => c.type === 'Ready' && c.reason === reason),
        );
        const ready = refused.conditions?.find((c) => c.type === 'Ready');
        expect(ready?.status).toBe('False');
        expect(ready?.message).toMatch(says(e.world.prometheusUrl));
        expect(refused.phase).toBe('Waiting');
        expect(refused.canaryWeight ?? 0).toBe(0);
        const events = await canaryEvents(e.admin, ns, (evs) =>
          evs.some((ev) => ev.reason === reason),
        );
        const warning = events.find((ev) => ev.reason === reason);
        expect(warning?.type).toBe('Warning');
        expect(warning?.note).toMatch(says(e.world.prometheusUrl));
        // Several intervals later the run still waits, and the split never left 100/0.
        await new Promise((r) => setTimeout(r, 6_000));
        const later = (await getCanary(e, ns, APP)).status;
        expect(later?.phase).toBe('Waiting');
        expect(later?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe(reason);
        expect(split.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
        expect(split.weights).toEqual([0]);
      } finally {
        await split.stop();
      }
    },
  );
});
