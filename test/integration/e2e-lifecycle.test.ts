// End-to-end, issue 4 scenarios 1-4 and 9: the controller (a child process running as its own
// ServiceAccount identity with deploy/rbac.yaml) against a real API server, a real Prometheus and
// the mesh emulator. Nothing is faked; every wait polls the real system with a deadline.
import { describe, expect, it, jest } from '@jest/globals';
import { newRevision, waitForCanaryGone, waitForEnd, waitForReplicas } from '../e2e/canary-run.js';
import { WRITE_VERBS } from '../e2e/controller-process.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, phaseIs, waitForStatus } from '../e2e/harness.js';
import { APP, BEHAVIOUR, appYaml, canaryYaml, namespaceYaml } from '../e2e/manifests.js';
import { canaryEvents, getDeployment, getService } from '../e2e/observers.js';

jest.setTimeout(180_000);

const e = useE2E('lifecycle');

const annotationOf = (dep: Awaited<ReturnType<typeof getDeployment>>, key: string) =>
  dep?.spec?.template?.metadata?.annotations?.[key];

describe('scenario 1: a Canary initializes', () => {
  const ns = 'e2e-init';
  const deployed = initializedCanary(e, ns);

  it('creates the primary, points the apex at it, splits 100/0 and scales the target to 0', async () => {
    const { split } = deployed;
    const primary = await eventually('primary ready', async () => {
      const d = await getDeployment(e.admin, ns, `${APP}-primary`);
      return (d?.status?.readyReplicas ?? 0) === 2 ? d : undefined;
    });
    expect(primary.spec?.selector?.matchLabels).toEqual({ app: `${APP}-primary` });
    const apex = await getService(e.admin, ns, APP);
    expect(apex?.spec?.selector).toEqual({ app: `${APP}-primary` });
    expect(split.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    await waitForReplicas(e, ns, APP, 0);
    const canary = await getCanary(e, ns, APP);
    expect(canary.metadata.finalizers).toContain('weightlifter.io/revert-on-deletion');
    expect(canary.status?.lastPromotedRevision).toBe(canary.status?.revision);
    // Converged: further intervals cost no write at all (diff-then-patch, no per-tick status).
    const writes = (): Promise<number> =>
      e.controller.metricSum('weightlifter_kube_requests_total', WRITE_VERBS);
    // The routine scale-down is recorded (attempt 1) in the step that settles the Canary.
    await waitForStatus(e, ns, APP, 'scale-down recorded', (s) => s.idleScale?.attempts === 1);
    const before = await writes();
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await writes()).toBe(before);
    // The emulator's load reaches the primary through the apex and the split.
    await eventually('traffic on the primary', () =>
      (e.world.emulator.observedSplit(ns, APP)[`${APP}-primary`] ?? 0) > 0 ? true : undefined,
    );
  });
});

describe('scenario 2: a healthy revision is promoted', () => {
  const ns = 'e2e-healthy';
  const deployed = initializedCanary(e, ns);

  it('goes through every step weight, promotes, and ends at 100/0 with the canary at 0', async () => {
    const { split } = deployed;
    const before = (await getCanary(e, ns, APP)).status;
    split.reset();
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Succeeded');
    expect(done.revision).not.toBe(before?.revision);
    expect(done.lastPromotedRevision).toBe(done.revision);
    expect(done.failedChecks ?? 0).toBe(0);
    // Every step weight, in order, then back to the primary (stepWeightPromotion 0).
    await split.reached(0);
    expect(split.weights).toEqual([0, 20, 50, 0]);
    expect(split.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(annotationOf(primary, 'example.com/rev')).toBe('2');
    expect(primary?.metadata?.annotations?.['weightlifter.io/revision']).toBe(done.revision);
    await waitForReplicas(e, ns, APP, 0);
    const reasons = (
      await canaryEvents(e.admin, ns, (evs) => evs.some((ev) => ev.reason === 'Succeeded'))
    ).map((ev) => ev.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['NewRevision', 'Advanced', 'Promoting', 'Succeeded']),
    );
  });
});

