// End-to-end, issue 19: targets with a HorizontalPodAutoscaler (spec.autoscalerRef), with
// kube-controller-manager's real HPA controller (dev/local/controllers.ts) and the emulator's
// resource metrics API (WorldOptions.resourceMetrics): each pod's CPU is 1 millicore plus
// cpu-millicores-per-rps times the requests per second it handles, and the HPA controller scales
// by CPU utilization as it does with metrics-server in a cluster. Four namespaces, one world:
// - e2e-autoscaler: pods that declare no CPU request, so their HPAs cannot compute utilization
//   and hold replicas within minReplicas..maxReplicas: initialization, an HPA-only change,
//   a release, deletion.
// - e2e-autoscaler-load: the app requests 100m CPU and uses 2 millicores per request per second;
//   its HPA (hpaYaml) aims at 80 % utilization, so a Deployment handling R requests/s on P pods
//   wants ceil((P + 2R) / 80) replicas, unless that is within the HPA's 10 % tolerance of P:
//   R = 10: 1 replica;  R = 60: 2 (from 1, and staying 2);  R = 100: 3 (from 1, and staying 3);
//   R = 250: 7, above maxReplicas 4.
// - e2e-autoscaler-blocked: a run whose target's HPA is deleted mid-run is blocked
//   (AutoscalerNotFound), takes its canary out of traffic, and goes on once the HPA is back.
// - e2e-autoscaler-idle: a Canary with an HPA that sits idle from the file's start; the last
//   test checks that nothing scaled its Deployments for two minutes.
// Every change of spec.replicas is recorded from a watch with its field managers (ScaleRecorder).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { httpGet } from '../../dev/local/http.js';
import {
  newRevision,
  waitForCanaryGone,
  waitForEnd,
  waitForReplicas,
  waitForWeight,
} from '../e2e/canary-run.js';
import { useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, phaseIs, waitForStatus } from '../e2e/harness.js';
import { HookServer } from '../e2e/hook-server.js';
import { APP, BEHAVIOUR, appYaml, canaryYaml, hpaYaml, namespaceYaml } from '../e2e/manifests.js';
import {
  canaryEvents,
  failedResponses,
  getDeployment,
  getService,
  SplitRecorder,
} from '../e2e/observers.js';
import {
  byWeightlifter,
  getHpa,
  hpaCondition,
  HPA_CONTROLLER,
  ScaleRecorder,
  type ScaleWrite,
} from '../e2e/scale-recorder.js';

jest.setTimeout(360_000);

const e = useE2E('autoscaler', { world: { resourceMetrics: true } });
const BOUNDS_NS = 'e2e-autoscaler';
const ns = 'e2e-autoscaler-load';
const PRIMARY = `${APP}-primary`;
const PRIMARY_HPA = `${APP}-primary`;
const METRICS = '/apis/metrics.k8s.io/v1beta1';

const hooks = new HookServer();
beforeAll(async () => {
  await hooks.start();
});

/** The idle Canary's namespace, and how long nothing may scale it. */
const IDLE_NS = 'e2e-autoscaler-idle';
const IDLE_MS = 120_000;
/** The idle Canary's writes, and since when (its target first at 0) none may come. */
let idle: { readonly scales: ScaleRecorder; readonly from: number; readonly since: number };
beforeAll(async () => {
  await e.apply(namespaceYaml(IDLE_NS));
  const scales = new ScaleRecorder(e.admin, IDLE_NS, [APP, PRIMARY]);
  await scales.start();
  e.world.emulator.setRate(IDLE_NS, APP, 10);
  await e.apply(
    appYaml(IDLE_NS, {
      replicas: 1,
      cpuRequest: '100m',
      annotations: BEHAVIOUR.cpuMillicoresPerRps(2),
    }),
  );
  await e.apply(hpaYaml(IDLE_NS, { minReplicas: 1, maxReplicas: 4 }));
  await e.apply(canaryYaml(IDLE_NS, { autoscalerRef: { name: APP } }));
  await waitForStatus(e, IDLE_NS, APP, 'Initialized', phaseIs('Initialized'));
  await eventually('the idle primary HPA', () => getHpa(e.admin, IDLE_NS, PRIMARY_HPA));
  await waitForReplicas(e, IDLE_NS, APP, 0);
  await waitForReplicas(e, IDLE_NS, PRIMARY, 1);
  idle = { scales, from: scales.writes.length, since: Date.now() };
});
afterAll(async () => {
  await hooks.stop();
});

const setRate = (rps: number): void => {
  e.world.emulator.setRate(ns, APP, rps);
};

