// End-to-end, issue 19: a target with a HorizontalPodAutoscaler (spec.autoscalerRef), with
// kube-controller-manager's real HPA controller (dev/local/controllers.ts). This file's world
// serves no resource metrics API (WorldOptions.resourceMetrics is off), so the HPAs hold replicas
// within minReplicas..maxReplicas and do not follow load; the bounds are what these scenarios
// check (e2e-autoscaler-load.test.ts has HPAs follow load, and an idle target that nothing scales
// for two minutes). Every change of a Deployment's spec.replicas is recorded from a watch
// (ScaleRecorder), with the field manager that owns spec.replicas after it.
import { describe, expect, it, jest } from '@jest/globals';
import { newRevision, waitForCanaryGone, waitForEnd, waitForReplicas } from '../e2e/canary-run.js';
import { useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, phaseIs, waitForStatus } from '../e2e/harness.js';
import { APP, appYaml, canaryYaml, hpaYaml, namespaceYaml } from '../e2e/manifests.js';
import {
  canaryEvents,
  failedResponses,
  getDeployment,
  getService,
  SplitRecorder,
} from '../e2e/observers.js';
import {
  byWeightlifter,
  getHpa as hpaIn,
  hpaCondition,
  HPA_CONTROLLER,
  ScaleRecorder,
} from '../e2e/scale-recorder.js';

jest.setTimeout(360_000);

const e = useE2E('autoscaler');
const ns = 'e2e-autoscaler';
const PRIMARY = `${APP}-primary`;
const PRIMARY_HPA = `${APP}-primary`;

const getHpa = (name: string) => hpaIn(e.admin, ns, name);

describe('a target with a HorizontalPodAutoscaler', () => {
  let scales: ScaleRecorder;
  let split: SplitRecorder;
  /** Index in scales.writes from which the primary's HPA existed. */
  let hpaFrom = 0;

  it('initialization creates <hpa>-primary targeting the primary with the copied spec', async () => {
    await e.apply(namespaceYaml(ns));
    scales = new ScaleRecorder(e.admin, ns, [APP, PRIMARY]);
    await scales.start();
    split = new SplitRecorder(e.admin, ns);
    await split.start();
    // The primary is created at the target's count (1, or 2 once the target's HPA raised it);
    // its HPA's minReplicas is 3 (primaryScalerReplicas): the HPA, not weightlifter, raises it.
    await e.apply(appYaml(ns, { replicas: 1 }));
    await e.apply(hpaYaml(ns, { minReplicas: 2, maxReplicas: 4 }));
    await e.apply(
      canaryYaml(ns, { autoscalerRef: { name: APP, primaryScalerReplicas: { minReplicas: 3 } } }),
    );
    await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
    const primaryHpa = await eventually('the primary HPA', () => getHpa(PRIMARY_HPA));
    hpaFrom = scales.writes.length;
    const target = await getHpa(APP);
    expect(primaryHpa.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: PRIMARY,
    });
    expect(primaryHpa.spec?.minReplicas).toBe(3);
    expect(primaryHpa.spec?.maxReplicas).toBe(4);
    expect(primaryHpa.spec?.metrics).toEqual(target?.spec?.metrics);
    expect(primaryHpa.spec?.behavior).toEqual(target?.spec?.behavior);
    expect(primaryHpa.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Canary', name: APP, controller: true }),
    ]);
    // The HPA controller brings the primary to minReplicas; the idle target sits at 0.
    await waitForReplicas(e, ns, PRIMARY, 3);
    await waitForReplicas(e, ns, APP, 0);
    expect(await getHpa(APP)).toBeDefined();
    const raised = scales.of(PRIMARY).find((w) => w.replicas === 3);
    expect(raised?.owners).toEqual([HPA_CONTROLLER]);
    // This world serves no resource metrics API: the HPAs cannot read CPU and only hold bounds.
    expect(e.world.resourceMetrics).toBeUndefined();
    const active = await eventually('the primary HPA finds no resource metrics API', async () =>
      hpaCondition(await getHpa(PRIMARY_HPA), 'ScalingActive'),
    );
    expect(active).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
    expect(active.message).toContain('unable to fetch metrics from resource metrics API');
  });

  it("an HPA-only change is not a revision; a release carries it to the primary's HPA", async () => {
    await e.kubectl([
      '-n',
      ns,
      'patch',
      'hpa',
      APP,
      '--type',
      'merge',
      '-p',
      '{"spec":{"maxReplicas":5}}',
    ]);
    await eventually('the HPA change seen by the controller', async () =>
      (await getHpa(APP))?.spec?.maxReplicas === 5 ? true : undefined,
    );
    // Not a revision: no run, and the primary's HPA keeps its bounds until the next promotion.
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await getCanary(e, ns, APP)).status?.phase).toBe('Initialized');
    expect((await getHpa(PRIMARY_HPA))?.spec?.maxReplicas).toBe(4);

    split.reset();
    const targetFrom = scales.of(APP).length;
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const end = await waitForEnd(e, ns);
    expect(end.phase).toBe('Succeeded');
    expect(split.weights).toContain(50);
    // The canary ran at the HPA's minReplicas (2), not the manifest's 1, then went back to 0.
    await waitForReplicas(e, ns, APP, 0);
    const during = scales.of(APP).slice(targetFrom);
    expect(during.map((w) => w.replicas)).toEqual([2, 0]);
    expect((await getHpa(PRIMARY_HPA))?.spec?.maxReplicas).toBe(5);
    const primary = await getDeployment(e.admin, ns, PRIMARY);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
    // weightlifter never wrote the primary's replicas while its HPA existed.
    expect(
      scales.writes.slice(hpaFrom).filter((w) => w.name === PRIMARY && byWeightlifter(w)),
    ).toEqual([]);
    const events = await canaryEvents(e.admin, ns);
    expect(events.filter((ev) => ev.reason === 'NewRevision')).toHaveLength(1);
  });

  it('deletion restores the target with its HPA and removes the primary HPA, no request failing', async () => {
    const primaryReplicas = (await getDeployment(e.admin, ns, PRIMARY))?.spec?.replicas;
    await e.kubectl(['-n', ns, 'delete', 'canary', APP, '--wait=false']);
    await waitForCanaryGone(e, ns);
    const target = await getDeployment(e.admin, ns, APP);
    expect(target?.spec?.replicas).toBe(primaryReplicas);
    expect(target?.status?.readyReplicas).toBe(primaryReplicas);
    expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({ app: APP });
    expect(await getHpa(PRIMARY_HPA)).toBeUndefined();
    expect(await getHpa(APP)).toBeDefined();
    await eventually('primary garbage-collected', async () =>
      (await getDeployment(e.admin, ns, PRIMARY)) === undefined ? true : undefined,
    );
    e.world.emulator.resetObserved(ns, APP);
    await eventually('requests served by the target', () =>
      (e.world.emulator.observedSplit(ns, APP)[APP] ?? 0) > 10 ? true : undefined,
    );
    // The emulator answers 503 for a backend without ready endpoints: none was ever answered.
    expect(failedResponses(e.world.emulator, ns)).toEqual([]);
    expect(
      scales.writes.slice(hpaFrom).filter((w) => w.name === PRIMARY && byWeightlifter(w)),
    ).toEqual([]);
    await split.stop();
    await scales.stop();
  });
});