describe('scenario 3: a revision with a 30 % error rate is rolled back', () => {
  const ns = 'e2e-errors';
  // The failed-checks threshold's path (fail-fast has its own test, e2e-fail-fast).
  const deployed = initializedCanary(e, ns, { canary: { failFast: false } });

  it('fails, routes 100/0, keeps the primary, and names the failing metric in an Event and a log line', async () => {
    const { split } = deployed;
    const before = (await getCanary(e, ns, APP)).status;
    const primaryBefore = await getDeployment(e.admin, ns, `${APP}-primary`);
    const logFrom = e.controller.logs.length;
    await newRevision(e, ns, BEHAVIOUR.errorRate(0.3));
    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Failed');
    expect(done.failedChecks).toBeGreaterThanOrEqual(2);
    expect(done.lastPromotedRevision).toBe(before?.lastPromotedRevision);
    await split.reached(0);
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(primary?.metadata?.annotations?.['weightlifter.io/revision']).toBe(
      primaryBefore?.metadata?.annotations?.['weightlifter.io/revision'],
    );
    expect(annotationOf(primary, 'emulator.weightlifter.io/error-rate')).toBeUndefined();
    const failedMetric = (done.lastAnalysis ?? []).find((m) => m.result === 'Failed');
    expect(failedMetric?.metric).toBe('success-rate');
    const events = await canaryEvents(e.admin, ns, (evs) =>
      evs.some((ev) => ev.reason === 'FailedChecksThresholdReached'),
    );
    const rollback = events.find(
      (ev) => ev.type === 'Warning' && ev.reason === 'FailedChecksThresholdReached',
    );
    expect(rollback?.note).toContain('success-rate');
    const line = await e.controller.waitForLog(
      (l) =>
        l.canary === `${ns}/${APP}` &&
        l.level === 'warn' &&
        String(l.msg).includes('rolled back') &&
        String(l.msg).includes('success-rate'),
      10_000,
      logFrom,
    );
    expect(line.reason).toBe('FailedChecksThresholdReached');
    await waitForReplicas(e, ns, APP, 0);
  });
});

describe('scenario 4: a revision slower than the latency threshold is rolled back', () => {
  const ns = 'e2e-latency';
  const deployed = initializedCanary(e, ns);

  it('fails on latency-p99 and returns all traffic to the unchanged primary', async () => {
    const { split } = deployed;
    const before = (await getCanary(e, ns, APP)).status;
    await newRevision(e, ns, BEHAVIOUR.latencyMs(300));
    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Failed');
    const results = done.lastAnalysis ?? [];
    expect(results.find((m) => m.metric === 'latency-p99')?.result).toBe('Failed');
    expect(results.find((m) => m.metric === 'latency-p99')?.value).toBeGreaterThan(100);
    expect(results.find((m) => m.metric === 'success-rate')?.result).toBe('Successful');
    expect(done.lastPromotedRevision).toBe(before?.lastPromotedRevision);
    await split.reached(0);
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(annotationOf(primary, 'emulator.weightlifter.io/latency-ms')).toBeUndefined();
  });
});

describe('scenario 9: re-applying identical manifests (GitOps) never restarts anything', () => {
  const ns = 'e2e-gitops';
  const deployed = initializedCanary(e, ns);

  const reapply = async (app: string, times: number): Promise<void> => {
    for (let i = 0; i < times; i++) {
      await e.apply(app);
      await e.apply(canaryYaml(ns));
      await new Promise((r) => setTimeout(r, 1_000));
    }
  };

  it('while settled: no run, no weight change, no new revision', async () => {
    const { split } = deployed;
    const before = (await getCanary(e, ns, APP)).status;
    split.reset();
    // The manifest still says replicas: 2, as Git does; the target was scaled to 0 by us.
    await reapply(appYaml(ns), 4);
    const after = (await getCanary(e, ns, APP)).status;
    expect(after?.phase).toBe(before?.phase);
    expect(after?.revision).toBe(before?.revision);
    expect(after?.phaseSince).toBe(before?.phaseSince);
    expect(split.weights).toEqual([0]);
    const reasons = (await canaryEvents(e.admin, ns)).map((ev) => ev.reason);
    expect(reasons).not.toContain('NewRevision');
  });

  it('during a run: the run continues through its steps and promotes once', async () => {
    const { split } = deployed;
    const app = appYaml(ns, { annotations: { 'example.com/rev': '2' } });
    split.reset();
    await e.apply(app);
    await waitForStatus(e, ns, APP, 'Progressing', phaseIs('Progressing'));
    const runStart = (await getCanary(e, ns, APP)).status;
    const reapplying = reapply(app, 6);
    const done = await waitForEnd(e, ns);
    await reapplying;
    expect(done.phase).toBe('Succeeded');
    expect(done.revision).toBe(runStart?.revision);
    await split.reached(0);
    expect(split.weights).toEqual([0, 20, 50, 0]);
    const newRevisions = (await canaryEvents(e.admin, ns)).filter(
      (ev) => ev.reason === 'NewRevision',
    );
    expect(newRevisions).toHaveLength(1);
    const after = (await getCanary(e, ns, APP)).status;
    expect(after?.phase).toBe('Succeeded');
  });
});

