// End-to-end, issue 15: the same scenarios over both routers, one world per router — SMI
// TrafficSplit in a world whose mesh serves SMI and Gateway API (as a Linkerd with linkerd-smi and
// the Gateway API CRDs does), Gateway API HTTPRoute in a GAMMA-only world — and what only Gateway
// API has: a route the mesh refuses, and a user's HTTPRoute taken over only when annotated.
// The controller is a child process with its own identity; what the mesh did with each weight is
// read from the emulator's request counts (RoutedTraffic).
import { describe, expect, it, jest } from '@jest/globals';
import type { CanaryStatus } from '../../src/api/canary.js';
import { isNotFound } from '../../src/kube/errors.js';
import { EMULATOR_ANNOTATIONS } from '../../dev/local/emulator/annotations.js';
import type { MeshApi } from '../../dev/local/mesh-apis.js';
import {
  releaseRevision,
  waitForCanaryGone,
  waitForEnd,
  waitForReplicas,
  waitForStepDone,
  waitForWeight,
} from '../e2e/canary-run.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, phaseIs, waitForStatus, type E2E } from '../e2e/harness.js';
import {
  APP,
  BEHAVIOUR,
  appYaml,
  canaryYaml,
  namespaceYaml,
  type CanaryOptions,
} from '../e2e/manifests.js';
import {
  canaryEvents,
  getDeployment,
  getService,
  recordedRoute,
  SplitRecorder,
} from '../e2e/observers.js';
import { RoutedTraffic } from '../e2e/routed-traffic.js';
import type { ValidationReport } from '../../src/cli/render/problems.js';
import { runCli } from './cli-harness.js';

jest.setTimeout(180_000);

type Router = 'smi' | 'gatewayapi';

const ROUTE = {
  smi: { kind: 'TrafficSplit', path: '/apis/split.smi-spec.io/v1alpha4', plural: 'trafficsplits' },
  gatewayapi: {
    kind: 'HTTPRoute',
    path: '/apis/gateway.networking.k8s.io/v1',
    plural: 'httproutes',
  },
} as const;

