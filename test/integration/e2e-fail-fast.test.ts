// End-to-end, issue 14 item 5 (fail fast), against the real control plane, a real Prometheus
// scraping every 2 s and the mesh emulator: a revision whose every response fails is rolled back
// within its first step, long before that step's 30 s interval ends, by two successive fail-fast
// evaluations. The statement is behavioural, read from the status the controller recorded (the
// step's start and the rollback's time), never a wall-clock timeout.
import { describe, expect, it, jest } from '@jest/globals';
import { useE2E } from '../e2e/fixtures.js';
import { phaseIs, waitForStatus } from '../e2e/harness.js';
import { APP, appYaml, namespaceYaml } from '../e2e/manifests.js';
import { EMULATOR_ANNOTATIONS } from '../../dev/local/emulator/annotations.js';
import type { CanaryStatus } from '../../src/api/canary.js';

jest.setTimeout(240_000);

const NS = 'e2e-fail-fast';
const NAME = APP;
const INTERVAL_MS = 30_000;

const e = useE2E('fail-fast', {
  world: { defaultRps: 100, scrapeIntervalSeconds: 2 },
  controllerArgs: ['--traffic-metrics', 'computed'],
});

const app = (annotations: Record<string, string>): string =>
  appYaml(NS, { replicas: 1, annotations });

// threshold 5: the step's own check at the end of the interval could not roll back on its own.
const canary = `apiVersion: weightlifter.io/v1alpha1
kind: Canary
metadata: {name: ${NAME}, namespace: ${NS}}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: ${NAME}}
  service: {port: 9898, targetPort: http}
  routing: {provider: smi, smiVersion: auto}
  analysis:
    interval: 30s
    threshold: 5
    minRequests: 10
    stepWeights: [20, 50]
    metrics:
      - name: success-rate
        trafficMetrics: {metric: success-rate}
        thresholdRange: {min: 99}
`;

const waitFor = (what: string, ok: (s: CanaryStatus) => boolean): Promise<CanaryStatus> =>
  waitForStatus(e, NS, NAME, what, ok, 120_000);
const readyReason = (s: CanaryStatus): string | undefined =>
  s.conditions?.find((c) => c.type === 'Ready')?.reason;

describe('fail-fast', () => {
  it('rolls a revision whose every request fails back within a fraction of its first interval', async () => {
    await e.apply(namespaceYaml(NS));
    await e.apply(app({}));
    await e.apply(canary);
    await waitFor('Initialized', phaseIs('Initialized'));
    const logFrom = e.controller.logs.length;
    await e.apply(app({ 'example.com/rev': '2', [EMULATOR_ANNOTATIONS.errorRate]: '1' }));

    const atWeight = await waitFor(
      'Progressing at weight 20 (or already Failed)',
      (s) => (s.phase === 'Progressing' && s.canaryWeight === 20) || s.phase === 'Failed',
    );
    const failed = await waitFor('Failed', phaseIs('Failed'));
    expect(readyReason(failed)).toBe('FailFast');
    // The scrape interval the pre-flight read from Prometheus is the cadence.
    expect(failed.failFast?.every).toBe('2s');
    expect(failed.canaryWeight).toBe(0);
    expect(failed.lastAnalysis?.find((r) => r.metric === 'success-rate')?.result).toBe('Failed');

    // The step began when weight 20 was taken (its phaseSince); the rollback is Failed's. Only
    // the first weight was ever measured.
    expect(atWeight.phase).toBe('Progressing');
    const stepStart = Date.parse(atWeight.phaseSince ?? '');
    const rolledBack = Date.parse(failed.phaseSince ?? '');
    expect(rolledBack - stepStart).toBeGreaterThan(0);
    expect(rolledBack - stepStart).toBeLessThan(INTERVAL_MS / 2);

    // Two or more fail-fast evaluations at weight 20, and no step's own evaluation.
    const evaluations = e.controller.logs
      .slice(logFrom)
      .filter((l) => l.msg === 'analysis' && l.canary === `${NS}/${NAME}`);
    expect(evaluations.every((l) => l['weight'] === 20)).toBe(true);
    expect(evaluations.every((l) => typeof l['failFastWindowMs'] === 'number')).toBe(true);
    expect(evaluations.length).toBeGreaterThanOrEqual(2);
  });
});
