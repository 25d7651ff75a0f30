// The emulated SMI mesh honours TrafficSplit `matches` (v1alpha3 and v1alpha4) against the real
// kube-apiserver: only the requests the named HTTPRouteGroup matches are split, the rest go to the
// root Service; a dangling reference matches nothing and is reported. Nothing runs pods, so the
// emulator plays the kubelet too (as in world-gamma.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REQUEST_MIX_ANNOTATION } from '../../dev/local/emulator/request-mix.js';
import { startWorld, type World } from '../../dev/local/world.js';
import {
  apply,
  deploymentYaml,
  docs,
  namespaceYaml,
  pollFor,
  serviceYaml,
  uniqueNamespace,
  waitForReadyPods,
} from './world-helpers.js';

let world: World;

beforeAll(async () => {
  world = await startWorld({ controlPlaneOptions: { controllerManager: false } });
}, 120_000);

afterAll(async () => {
  await world.stop();
}, 60_000);

const RPS = 400;
/** 20 % insiders, 10 % carrying the same header with another value, the rest plain. */
const MIX = [
  { percent: 20, headers: { 'x-canary': 'insider' } },
  { percent: 10, headers: { 'x-canary': 'outsider' } },
];

/** The shape weightlifter builds: the apex selects the primary; -primary/-canary backends. */
function app(ns: string): string {
  const annotations = {
    'emulator.weightlifter.io/rps': String(RPS),
    [REQUEST_MIX_ANNOTATION]: JSON.stringify(MIX),
  };
  return docs(
    namespaceYaml(ns),
    deploymentYaml(ns, 'podinfo-primary'),
    deploymentYaml(ns, 'podinfo'),
    `apiVersion: v1
kind: Service
metadata: {name: podinfo, namespace: ${ns}, annotations: ${JSON.stringify(annotations)}}
spec:
  selector: {app: podinfo-primary}
  ports: [{port: 9898, targetPort: 9898}]
`,
    serviceYaml(ns, 'podinfo-primary', { app: 'podinfo-primary' }),
    serviceYaml(ns, 'podinfo-canary', { app: 'podinfo' }),
  );
}

const group = (
  ns: string,
  version: string,
  name: string,
) => `apiVersion: specs.smi-spec.io/${version}
kind: HTTPRouteGroup
metadata: {name: ${name}, namespace: ${ns}}
spec:
  matches:
    - name: insider
      headers: [{x-canary: insider}]
`;

const split = (
  ns: string,
  version: string,
  group: string,
) => `apiVersion: split.smi-spec.io/${version}
kind: TrafficSplit
metadata: {name: podinfo, namespace: ${ns}}
spec:
  service: podinfo
  matches: [{kind: HTTPRouteGroup, name: ${group}}]
  backends:
    - {service: podinfo-primary, weight: 0}
    - {service: podinfo-canary, weight: 100}
`;

/**
 * Requests per backend Service over the next 2,000 through the apex. Each request picks its
 * backend at random, so a 20 % share has sd 0.9 pp over 2,000 and the ±5 pp checks below sit
 * 5.6 sd out.
 */
async function observe(ns: string): Promise<Record<string, number>> {
  world.emulator.resetObserved(ns, 'podinfo');
  return pollFor(`2000 requests through ${ns}/podinfo`, () => {
    const seen = world.emulator.observedSplit(ns, 'podinfo');
    return Object.values(seen).reduce((s, x) => s + x, 0) >= 2000 ? seen : undefined;
  });
}

const share = (seen: Record<string, number>, backend: string): number =>
  (100 * (seen[backend] ?? 0)) / Object.values(seen).reduce((s, x) => s + x, 0);

describe.each(['v1alpha3', 'v1alpha4'])('a %s TrafficSplit with matches', (version) => {
  const ns = uniqueNamespace(`smi-matches-${version}`);

  beforeAll(async () => {
    await apply(
      world,
      docs(app(ns), group(ns, version, 'insiders'), split(ns, version, 'insiders')),
    );
    await waitForReadyPods(world, ns, { 'podinfo-primary': 1, podinfo: 1 });
  }, 120_000);

  it('sends the matching requests, and only those, to the canary; the rest to the root Service', async () => {
    await pollFor('the emulator routes the apex by the split and its group', () => {
      const t = world.emulator.targets().find((x) => x.namespace === ns && x.service === 'podinfo');
      return t?.backends.some((b) => b.service === 'podinfo-canary' && b.weight > 0)
        ? true
        : undefined;
    });
    const seen = await observe(ns);
    // The root Service selects the primary's pods; the split's own primary backend weighs 0.
    expect(Object.keys(seen).sort()).toEqual(['podinfo', 'podinfo-canary']);
    expect(Math.abs(share(seen, 'podinfo-canary') - 20)).toBeLessThanOrEqual(5);
    expect(Math.abs(share(seen, 'podinfo') - 80)).toBeLessThanOrEqual(5);
    expect(world.emulator.problems().filter((p) => p.object.includes(ns))).toEqual([]);
  }, 60_000);

  it('a reference to a missing HTTPRouteGroup matches nothing: all requests on the root Service, reported', async () => {
    await apply(world, split(ns, version, 'gone'));
    const problem = await pollFor('the dangling reference reported', () =>
      world.emulator
        .problems()
        .find((p) => p.object === `TrafficSplit ${ns}/podinfo` && p.message.includes('gone')),
    );
    expect(problem.message).toBe('matches[0]: HTTPRouteGroup gone not found: it matches nothing');
    const seen = await observe(ns);
    expect(Object.keys(seen)).toEqual(['podinfo']);
  }, 60_000);
});
