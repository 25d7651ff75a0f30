// End-to-end, issue 16: an A/B release by HTTP match, over Gateway API (a GAMMA world) and over
// SMI (TrafficSplit v1alpha3 and v1alpha4, each Canary pinning one in a world that serves every
// version). 20 % of the emulator's requests carry `x-canary: insider`; during the run the canary
// Deployment gets those and only those (Prometheus, by deployment); a healthy run is promoted
// after its iterations, a bad one rolled back, and after either the route routes everything to
// the primary: the HTTPRoute has no match rule; the TrafficSplit has no `matches` and its
// HTTPRouteGroup is gone. Over TrafficSplit v1alpha2 (no `matches`), a Canary with a match is
// refused before any traffic moves.
import { describe, expect, it, jest } from '@jest/globals';
import type { CanaryStatus } from '../../src/api/canary.js';
import { isNotFound } from '../../src/kube/errors.js';
import { REQUEST_MIX_ANNOTATION } from '../../dev/local/emulator/request-mix.js';
import { expectRefusedBeforeTraffic, releaseRevision, waitForEnd } from '../e2e/canary-run.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, waitForStatus, type E2E } from '../e2e/harness.js';
import { APP, BEHAVIOUR } from '../e2e/manifests.js';
import { queryAt, waitForSpan } from './world-helpers.js';

jest.setTimeout(180_000);

const MATCH = [{ headers: { 'x-canary': { exact: 'insider' } } }];
const AB = { ab: { iterations: 8, match: MATCH }, interval: '2s' } as const;
const mix = (value: string): string =>
  JSON.stringify([{ percent: 20, headers: { 'x-canary': value } }]);
const ROUTES = '/apis/gateway.networking.k8s.io/v1';

interface Rule {
  matches?: unknown[];
  backendRefs?: { name: string; weight?: number }[];
}

async function rulesOf(e: E2E, ns: string): Promise<Rule[]> {
  const route = await e.admin.get<{ spec?: { rules?: Rule[] } }>(
    `${ROUTES}/namespaces/${ns}/httproutes/${APP}`,
  );
  return route.spec?.rules ?? [];
}

const weights = (r: Rule | undefined): Record<string, number | undefined> =>
  Object.fromEntries((r?.backendRefs ?? []).map((b) => [b.name, b.weight]));

/** Our rules now: the A/B rule while a run has the matching requests, then the weighted one. */
const isAbRule = (r: Rule): boolean => JSON.stringify(r.matches).includes('x-canary');

/** Inbound requests per Deployment of `ns` over the `seconds` before `at`. */
async function requestsByDeployment(
  e: E2E,
  ns: string,
  seconds: number,
  at: number,
): Promise<Record<string, number>> {
  const q = `sum by (deployment) (increase(request_total{direction="inbound",namespace="${ns}"}[${String(seconds)}s]))`;
  const rows = await queryAt(e.world, q, at);
  return Object.fromEntries(rows.map((r) => [r.metric['deployment'] ?? '', r.value]));
}

async function annotate(e: E2E, ns: string, key: string, value: string): Promise<void> {
  await e.kubectl(['-n', ns, 'annotate', '--overwrite', 'service', APP, `${key}=${value}`]);
}

const annotateMix = (e: E2E, ns: string, value: string): Promise<void> =>
  annotate(e, ns, REQUEST_MIX_ANNOTATION, mix(value));

/** The emulator routes the apex's requests with the canary at `canaryWeight` (by request share). */
async function emulatorRoutes(e: E2E, ns: string, canaryWeight: number): Promise<void> {
  await eventually(`${ns}: the emulator sends ${String(canaryWeight)} % to the canary`, () => {
    const t = e.world.emulator.targets().find((x) => x.namespace === ns && x.service === APP);
    const total = (t?.backends ?? []).reduce((n, b) => n + b.weight, 0);
    const canary = (t?.backends ?? [])
      .filter((b) => b.service === `${APP}-canary`)
      .reduce((n, b) => n + b.weight, 0);
    return total > 0 && Math.abs((100 * canary) / total - canaryWeight) < 1e-9 ? true : undefined;
  });
}