interface RouteObject {
  metadata: {
    generation?: number;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  spec?: { parentRefs?: unknown; rules?: unknown };
}

/** The Canary's route object of that router, or undefined when there is none. */
async function getRoute(e: E2E, router: Router, ns: string): Promise<RouteObject | undefined> {
  const r = ROUTE[router];
  try {
    return await e.admin.get<RouteObject>(`${r.path}/namespaces/${ns}/${r.plural}/${APP}`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const API = { smi: 'SMI TrafficSplit', gatewayapi: 'Gateway API HTTPRoute' } as const;
/** What each router's world serves, as `validate` words it. */
const SERVED = {
  smi: 'SMI TrafficSplit v1alpha4 and Gateway API HTTPRoute v1',
  gatewayapi: 'Gateway API HTTPRoute v1',
} as const;

const adminKubeconfig = (e: E2E): string => e.world.controlPlane.adminKubeconfig;

const readyOf = (s: CanaryStatus) => s.conditions?.find((c) => c.type === 'Ready');

/** Runs `fn` while counting the apex's requests per routed weight. */
async function watchingTraffic<T>(
  e: E2E,
  ns: string,
  fn: (traffic: RoutedTraffic) => Promise<T>,
): Promise<T> {
  const traffic = new RoutedTraffic(e.world.emulator, ns);
  traffic.start();
  try {
    return await fn(traffic);
  } finally {
    traffic.stop();
  }
}

const release = releaseRevision;

const WORLDS: readonly { router: Router; meshApis: readonly MeshApi[] }[] = [
  { router: 'smi', meshApis: ['smi', 'gatewayapi'] },
  { router: 'gatewayapi', meshApis: ['gatewayapi'] },
];

describe.each(WORLDS)('over $router (mesh serving $meshApis)', ({ router, meshApis }) => {
  const e = useE2E(`routers-${router}`, { world: { meshApis } });
  const kind = ROUTE[router].kind;
  const deploy = (opts: CanaryOptions = {}) => ({
    canary: { provider: router, ...opts },
    splitVersion: recordedRoute(router),
  });

  describe('one Canary through its life', () => {
    const ns = `rt-${router}-life`;
    const deployed = initializedCanary(e, ns, deploy({ progressDeadlineSeconds: 12 }));
    const at = (): SplitRecorder => deployed.split;

    it(`initializes: the primary serves the apex through our ${kind} at 100/0`, async () => {
      expect(at().current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
      const route = await getRoute(e, router, ns);
      expect(route?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Canary', name: APP, controller: true }),
      ]);
      if (router === 'gatewayapi') {
        expect(route?.spec?.parentRefs).toEqual([
          { group: '', kind: 'Service', name: APP, port: 9898 },
        ]);
      }
      // Only the chosen router's object: in the SMI world that serves both, no HTTPRoute.
      const other: Router = router === 'smi' ? 'gatewayapi' : 'smi';
      if (meshApis.includes(other)) expect(await getRoute(e, other, ns)).toBeUndefined();
      expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({
        app: `${APP}-primary`,
      });
      await waitForReplicas(e, ns, APP, 0);
      // The CLI names the route object.
      const status = await runCli(['status', APP, '-n', ns], { kubeconfig: adminKubeconfig(e) });
      expect(status.stdout.split('\n')).toContain(`Route      ${kind}/${APP}`);
      await watchingTraffic(e, ns, async (traffic) => {
        await eventually('primary served through the route', () =>
          (traffic.byWeight.get(0)?.primary ?? 0) > 10 ? true : undefined,
        );
        expect([...traffic.routedBy]).toEqual([`${kind}/${APP}`]);
        expect(traffic.canaryTotal()).toBe(0);
      });
    });

    it('promotes through every step weight, each sent once and routed by the mesh', async () => {
      await watchingTraffic(e, ns, async (traffic) => {
        at().reset();
        await release(e, ns, '2');
        const done = await waitForEnd(e, ns);
        expect(done.phase).toBe('Succeeded');
        expect(done.lastPromotedRevision).toBe(done.revision);
        await at().reached(0);
        expect(at().weights).toEqual([0, 20, 50, 0]);
        // The mesh routed the canary its share at each step, through our route.
        expect(traffic.canaryAt(20)).toBeGreaterThan(0);
        expect(traffic.canaryAt(50)).toBeGreaterThan(0);
        expect([...traffic.routedBy]).toEqual([`${kind}/${APP}`]);
      });
      const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
      expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
    });

    it('rolls back a revision with a 30 % error rate', async () => {
      const before = (await getCanary(e, ns, APP)).status;
      at().reset();
      const done = await watchingTraffic(e, ns, async (traffic) => {
        await release(e, ns, '3', BEHAVIOUR.errorRate(0.3));
        const end = await waitForEnd(e, ns);
        // The failed-request count the deletion below relies on sees these failures.
        expect(traffic.failed).toBeGreaterThan(0);
        return end;
      });
      expect(done.phase).toBe('Failed');
      expect(done.lastPromotedRevision).toBe(before?.lastPromotedRevision);
      expect((done.lastAnalysis ?? []).find((m) => m.result === 'Failed')?.metric).toBe(
        'success-rate',
      );
      await at().reached(0);
      expect(at().weights[0]).toBe(0);
      expect(
        at()
          .weights.slice(1, -1)
          .every((w) => w > 0),
      ).toBe(true);
      const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
      expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
    });

    it('fails a revision that never becomes ready at the progress deadline, sending it nothing', async () => {
      // The previous run ended with its route at 0; the mesh routes by that a moment later.
      // Requests routed before then went to the previous (rolled-back) revision, not this one.
      await eventually('the mesh routing the apex at canary weight 0', () =>
        new RoutedTraffic(e.world.emulator, ns).routedAt() === 0 ? true : undefined,
      );
      await watchingTraffic(e, ns, async (traffic) => {
        at().reset();
        await release(e, ns, '4', BEHAVIOUR.neverReady());
        await waitForStatus(
          e,
          ns,
          APP,
          'waiting for the canary',
          (s) => readyOf(s)?.reason === 'WaitingForCanary',
        );
        const done = await waitForEnd(e, ns);
        expect(done.phase).toBe('Failed');
        expect(readyOf(done)?.reason).toBe('ProgressDeadlineExceeded');
        expect(at().weights).toEqual([0]);
        expect(traffic.canaryTotal()).toBe(0);
      });
    });

    it('aborts a healthy run through the annotation and routes everything back', async () => {
      at().reset();
      await release(e, ns, '5');
      const running = await waitForWeight(e, ns, 20);
      await e.kubectl([
        ...['-n', ns, 'annotate', 'canary', APP],
        ...['weightlifter.io/operation=abort:1', '--overwrite'],
      ]);
      const aborted = await waitForStatus(e, ns, APP, 'aborted', phaseIs('Failed'));
      expect(readyOf(aborted)?.reason).toBe('Aborted');
      expect(aborted.revision).toBe(running.revision);
      await at().reached(0);
      expect(at().current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
      const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
      expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
    });

    it('on deletion (revertOnDeletion) hands the apex to the target with no failed request', async () => {
      await waitForReplicas(e, ns, APP, 0);
      at().reset();
      await watchingTraffic(e, ns, async (traffic) => {
        await e.kubectl(['-n', ns, 'delete', 'canary', APP, '--wait=false']);
        await waitForCanaryGone(e, ns);
        // All traffic went to the target through the route before the apex was handed back.
        expect(at().weights[at().weights.length - 1]).toBe(100);
        const target = await getDeployment(e.admin, ns, APP);
        expect(target?.status?.readyReplicas).toBe(2);
        expect((await getService(e.admin, ns, APP))?.spec?.selector).toEqual({ app: APP });
        await eventually('route gone', async () =>
          (await getRoute(e, router, ns)) === undefined ? true : undefined,
        );
        e.world.emulator.resetObserved(ns, APP);
        await eventually('requests served by the target', () =>
          (e.world.emulator.observedSplit(ns, APP)[APP] ?? 0) > 10 ? true : undefined,
        );
        // No window without endpoints: not one request failed on the way.
        expect(traffic.failed).toBe(0);
      });
    });
  });

  // Only where the mesh serves both APIs: a Canary moved from one to the other and back.
  const bothServed = meshApis.includes('smi') && meshApis.includes('gatewayapi');
  if (bothServed)
    describe(`a change of provider (from ${router})`, () => {
      const from = router;
      const ns = `rt-${router}-switch`;
      initializedCanary(e, ns, deploy());
      const to: Router = from === 'smi' ? 'gatewayapi' : 'smi';

      /** Sets spec.routing.provider and waits until only that router's route object routes. */
      async function switchTo(provider: Router, traffic: RoutedTraffic): Promise<void> {
        const patch = JSON.stringify({ spec: { routing: { provider } } });
        await e.kubectl(['-n', ns, 'patch', 'canary', APP, '--type', 'merge', '-p', patch]);
        const other: Router = provider === 'smi' ? 'gatewayapi' : 'smi';
        await eventually(
          `only the ${ROUTE[provider].kind} left`,
          async () =>
            (await getRoute(e, provider, ns)) !== undefined &&
            (await getRoute(e, other, ns)) === undefined
              ? true
              : undefined,
          60_000,
        );
        traffic.routedBy.clear();
        await eventually(`requests routed by the ${ROUTE[provider].kind}`, () =>
          traffic.routedBy.has(`${ROUTE[provider].kind}/${APP}`) ? true : undefined,
        );
      }

      it(`moves to the other API and back with no request failing on the way`, async () => {
        await watchingTraffic(e, ns, async (traffic) => {
          await switchTo(to, traffic);
          const route = await getRoute(e, to, ns);
          expect(route?.metadata.ownerReferences).toEqual([
            expect.objectContaining({ kind: 'Canary', name: APP, controller: true }),
          ]);
          await switchTo(from, traffic);
          // No moment without a route: not one request failed while the objects changed hands.
          expect(traffic.failed).toBe(0);
          expect(traffic.canaryTotal()).toBe(0);
        });
        const status = (await getCanary(e, ns, APP)).status;
        expect(status?.phase).toBe('Initialized');
        expect(readyOf(status ?? {})?.status).toBe('True');
      });
    });

  describe('the controller killed mid-run', () => {
    const ns = `rt-${router}-crash`;
    const deployed = initializedCanary(e, ns, deploy({ stepWeights: [10, 20, 30] }));

    it('resumes from its weight, every weight sent once and routed', async () => {
      const { split } = deployed;
      await watchingTraffic(e, ns, async (traffic) => {
        await release(e, ns, '2');
        await waitForStepDone(e, ns, split, 20);
        await e.controller.kill();
        await e.controller.start();
        const done = await waitForEnd(e, ns);
        expect(done.phase).toBe('Succeeded');
        await split.reached(0);
        expect(split.weights).toEqual([0, 10, 20, 30, 0]);
        for (const w of [10, 20, 30]) expect(traffic.canaryAt(w)).toBeGreaterThan(0);
      });
      const events = await canaryEvents(e.admin, ns, (evs) =>
        evs.some((ev) => ev.reason === 'Succeeded'),
      );
      const advanced = events.filter((ev) => ev.reason === 'Advanced').map((ev) => ev.note);
      expect(advanced.sort()).toEqual(['canary weight 10', 'canary weight 20', 'canary weight 30']);
    });
  });

  describe('provider auto', () => {
    const ns = `rt-${router}-auto`;
    const deployed = initializedCanary(e, ns, {
      canary: { provider: 'auto' },
      splitVersion: recordedRoute(router),
    });

    it(`picks ${kind} in a world serving ${meshApis.join(' and ')}, as validate says`, async () => {
      expect(deployed.split.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
      expect(await getRoute(e, router, ns)).toBeDefined();
      const other: Router = router === 'smi' ? 'gatewayapi' : 'smi';
      if (meshApis.includes(other)) expect(await getRoute(e, other, ns)).toBeUndefined();
      const validated = await runCli(['validate', '-f', 'c.yaml', '-o', 'json'], {
        kubeconfig: adminKubeconfig(e),
        files: { 'c.yaml': canaryYaml(ns, { provider: 'auto' }) },
      });
      expect(validated.exitCode).toBe(0);
      const { notes } = JSON.parse(validated.stdout) as ValidationReport;
      expect(notes.map((n) => n.message)).toContain(
        `spec.routing.provider auto: picks ${API[router]} for a Canary without a route object ` +
          `yet (the cluster serves ${SERVED[router]})`,
      );
    });
  });

  it('lets the controller write HTTPRoutes (deploy/rbac.yaml) but never their status', async () => {
    const canI = async (...args: string[]): Promise<string> => {
      const r = await e.world.controlPlane.kubectl([
        ...['auth', 'can-i', ...args, '-n', 'any'],
        ...['--as', 'system:serviceaccount:weightlifter-system:weightlifter'],
      ]);
      return r.stdout.trim();
    };
    for (const verb of ['create', 'patch', 'delete', 'watch']) {
      expect(await canI(verb, 'httproutes.gateway.networking.k8s.io')).toBe('yes');
    }
    expect(
      await canI('patch', 'httproutes.gateway.networking.k8s.io', '--subresource=status'),
    ).toBe('no');
    expect(await canI('create', 'gateways.gateway.networking.k8s.io')).toBe('no');
  });

  if (router === 'gatewayapi') gatewayApiOnly(e);
});

/** What only an HTTPRoute has: the mesh's verdict on it, and a user's route of the same name. */
function gatewayApiOnly(e: E2E): void {
  describe('a route the mesh refuses', () => {
    const ns = 'rt-gatewayapi-rejected';
    const message = 'the emulated mesh refuses this route';
    const deployed = initializedCanary(e, ns, {
      canary: { provider: 'gatewayapi', progressDeadlineSeconds: 12 },
      splitVersion: 'httproute',
    });

    it("holds at the previous weight and fails at the deadline with the mesh's message", async () => {
      const { split } = deployed;
      split.reset();
      await release(e, ns, '2');
      // The refusal comes mid-run, once a weight is routed: a route refused while the Canary is
      // idle stalls it before any run starts (decide.ts, routeRejected), so annotating before the
      // release would race the release.
      await waitForStatus(
        e,
        ns,
        APP,
        'the run routing a weight',
        (s) => s.phase === 'Progressing' && (s.canaryWeight ?? 0) > 0,
      );
      await e.kubectl([
        ...['-n', ns, 'annotate', 'httproute', APP],
        `${EMULATOR_ANNOTATIONS.reject}=${message}`,
      ]);
      const seen: CanaryStatus[] = [];
      const done = await waitForStatus(e, ns, APP, 'the run ended', (s) => {
        seen.push(s);
        return s.phase === 'Succeeded' || s.phase === 'Failed';
      });
      expect(done.phase).toBe('Failed');
      expect(readyOf(done)?.message).toContain(message);
      expect(done.lastPromotedRevision).not.toBe(done.revision);
      // Once refused: still progressing, Ready=False with the mesh's own words, and the weight
      // held where it was until the run failed.
      const refused = seen.findIndex(
        (s) =>
          s.phase === 'Progressing' &&
          readyOf(s)?.status === 'False' &&
          (readyOf(s)?.message ?? '').includes(message),
      );
      expect(refused).toBeGreaterThanOrEqual(0);
      const held = seen[refused]?.canaryWeight;
      const whileRefused = seen.slice(refused).filter((s) => s.phase === 'Progressing');
      expect(whileRefused.map((s) => s.canaryWeight)).toEqual(whileRefused.map(() => held));
      expect(Math.max(...split.weights)).toBeLessThanOrEqual(held ?? 0);
      const events = await canaryEvents(e.admin, ns, (evs) =>
        evs.some((ev) => ev.type === 'Warning' && (ev.note ?? '').includes(message)),
      );
      expect(events.some((ev) => ev.type === 'Warning' && (ev.note ?? '').includes(message))).toBe(
        true,
      );
    });
  });

  describe('an HTTPRoute we did not create', () => {
    const ns = 'rt-gatewayapi-takeover';
    const userRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${APP}, namespace: ${ns}}
spec:
  parentRefs: [{group: "", kind: Service, name: ${APP}, port: 9898}]
  rules:
  - backendRefs: [{name: ${APP}, port: 9898}]
`;

    it('is refused (NotOwned) until annotated for takeover, then taken over without an owner', async () => {
      await e.apply(namespaceYaml(ns));
      await e.apply(appYaml(ns));
      await e.apply(userRoute);
      const before = await getRoute(e, 'gatewayapi', ns);
      await e.apply(canaryYaml(ns, { provider: 'gatewayapi' }));
      const blocked = await waitForStatus(
        e,
        ns,
        APP,
        'NotOwned',
        (s) => readyOf(s)?.reason === 'NotOwned',
      );
      expect(readyOf(blocked)?.message).toContain('weightlifter.io/takeover');
      expect(blocked.phase).not.toBe('Initialized');
      const events = await canaryEvents(e.admin, ns, (evs) =>
        evs.some((ev) => ev.reason === 'NotOwned'),
      );
      const refusal = events.find((ev) => ev.type === 'Warning' && ev.reason === 'NotOwned');
      expect(refusal?.note).toContain('weightlifter.io/takeover');
      const untouched = await getRoute(e, 'gatewayapi', ns);
      expect(untouched?.metadata.generation).toBe(before?.metadata.generation);
      expect(untouched?.spec?.rules).toEqual(before?.spec?.rules);

      await e.kubectl([
        ...['-n', ns, 'annotate', 'httproute', APP],
        'weightlifter.io/takeover=true',
      ]);
      await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
      const taken = await getRoute(e, 'gatewayapi', ns);
      expect(taken?.metadata.ownerReferences ?? []).toEqual([]);
      expect(taken?.metadata.annotations?.['weightlifter.io/taken-over']).toBeDefined();
      expect(taken?.spec?.rules).toEqual([
        expect.objectContaining({
          backendRefs: [
            expect.objectContaining({ name: `${APP}-primary`, weight: 100 }),
            expect.objectContaining({ name: `${APP}-canary`, weight: 0 }),
          ],
        }),
      ]);
      // A run takes its first step through the taken-over route.
      const split = new SplitRecorder(e.admin, ns, 'httproute');
      await split.start();
      try {
        await release(e, ns, '2');
        await split.reached(20);
      } finally {
        await split.stop();
      }
    });
  });
}