/** `kubectl top pods --containers` of the primary's pods: [container, millicores, memory]. */
async function topPrimary(): Promise<[string, number, string][]> {
  const out = await e.kubectl(['top', 'pods', '-n', ns, '--containers', '--no-headers']);
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pod]) => pod?.startsWith(`${PRIMARY}-`) === true)
    .map(([, container = '', cpu = '', memory = '']) => [
      container,
      Number(cpu.replace(/m$/, '')),
      memory,
    ]);
}

/** Holds for `ms`, for the HPA controller (3 s sync) to have several chances to act. */
const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a target with a HorizontalPodAutoscaler whose pods declare no CPU request', () => {
  const ns = BOUNDS_NS;
  const hpa = (name: string) => getHpa(e.admin, ns, name);
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
    const primaryHpa = await eventually('the primary HPA', () => hpa(PRIMARY_HPA));
    hpaFrom = scales.writes.length;
    const target = await hpa(APP);
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
    expect(await hpa(APP)).toBeDefined();
    const raised = scales.of(PRIMARY).find((w) => w.replicas === 3);
    expect(raised?.owners).toEqual([HPA_CONTROLLER]);
    // The pods declare no CPU request: the HPAs cannot compute utilization and only hold bounds.
    const active = await eventually('the primary HPA cannot compute CPU utilization', async () =>
      hpaCondition(await hpa(PRIMARY_HPA), 'ScalingActive'),
    );
    expect(active).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
    expect(active.message).toContain('failed to get cpu utilization');
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
      (await hpa(APP))?.spec?.maxReplicas === 5 ? true : undefined,
    );
    // Not a revision: no run, and the primary's HPA keeps its bounds until the next promotion.
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await getCanary(e, ns, APP)).status?.phase).toBe('Initialized');
    expect((await hpa(PRIMARY_HPA))?.spec?.maxReplicas).toBe(4);

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
    expect((await hpa(PRIMARY_HPA))?.spec?.maxReplicas).toBe(5);
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
    expect(await hpa(PRIMARY_HPA)).toBeUndefined();
    expect(await hpa(APP)).toBeDefined();
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