/** How one routing API shows an A/B run: the route of a run, and the route after it. */
interface AbRoute {
  /** The matching requests are routed to the canary (canary 100), everything else to the primary. */
  during(e: E2E, ns: string): Promise<void>;
  /** After a run: nothing of the A/B run left, everything on the primary. */
  after(e: E2E, ns: string): Promise<void>;
}

const HTTP_ROUTE: AbRoute = {
  async during(e, ns) {
    // The A/B rule in front of the weighted rule, which keeps every other request on the primary.
    await eventually(`${ns}: the A/B rule is written`, async () =>
      (await rulesOf(e, ns)).some(isAbRule) ? true : undefined,
    );
    const rules = await rulesOf(e, ns);
    expect(rules.map((r) => [isAbRule(r), weights(r)])).toEqual([
      [true, { [`${APP}-primary`]: 0, [`${APP}-canary`]: 100 }],
      [false, { [`${APP}-primary`]: 100, [`${APP}-canary`]: 0 }],
    ]);
  },
  async after(e, ns) {
    const rules = await rulesOf(e, ns);
    expect(rules.filter(isAbRule)).toEqual([]);
    expect(rules.map(weights)).toEqual([{ [`${APP}-primary`]: 100, [`${APP}-canary`]: 0 }]);
  },
};

interface SplitJson {
  spec?: {
    matches?: { kind: string; name: string }[];
    backends?: { service: string; weight: number }[];
  };
}

/** Over a TrafficSplit of `version`: its `matches` name the run's HTTPRouteGroup. */
function trafficSplit(version: string): AbRoute {
  const split = (e: E2E, ns: string) =>
    e.admin.get<SplitJson>(
      `/apis/split.smi-spec.io/${version}/namespaces/${ns}/trafficsplits/${APP}`,
    );
  const group = `${APP}-${APP}-ab`;
  const groupPath = (ns: string) =>
    `/apis/specs.smi-spec.io/${version}/namespaces/${ns}/httproutegroups/${group}`;
  const backends = (s: SplitJson) =>
    Object.fromEntries((s.spec?.backends ?? []).map((b) => [b.service, b.weight]));
  return {
    async during(e, ns) {
      const s = await eventually(`${ns}: the split names the HTTPRouteGroup`, async () => {
        const live = await split(e, ns);
        return (live.spec?.matches ?? []).length > 0 ? live : undefined;
      });
      expect(s.spec?.matches).toEqual([
        expect.objectContaining({ kind: 'HTTPRouteGroup', name: group }),
      ]);
      expect(backends(s)).toEqual({ [`${APP}-primary`]: 0, [`${APP}-canary`]: 100 });
      const g = await e.admin.get<{ spec?: unknown }>(groupPath(ns));
      expect(g.spec).toEqual({
        matches: [{ name: 'match-0', headers: [{ 'x-canary': '^insider$' }] }],
      });
    },
    async after(e, ns) {
      const s = await split(e, ns);
      expect(s.spec?.matches).toBeUndefined();
      expect(backends(s)).toEqual({ [`${APP}-primary`]: 100, [`${APP}-canary`]: 0 });
      const gone = await e.admin.get(groupPath(ns)).then(
        () => 'found',
        (err: unknown) => (isNotFound(err) ? 'not found' : err),
      );
      expect(gone).toBe('not found');
    },
  };
}