describe('scenario 12: deleting the Canary restores the target and keeps pods serving', () => {
  const ns = 'e2e-delete';
  const deployed = initializedCanary(e, ns);

  it('scales the target up, hands it the apex and all traffic, then lets go', async () => {
    const { split } = deployed;
    await waitForReplicas(e, ns, APP, 0);
    await e.kubectl(['-n', ns, 'delete', 'canary', APP, '--wait=false']);
    await waitForCanaryGone(e, ns);
    const target = await getDeployment(e.admin, ns, APP);
    expect(target?.spec?.replicas).toBe(2);
    expect(target?.status?.readyReplicas).toBe(2);
    const apex = await getService(e.admin, ns, APP);
    expect(apex?.spec?.selector).toEqual({ app: APP });
    expect(apex?.metadata?.ownerReferences ?? []).toEqual([]);
    // Before the split was deleted, all traffic had moved to the target.
    expect(split.weights[split.weights.length - 1]).toBe(100);
    await eventually('primary garbage-collected', async () =>
      (await getDeployment(e.admin, ns, `${APP}-primary`)) === undefined ? true : undefined,
    );
    // The emulator's clients keep being served by the target's pods through the apex.
    e.world.emulator.resetObserved(ns, APP);
    await eventually('requests served by the target', () =>
      (e.world.emulator.observedSplit(ns, APP)[APP] ?? 0) > 10 ? true : undefined,
    );
  });
});

describe('a refusal becomes a condition and an Event, then clears once fixed', () => {
  const ns = 'e2e-takeover';

  it('a pre-existing apex Service is left alone until it is annotated for takeover', async () => {
    await e.apply(namespaceYaml(ns));
    await e.apply(appYaml(ns));
    await e.apply(`apiVersion: v1
kind: Service
metadata: {name: ${APP}, namespace: ${ns}}
spec:
  selector: {app: ${APP}}
  ports: [{name: http, port: 9898, targetPort: 9898}]
`);
    await e.apply(canaryYaml(ns));
    const blocked = await waitForStatus(e, ns, APP, 'NotOwned', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Ready' && c.reason === 'NotOwned'),
    );
    expect(blocked.phase).not.toBe('Initialized');
    // The Event is recorded beside the status write, not before it: wait for it.
    const isRefusal = (ev: { type?: string; reason?: string }): boolean =>
      ev.type === 'Warning' && ev.reason === 'NotOwned';
    const events = await canaryEvents(e.admin, ns, (evs) => evs.some(isRefusal));
    expect(events.some(isRefusal)).toBe(true);
    expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({ app: APP });
    // Blocked means quiet: no status rewritten over and over while nothing changes.
    const rv = (await getCanary(e, ns, APP)).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await getCanary(e, ns, APP)).metadata.resourceVersion).toBe(rv);
    // One Event for the transition into the block, not one per look (none folded into a series).
    const refusals = (await canaryEvents(e.admin, ns)).filter((ev) => ev.reason === 'NotOwned');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.series).toBeUndefined();

    await e.kubectl(['-n', ns, 'annotate', 'service', APP, 'weightlifter.io/takeover=true']);
    const done = await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
    expect((done.conditions ?? []).find((c) => c.type === 'Ready')?.status).toBe('True');
    expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({ app: `${APP}-primary` });
  });
});

describe('the RBAC in deploy/ is least privilege', () => {
  const SA = 'system:serviceaccount:weightlifter-system:weightlifter';
  const canI = async (args: string[]): Promise<string> => {
    const r = await e.world.controlPlane.kubectl(['auth', 'can-i', ...args, '--as', SA]);
    return r.stdout.trim();
  };

  it.each([
    [['patch', 'canaries.weightlifter.io', '--subresource=status', '-n', 'any']],
    [['update', 'canaries.weightlifter.io', '--subresource=finalizers', '-n', 'any']],
    [['create', 'deployments.apps', '-n', 'any']],
    [['delete', 'trafficsplits.split.smi-spec.io', '-n', 'any']],
    [['watch', 'endpointslices.discovery.k8s.io', '-n', 'any']],
    [['create', 'controllerrevisions.apps', '-n', 'any']],
    [['delete', 'controllerrevisions.apps', '-n', 'any']],
    [['update', 'leases.coordination.k8s.io', '-n', 'weightlifter-system']],
  ])('allows what the controller does: %j', async (args) => {
    expect(await canI(args)).toBe('yes');
  });

  it.each([
    [['delete', 'deployments.apps', '-n', 'any']],
    [['delete', 'services', '-n', 'any']],
    [['delete', 'secrets', '-n', 'any']],
    [['create', 'pods', '-n', 'any']],
    [['patch', 'controllerrevisions.apps', '-n', 'any']],
    [['delete', 'canaries.weightlifter.io', '-n', 'any']],
    [['update', 'leases.coordination.k8s.io', '-n', 'kube-system']],
    [['create', 'clusterrolebindings.rbac.authorization.k8s.io']],
  ])('denies everything else, e.g. %j', async (args) => {
    expect(await canI(args)).toBe('no');
  });
});