describe('HPAs that follow load', () => {
  let scales: ScaleRecorder;
  /** Index in scales.writes from which the primary's HPA existed. */
  let hpaFrom = 0;
  const primaryWrites = (): ScaleWrite[] =>
    scales.writes.slice(hpaFrom).filter((w) => w.name === PRIMARY);

  it("serves each pod's CPU from the load it handles, to the aggregator only", async () => {
    await e.apply(namespaceYaml(ns));
    scales = new ScaleRecorder(e.admin, ns, [APP, PRIMARY]);
    await scales.start();
    setRate(10);
    await e.apply(
      appYaml(ns, {
        replicas: 1,
        cpuRequest: '100m',
        annotations: BEHAVIOUR.cpuMillicoresPerRps(2),
      }),
    );
    await e.apply(hpaYaml(ns, { minReplicas: 1, maxReplicas: 4 }));
    await e.apply(
      canaryYaml(ns, {
        autoscalerRef: { name: APP },
        stepWeights: [10, 60],
        webhooks: [
          { name: 'promotion-gate', type: 'confirm-promotion', url: `${hooks.url}/promotion` },
        ],
      }),
    );
    await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
    await eventually('the primary HPA', () => getHpa(e.admin, ns, PRIMARY_HPA));
    hpaFrom = scales.writes.length;
    // 10 requests/s on the primary's one pod: 1m + 10 × 2m = 21m, give or take a request of the
    // 5 s window (kubectl rounds up to whole millicores).
    const top = await eventually('kubectl top: the primary pod at about 21m', async () => {
      const rows = await topPrimary();
      const cpu = rows[0]?.[1] ?? 0;
      return rows.length === 1 && cpu >= 20 && cpu <= 22 ? rows : undefined;
    });
    expect(top).toEqual([['app', expect.any(Number), '16Mi']]);
    // Straight to the server, without the aggregator's front-proxy certificate: refused.
    const api = e.world.resourceMetrics;
    if (api === undefined) throw new Error('the world serves no resource metrics API');
    const direct = await httpGet(`${api.server.url}${METRICS}/namespaces/${ns}/pods`, {
      ca: api.certificate.ca.cert,
    });
    expect(direct.status).toBe(401);
  });

  it('under load the primary scales within its HPA bounds; weightlifter never writes its replicas', async () => {
    await waitForReplicas(e, ns, PRIMARY, 1);
    setRate(100);
    await waitForReplicas(e, ns, PRIMARY, 3);
    await hold(10_000);
    expect((await getDeployment(e.admin, ns, PRIMARY))?.spec?.replicas).toBe(3);
    setRate(250);
    await waitForReplicas(e, ns, PRIMARY, 4);
    await hold(10_000);
    expect((await getDeployment(e.admin, ns, PRIMARY))?.spec?.replicas).toBe(4);
    // The HPA wants more than maxReplicas: it says so, and stops at 4.
    expect(hpaCondition(await getHpa(e.admin, ns, PRIMARY_HPA), 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
    });
    const writes = primaryWrites();
    expect(writes.map((w) => w.replicas).at(-1)).toBe(4);
    expect(writes.every((w) => w.replicas >= 1 && w.replicas <= 4)).toBe(true);
    expect(writes.every((w) => w.owners.join() === HPA_CONTROLLER)).toBe(true);
    expect(writes.filter(byWeightlifter)).toEqual([]);
  });

  it("a release: the canary's HPA scales it when its share of load grows, and the run promotes", async () => {
    setRate(100);
    hooks.status.set('/promotion', 403);
    const from = scales.writes.length;
    await newRevision(e, ns, { 'example.com/rev': '2' });
    // Weight 10: 10 requests/s on the canary's one pod, 1 replica is enough.
    await waitForWeight(e, ns, 10);
    await waitForWeight(e, ns, 60);
    const at60 = scales.writes.length;
    const before60 = scales.writes.slice(from, at60).filter((w) => w.name === APP);
    // The run scaled the idle target to its HPA's minReplicas; nothing else scaled it.
    expect(before60.map((w) => [w.replicas, byWeightlifter(w)])).toEqual([[1, true]]);
    // Weight 60: 60 requests/s; the canary's HPA wants 2, while the run waits at 60.
    await waitForReplicas(e, ns, APP, 2);
    const grown = scales.writes.slice(at60).filter((w) => w.name === APP);
    expect(grown).toEqual([{ name: APP, replicas: 2, owners: [HPA_CONTROLLER] }]);
    const waiting = await waitForStatus(
      e,
      ns,
      APP,
      'WaitingPromotion',
      phaseIs('WaitingPromotion'),
    );
    expect(waiting.canaryWeight).toBe(60);
    await hold(10_000);
    expect((await getDeployment(e.admin, ns, APP))?.spec?.replicas).toBe(2);

    hooks.status.set('/promotion', 200);
    const end = await waitForEnd(e, ns);
    expect(end.phase).toBe('Succeeded');
    await waitForReplicas(e, ns, APP, 0);
    // Weightlifter wrote the canary's replicas twice: up to its HPA's minReplicas when the run
    // began, and to 0 once the promotion settled. Every other write was its HPA's, within bounds
    // (the HPA may still move it while the primary rolls out; that is its decision, not ours).
    const run = scales.writes.slice(from).filter((w) => w.name === APP);
    const ours = run.filter(byWeightlifter);
    expect({ ours: ours.map((w) => w.replicas), run }).toMatchObject({ ours: [1, 0] });
    expect(run.at(-1)).toBe(ours.at(-1));
    const theirs = run.filter((w) => !byWeightlifter(w));
    expect(theirs.map((w) => w.replicas)).toContain(2);
    for (const w of theirs) {
      expect(w).toEqual({ name: APP, replicas: expect.any(Number), owners: [HPA_CONTROLLER] });
      expect(w.replicas >= 1 && w.replicas <= 4).toBe(true);
    }
    const primary = await getDeployment(e.admin, ns, PRIMARY);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
    // Through the whole file: the primary's replicas were the HPA's alone.
    expect(primaryWrites().filter(byWeightlifter)).toEqual([]);
    expect(primaryWrites().every((w) => w.owners.join() === HPA_CONTROLLER)).toBe(true);
    await scales.stop();
  });
});