/** A healthy A/B run through `route`: the matching requests, and only those, on the canary. */
async function healthyRun(e: E2E, ns: string, route: AbRoute): Promise<void> {
  await annotate(e, ns, 'emulator.weightlifter.io/rps', '200');
  await annotateMix(e, ns, 'insider');
  await releaseRevision(e, ns, '2');
  await waitForStatus(
    e,
    ns,
    APP,
    'matching requests on the canary',
    (s) => (s.canaryWeight ?? 0) === 100,
  );
  await route.during(e, ns);
  await emulatorRoutes(e, ns, 20);

  // Prometheus, by Deployment: the canary (the target Deployment) gets 20 % ± 5 points.
  const seen = await requestsByDeployment(e, ns, 10, await waitForSpan(Date.now() / 1000, 10));
  const canary = seen[APP] ?? 0;
  const total = canary + (seen[`${APP}-primary`] ?? 0);
  expect({ ns, total: total > 500 }).toEqual({ ns, total: true });
  expect({ ns, share: Math.abs((100 * canary) / total - 20) <= 5 }).toEqual({ ns, share: true });

  // With no matching request in the mix, not one request reaches the canary.
  await annotateMix(e, ns, 'outsider');
  await emulatorRoutes(e, ns, 0);
  const none = await requestsByDeployment(e, ns, 5, await waitForSpan(Date.now() / 1000, 5));
  expect({ ns, canary: none[APP] ?? 0 }).toEqual({ ns, canary: 0 });
  expect({ ns, primary: (none[`${APP}-primary`] ?? 0) > 100 }).toEqual({ ns, primary: true });
  expect({ ns, phase: (await getCanary(e, ns, APP)).status?.phase }).toEqual({
    ns,
    phase: 'Progressing',
  });

  await annotateMix(e, ns, 'insider');
  const done = await waitForEnd(e, ns);
  expect({ ns, phase: done.phase, iterations: done.iterations }).toEqual({
    ns,
    phase: 'Succeeded',
    iterations: 8,
  });
  expect(done.lastPromotedRevision).toBe(done.revision);
  await route.after(e, ns);
  await emulatorRoutes(e, ns, 0);
}

/** A bad A/B release (errors on the canary) through `route`: rolled back, all on the primary. */
async function badRun(e: E2E, ns: string, route: AbRoute): Promise<void> {
  await releaseRevision(e, ns, '3', BEHAVIOUR.errorRate(0.5));
  const done: CanaryStatus = await waitForEnd(e, ns);
  expect({ ns, phase: done.phase }).toEqual({ ns, phase: 'Failed' });
  expect(done.lastPromotedRevision).not.toBe(done.revision);
  expect((done.lastAnalysis ?? []).find((m) => m.result === 'Failed')?.metric).toBe('success-rate');
  // The status is persisted before its effects (docs/architecture.md): Failed is recorded, then
  // the route is written back to the primary, so the route may lag the phase by that write.
  await eventually(`${ns}: the route after the rollback`, async () => {
    await route.after(e, ns);
    return true;
  });
  await emulatorRoutes(e, ns, 0);
}

const HEALTHY =
  'sends the matching requests, and only those, to the canary; promotes after its iterations';
const BAD = 'rolls back a bad A/B release (errors on the canary), everything back on the primary';

describe('over Gateway API (GAMMA world)', () => {
  const e = useE2E('ab-gatewayapi', { world: { meshApis: ['gatewayapi'] } });
  const ns = 'ab-gw';
  initializedCanary(e, ns, {
    canary: { provider: 'gatewayapi', ...AB },
    splitVersion: 'httproute',
  });
  it(HEALTHY, () => healthyRun(e, ns, HTTP_ROUTE));
  it(BAD, () => badRun(e, ns, HTTP_ROUTE));
});

describe('over SMI (a world serving every TrafficSplit version; each Canary pins one)', () => {
  const e = useE2E('ab-smi', { world: { meshApis: ['smi'] } });

  // The two versions' runs at once, each in its own namespace.
  const versions = ['v1alpha3', 'v1alpha4'] as const;
  const nsOf = (version: string) => `ab-smi-${version}`;
  for (const version of versions) {
    initializedCanary(e, nsOf(version), {
      canary: { provider: 'smi', smiVersion: version, ...AB },
      splitVersion: version,
    });
  }
  const both = (run: typeof healthyRun) => async () => {
    await Promise.all(versions.map((v) => run(e, nsOf(v), trafficSplit(v))));
  };
  it(`TrafficSplit ${versions.join(' and ')}: ${HEALTHY}`, both(healthyRun));
  it(`TrafficSplit ${versions.join(' and ')}: ${BAD}`, both(badRun));

  it('refuses a match over TrafficSplit v1alpha2 (no matches) with Ready=False (UnsupportedStrategy) and a Warning Event, and moves no traffic', () =>
    expectRefusedBeforeTraffic(
      e,
      'ab-smi-v1alpha2',
      { provider: 'smi', smiVersion: 'v1alpha2', ...AB },
      'v1alpha2',
      'UnsupportedStrategy',
      /spec\.analysis\.match .*needs TrafficSplit v1alpha3 or later/,
    ));
});