describe('a run whose HPA is deleted mid-run (blocked: AutoscalerNotFound)', () => {
  const bns = 'e2e-autoscaler-blocked';

  it('takes the canary out of traffic while blocked, and goes on once the HPA is back', async () => {
    await e.apply(namespaceYaml(bns));
    await e.apply(appYaml(bns, { replicas: 1 }));
    await e.apply(hpaYaml(bns, { minReplicas: 1, maxReplicas: 2 }));
    await e.apply(
      canaryYaml(bns, {
        autoscalerRef: { name: APP },
        interval: '4s',
        stepWeights: [20, 50],
        progressDeadlineSeconds: 120,
      }),
    );
    const split = new SplitRecorder(e.admin, bns);
    await split.start();
    try {
      await waitForStatus(e, bns, APP, 'Initialized', phaseIs('Initialized'));
      split.reset();
      await newRevision(e, bns, { 'example.com/rev': '2' });
      await waitForWeight(e, bns, 20);
      await split.reached(20);
      await e.kubectl(['-n', bns, 'delete', 'hpa', APP]);
      const blocked = await waitForStatus(e, bns, APP, 'Ready=False AutoscalerNotFound', (st) =>
        (st.conditions ?? []).some((c) => c.type === 'Ready' && c.reason === 'AutoscalerNotFound'),
      );
      expect(blocked.phase).toBe('Progressing');
      expect(blocked.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
        "the canary's traffic is back on the primary until this clears",
      );
      await split.reached(0);
      expect((await getCanary(e, bns, APP)).status?.canaryWeight).toBe(20);

      await e.apply(hpaYaml(bns, { minReplicas: 1, maxReplicas: 2 }));
      const done = await waitForEnd(e, bns);
      expect(done.phase).toBe('Succeeded');
      // 20, back to 0 while blocked, 20 again (measured anew), then 50, then the promotion's 0.
      expect(split.weights).toEqual([0, 20, 0, 20, 50, 0]);
    } finally {
      await split.stop();
    }
  });
});

// Not about autoscaling: a block the controller finds in the spec itself, mid-run. It shares this
// world because the idle check below waits out its two minutes anyway.
describe('a run whose Canary is made invalid mid-run (blocked: InvalidSpec)', () => {
  const ins = 'e2e-blocked-invalid';

  it('takes the canary out of traffic while the spec is invalid, and goes on once it is fixed', async () => {
    await e.apply(namespaceYaml(ins));
    await e.apply(appYaml(ins, { replicas: 1 }));
    await e.apply(
      canaryYaml(ins, { interval: '4s', stepWeights: [20, 50], progressDeadlineSeconds: 120 }),
    );
    const split = new SplitRecorder(e.admin, ins);
    await split.start();
    try {
      await waitForStatus(e, ins, APP, 'Initialized', phaseIs('Initialized'));
      split.reset();
      await newRevision(e, ins, { 'example.com/rev': '2' });
      await waitForWeight(e, ins, 20);
      await split.reached(20);
      // A reversed cron range passes the CRD's rules; the controller refuses it.
      const schedule = (allow: string[] | null) =>
        JSON.stringify({ spec: { schedule: allow === null ? null : { allow } } });
      await e.kubectl([
        '-n',
        ins,
        'patch',
        'canary',
        APP,
        '--type=merge',
        '-p',
        schedule(['* 5-1 * * *']),
      ]);
      const blocked = await waitForStatus(e, ins, APP, 'Ready=False InvalidSpec', (st) =>
        (st.conditions ?? []).some((c) => c.type === 'Ready' && c.reason === 'InvalidSpec'),
      );
      expect(blocked.phase).toBe('Progressing');
      expect(blocked.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
        "the canary's traffic is back on the primary until this clears",
      );
      await split.reached(0);
      expect((await getCanary(e, ins, APP)).status?.canaryWeight).toBe(20);

      await e.kubectl(['-n', ins, 'patch', 'canary', APP, '--type=merge', '-p', schedule(null)]);
      const done = await waitForEnd(e, ins);
      expect(done.phase).toBe('Succeeded');
      // 20, back to 0 while invalid, 20 again (measured anew), then 50, then the promotion's 0.
      expect(split.weights).toEqual([0, 20, 0, 20, 50, 0]);
    } finally {
      await split.stop();
    }
  });
});

describe('an idle target with its HPA (in its own namespace, alongside the tests above)', () => {
  it('stays at 0 with its HPA present, and nothing scales it or its primary for 2 minutes', async () => {
    const { scales, from, since } = idle;
    await hold(Math.max(0, since + IDLE_MS - Date.now()));
    // At 10 requests/s the primary's one pod uses 21m of 100m: its HPA (minReplicas 1) holds 1.
    expect(scales.writes.slice(from)).toEqual([]);
    expect((await getDeployment(e.admin, IDLE_NS, APP))?.spec?.replicas).toBe(0);
    expect((await getDeployment(e.admin, IDLE_NS, PRIMARY))?.spec?.replicas).toBe(1);
    expect(await getHpa(e.admin, IDLE_NS, APP)).toBeDefined();
    expect(await getHpa(e.admin, IDLE_NS, PRIMARY_HPA)).toBeDefined();
    expect((await getCanary(e, IDLE_NS, APP)).status?.phase).toBe('Initialized');
    await scales.stop();
  });
});
