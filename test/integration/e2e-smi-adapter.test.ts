// End-to-end, issue 20: `weightlifter smi-adapter` in a world whose mesh routes by Gateway API
// only (the emulator as a GAMMA mesh) while the SMI CRDs are installed, as on a cluster whose mesh
// dropped SMI. The adapter runs as a child process with its own ServiceAccount identity and the
// RBAC of deploy/smi-adapter; what the mesh did is read from the emulator's request counts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { gatewayApiCrdDir } from '../../dev/local/gateway-api-crds.js';
import { repoRoot } from '../../dev/local/paths.js';
import { REQUEST_MIX_ANNOTATION } from '../../dev/local/emulator/request-mix.js';
import { smiCrdDir } from '../../dev/local/smi-crds.js';
import { isNotFound } from '../../src/kube/errors.js';
import { sumSamples, ControllerProcess } from '../e2e/controller-process.js';
import { deployInitialized, newRevision, waitForEnd } from '../e2e/canary-run.js';
import { eventually, getCanary, startE2E, waitForStatus, type E2E } from '../e2e/harness.js';
import { APP, BEHAVIOUR } from '../e2e/manifests.js';
import { getDeployment, type EventJson, type SplitRecorder } from '../e2e/observers.js';
import { RoutedTraffic } from '../e2e/routed-traffic.js';

jest.setTimeout(240_000);

const ADAPTER_SA = 'weightlifter-smi-adapter';
const GENERATION = 'smi-adapter.weightlifter.io/http-route-generation';
const SPLIT_GENERATION = 'smi-adapter.weightlifter.io/traffic-split-generation';
const ROUTES = '/apis/gateway.networking.k8s.io/v1';

let e: E2E;
let adapter: ControllerProcess;

/** A kubeconfig with a real token of ServiceAccount weightlifter-system/`sa` (TokenRequest). */
async function tokenKubeconfig(sa: string): Promise<string> {
  const cp = e.world.controlPlane;
  const token = (
    await e.kubectl(['-n', 'weightlifter-system', 'create', 'token', sa, '--duration=2h'])
  ).trim();
  const file = join(cp.dir, `${sa}.kubeconfig`);
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'local', cluster: { server: cp.server, 'certificate-authority': cp.ca.cert } },
      ],
      users: [{ name: sa, user: { token } }],
      contexts: [{ name: sa, context: { cluster: 'local', user: sa } }],
      'current-context': sa,
    }),
  );
  return file;
}

beforeAll(async () => {
  const root = repoRoot();
  e = await startE2E('smi-adapter', {
    world: {
      // The mesh routes by HTTPRoute alone; the TrafficSplit and HTTPRouteGroup CRDs are there.
      meshApis: ['gatewayapi'],
      controlPlaneOptions: {
        crdDirs: [join(root, 'crds'), smiCrdDir(root), await gatewayApiCrdDir()],
      },
    },
  });
  for (const file of ['service-account.yaml', 'rbac.yaml']) {
    await e.apply(await readFile(join(root, 'deploy', 'smi-adapter', file), 'utf8'));
  }
  const cp = e.world.controlPlane;
  adapter = new ControllerProcess({
    command: 'smi-adapter',
    kubeconfig: await tokenKubeconfig(ADAPTER_SA),
    prometheusUrl: '',
    endpointGate: false,
    logFile: join(process.env['WEIGHTLIFTER_E2E_LOG_DIR'] ?? cp.dir, 'smi-adapter.log'),
    extraArgs: ['--leader-elect', '--lease-namespace', 'weightlifter-system'],
  });
  await adapter.start();
}, 240_000);

afterAll(async () => {
  await adapter.close();
  await e.stop();
}, 90_000);

interface ManagedFieldsEntry {
  manager?: string;
  subresource?: string;
  time?: string;
}

interface RouteJson {
  metadata: {
    generation?: number;
    annotations?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  spec?: { parentRefs?: unknown; rules?: { matches?: unknown; backendRefs?: unknown }[] };
  status?: {
    parents?: {
      conditions?: { type: string; status: string; reason?: string; observedGeneration?: number }[];
    }[];
  };
}

async function getOrUndefined<T>(path: string): Promise<T | undefined> {
  try {
    return await e.admin.get<T>(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const getRoute = (ns: string, name: string) =>
  getOrUndefined<RouteJson>(`${ROUTES}/namespaces/${ns}/httproutes/${name}`);
const getSplit = (ns: string, name: string) =>
  getOrUndefined<{
    metadata: {
      generation?: number;
      annotations?: Record<string, string>;
      managedFields?: ManagedFieldsEntry[];
    };
  }>(`/apis/split.smi-spec.io/v1alpha4/namespaces/${ns}/trafficsplits/${name}`);

/** The TrafficSplit's Events (recorded by the adapter). */
async function splitEvents(ns: string, name: string): Promise<EventJson[]> {
  const list = await e.admin.get<{ items: EventJson[] }>(
    `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
  );
  return list.items.filter(
    (x) => x.regarding?.kind === 'TrafficSplit' && x.regarding.name === name,
  );
}

const serviceYaml = (ns: string, name: string, app: string, annotations = {}) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}, annotations: ${JSON.stringify(annotations)}}
spec: {selector: {app: ${app}}, ports: [{port: 80, targetPort: 8080}]}
`;

const deploymentYaml = (ns: string, app: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${app}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec: {containers: [{name: app, image: app:1, ports: [{containerPort: 8080}]}]}
`;

/**
 * smi-conformance's world: root `web` (its own pods are b's), backends `web-b` and `web-c`. The
 * root gets 1,000 requests/s, so observe()'s 2,000 requests take 2 s.
 */
async function conformanceApp(ns: string, rootAnnotations: Record<string, string> = {}) {
  await e.apply(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`);
  await e.apply(
    [
      serviceYaml(ns, 'web', 'b', { 'emulator.weightlifter.io/rps': '1000', ...rootAnnotations }),
      serviceYaml(ns, 'web-b', 'b'),
      serviceYaml(ns, 'web-c', 'c'),
      deploymentYaml(ns, 'b'),
      deploymentYaml(ns, 'c'),
    ].join('---\n'),
  );
}

const splitYaml = (
  ns: string,
  version: string,
  weights: readonly [number, number],
  matches = '',
) => `apiVersion: split.smi-spec.io/${version}
kind: TrafficSplit
metadata: {name: web, namespace: ${ns}}
spec:
  service: web
${matches}  backends:
    - {service: web-b, weight: ${weights[0]}}
    - {service: web-c, weight: ${weights[1]}}
`;

const accepted = (r: RouteJson): boolean =>
  (r.status?.parents ?? []).some((p) =>
    (p.conditions ?? []).some(
      (c) =>
        c.type === 'Accepted' &&
        c.status === 'True' &&
        c.observedGeneration === r.metadata.generation,
    ),
  );

/**
 * Waits until the split's translation is what the mesh routes by: the HTTPRoute satisfies `ok`,
 * the mesh accepted its generation, and the split's annotation names that generation.
 */
async function translated(
  ns: string,
  ok: (r: RouteJson) => boolean,
  name = 'web',
): Promise<RouteJson> {
  return eventually(`${ns}/${name} translated and accepted`, async () => {
    const route = await getRoute(ns, name);
    if (route === undefined || !ok(route) || !accepted(route)) return undefined;
    const split = await getSplit(ns, name);
    return split?.metadata.annotations?.[GENERATION] === String(route.metadata.generation) &&
      split.metadata.annotations[SPLIT_GENERATION] === String(split.metadata.generation)
      ? route
      : undefined;
  });
}

const weightsOf = (r: RouteJson, rule = 0): unknown =>
  ((r.spec?.rules?.[rule]?.backendRefs ?? []) as { name: string; weight: number }[]).map((b) => [
    b.name,
    b.weight,
  ]);

/**
 * Requests per backend over the next `n` requests through the root Service `web`. Each request
 * picks its backend at random, so a share of p over n requests has sd sqrt(p(1 - p) / n): at
 * n = 2000 a 75/25 share has sd 0.97 pp and the ±5 pp checks below sit 5.2 sd out (a false
 * failure about once in 5 million). At n = 500 they sat 2.6 sd out: about one check in 100
 * failed, and a fresh CI run did (75/25 measured 5.4 pp off).
 */
async function observe(ns: string, n = 2000): Promise<Record<string, number>> {
  e.world.emulator.resetObserved(ns, 'web');
  return eventually(`${n} requests through ${ns}/web`, () => {
    const seen = e.world.emulator.observedSplit(ns, 'web');
    return Object.values(seen).reduce((s, x) => s + x, 0) >= n ? seen : undefined;
  });
}

const share = (seen: Record<string, number>, backend: string): number => {
  const total = Object.values(seen).reduce((s, x) => s + x, 0);
  return (100 * (seen[backend] ?? 0)) / total;
};

describe('the adapter process', () => {
  it('runs as its own identity, watching TrafficSplit, HTTPRouteGroup and HTTPRoute; the mesh serves no SMI', async () => {
    const started = await adapter.waitForLog((l) => l.msg === 'weightlifter smi-adapter started');
    expect(started['watches']).toEqual([
      'split.smi-spec.io/v1alpha4/trafficsplits',
      'specs.smi-spec.io/v1alpha4/httproutegroups',
      'gateway.networking.k8s.io/v1/httproutes',
    ]);
    expect(started['leaderElection']).toBe('weightlifter-system/weightlifter-smi-adapter');
    expect(e.world.emulator.splitVersions()).toEqual([]);
    expect(e.world.emulator.httpRouteVersion()).toBe('v1');
  });
});

describe.each(['v1alpha2', 'v1alpha4'])('SMI traffic-split conformance, %s split', (version) => {
  const ns = `smi-conf-${version}`;
  beforeAll(async () => {
    await conformanceApp(ns);
  });

  it.each([
    [
      [1, 0],
      [1, 0],
    ],
    [
      [0, 1],
      [0, 1],
    ],
    [
      [75, 25],
      [3, 1],
    ],
    [
      [25, 75],
      [1, 3],
    ],
  ] as const)(
    'weights %j: HTTPRoute weights %j, each share within ±5 pp over 2,000 requests',
    async (weights, ints) => {
      await e.apply(splitYaml(ns, version, weights));
      const route = await translated(
        ns,
        (r) =>
          JSON.stringify(weightsOf(r)) ===
          JSON.stringify([
            ['web-b', ints[0]],
            ['web-c', ints[1]],
          ]),
      );
      expect(route.spec?.parentRefs).toEqual([
        { group: '', kind: 'Service', name: 'web', port: 80 },
      ]);
      expect(route.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'TrafficSplit', name: 'web', controller: true }),
      ]);
      const seen = await observe(ns);
      const [b, c] = weights;
      if (c === 0) expect(seen['web-c'] ?? 0).toBe(0); // only B receives
      if (b === 0) expect(seen['web-b'] ?? 0).toBe(0); // only C receives
      if (b > c) expect(seen['web-b'] ?? 0).toBeGreaterThan(seen['web-c'] ?? 0);
      if (c > b) expect(seen['web-c'] ?? 0).toBeGreaterThan(seen['web-b'] ?? 0);
      expect(Math.abs(share(seen, 'web-b') - (100 * b) / (b + c))).toBeLessThanOrEqual(5);
      expect(Math.abs(share(seen, 'web-c') - (100 * c) / (b + c))).toBeLessThanOrEqual(5);
      expect(Object.keys(seen).filter((k) => k !== 'web-b' && k !== 'web-c')).toEqual([]);
    },
  );

  it('deleting the split deletes its HTTPRoute', async () => {
    await e.kubectl(['-n', ns, 'delete', `trafficsplits.${version}.split.smi-spec.io`, 'web']);
    await eventually(`${ns}/web HTTPRoute gone`, async () =>
      (await getRoute(ns, 'web')) === undefined ? true : undefined,
    );
  });
});

describe('matches: an HTTPRouteGroup header match', () => {
  const ns = 'smi-ab';
  const groupYaml = (value: string) => `apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: insiders, namespace: ${ns}}
spec:
  matches:
    - name: insider
      headers: [{x-canary: ${value}}]
`;
  beforeAll(async () => {
    await conformanceApp(ns, {
      [REQUEST_MIX_ANNOTATION]: JSON.stringify([
        { percent: 20, headers: { 'x-canary': 'insider' } },
        { percent: 10, headers: { 'x-canary': 'outsider' } },
      ]),
    });
    await e.apply(groupYaml('insider'));
    await e.apply(
      splitYaml(ns, 'v1alpha4', [0, 100], '  matches: [{kind: HTTPRouteGroup, name: insiders}]\n'),
    );
  });

  it('sends exactly the matching requests to the backends, the rest to the root Service', async () => {
    const route = await translated(ns, (r) => (r.spec?.rules ?? []).length === 2);
    expect(route.spec?.rules).toEqual([
      {
        matches: [
          {
            path: { type: 'PathPrefix', value: '/' },
            headers: [{ type: 'RegularExpression', name: 'x-canary', value: 'insider' }],
          },
        ],
        backendRefs: [
          { group: '', kind: 'Service', name: 'web-b', port: 80, weight: 0 },
          { group: '', kind: 'Service', name: 'web-c', port: 80, weight: 1 },
        ],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'web', port: 80, weight: 1 }],
      },
    ]);
    const seen = await observe(ns);
    expect(seen['web-b'] ?? 0).toBe(0);
    expect(Math.abs(share(seen, 'web-c') - 20)).toBeLessThanOrEqual(5);
    expect(Math.abs(share(seen, 'web') - 80)).toBeLessThanOrEqual(5);
  });

  it('a change of the referenced HTTPRouteGroup updates the route', async () => {
    const before = await getRoute(ns, 'web');
    await e.apply(groupYaml('outsider'));
    const after = await translated(ns, (r) =>
      JSON.stringify(r.spec?.rules?.[0]?.matches).includes('outsider'),
    );
    expect(after.metadata.generation).toBeGreaterThan(before?.metadata.generation ?? 0);
    const seen = await observe(ns);
    expect(seen['web-b'] ?? 0).toBe(0);
    expect(Math.abs(share(seen, 'web-c') - 10)).toBeLessThanOrEqual(5);
  });
});

/** Epoch ms of the newest managedFields time among the entries `which` selects. */
const writtenAt = (
  obj: { metadata: { managedFields?: ManagedFieldsEntry[] } } | undefined,
  which: (m: ManagedFieldsEntry) => boolean = () => true,
): number =>
  Math.max(
    ...(obj?.metadata.managedFields ?? []).filter(which).map((m) => Date.parse(m.time ?? '')),
  );

/** The adapter's own field manager (named after its user agent). */
const byAdapter = (m: ManagedFieldsEntry): boolean =>
  m.manager?.startsWith('weightlifter-smi-adapter') === true;

const rejectedAt = (r: RouteJson | undefined, generation: number | undefined): boolean =>
  (r?.status?.parents ?? []).some((p) =>
    (p.conditions ?? []).some(
      (c) =>
        c.type === 'Accepted' &&
        c.status === 'False' &&
        c.observedGeneration !== undefined &&
        c.observedGeneration === generation,
    ),
  );

describe('the annotation follows the mesh: written once the translated route is accepted', () => {
  const ns = 'smi-accept';
  const REJECT = 'emulator.weightlifter.io/reject';
  beforeAll(async () => {
    await conformanceApp(ns);
  });

  it('a weight change: the split is annotated after (never before) the mesh accepted the new route generation', async () => {
    await e.apply(splitYaml(ns, 'v1alpha4', [1, 0]));
    await translated(ns, (r) => JSON.stringify(weightsOf(r)) === '[["web-b",1],["web-c",0]]');
    await e.apply(splitYaml(ns, 'v1alpha4', [0, 1]));
    const route = await translated(
      ns,
      (r) => JSON.stringify(weightsOf(r)) === '[["web-b",0],["web-c",1]]',
    );
    const split = await getSplit(ns, 'web');
    // What weightlifter's SMI router measures from: the split's newest write (the annotation).
    const acceptedAt = writtenAt(route, (m) => m.subresource === 'status');
    expect(writtenAt(split, byAdapter)).toBeGreaterThanOrEqual(acceptedAt);
    expect(writtenAt(split)).toBe(writtenAt(split, byAdapter));
  });

  it('a route the mesh rejects: a Warning Event and no annotation until the mesh accepts it', async () => {
    await e.kubectl([
      '-n',
      ns,
      'annotate',
      'httproutes.gateway.networking.k8s.io',
      'web',
      `${REJECT}=no`,
    ]);
    await eventually('HTTPRouteRejected Event and the annotations removed', async () => {
      const rejected = (await splitEvents(ns, 'web')).some(
        (x) => x.reason === 'HTTPRouteRejected' && x.type === 'Warning',
      );
      const a = (await getSplit(ns, 'web'))?.metadata.annotations ?? {};
      return rejected && a[GENERATION] === undefined && a[SPLIT_GENERATION] === undefined
        ? true
        : undefined;
    });
    // A weight change the mesh rejects: the adapter writes the route, the split stays unannotated.
    await e.apply(splitYaml(ns, 'v1alpha4', [1, 1]));
    const refused = await eventually('the 1/1 route rejected by the mesh', async () => {
      const r = await getRoute(ns, 'web');
      return JSON.stringify(weightsOf(r ?? { metadata: {} })) === '[["web-b",1],["web-c",1]]' &&
        rejectedAt(r, r?.metadata.generation)
        ? r
        : undefined;
    });
    expect((await getSplit(ns, 'web'))?.metadata.annotations?.[GENERATION]).toBeUndefined();
    await e.kubectl([
      '-n',
      ns,
      'annotate',
      'httproutes.gateway.networking.k8s.io',
      'web',
      `${REJECT}-`,
    ]);
    const route = await translated(
      ns,
      (r) => r.metadata.generation === refused.metadata.generation,
    );
    const split = await getSplit(ns, 'web');
    expect(writtenAt(split, byAdapter)).toBeGreaterThanOrEqual(
      writtenAt(route, (m) => m.subresource === 'status'),
    );
  });
});

describe('refusals', () => {
  const ns = 'smi-refused';
  beforeAll(async () => {
    await conformanceApp(ns);
  });

  it('leaves a foreign HTTPRoute of the same name alone, with a Warning Event and a counted refusal', async () => {
    await e.apply(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: ${ns}}
spec:
  parentRefs: [{group: "", kind: Service, name: web, port: 80}]
  rules: [{backendRefs: [{name: web-b, port: 80}]}]
`);
    const foreign = await getRoute(ns, 'web');
    await e.apply(splitYaml(ns, 'v1alpha4', [1, 1]));
    const events = await eventually('HTTPRouteNotOwned Event', async () => {
      const list = await splitEvents(ns, 'web');
      return list.some((x) => x.reason === 'HTTPRouteNotOwned') ? list : undefined;
    });
    const refusal = events.find((x) => x.reason === 'HTTPRouteNotOwned');
    expect(refusal?.type).toBe('Warning');
    expect(refusal?.note).toMatch(/was not created for this TrafficSplit .*; it is left alone/);
    expect(
      await adapter.metricSum('weightlifter_smi_adapter_refusals_total', /HTTPRouteNotOwned/),
    ).toBeGreaterThan(0);
    expect(
      adapter.logs.some(
        (l) => l.msg === 'TrafficSplit not translated' && l['reason'] === 'HTTPRouteNotOwned',
      ),
    ).toBe(true);
    const after = await getRoute(ns, 'web');
    // Its spec and metadata as its author wrote them (the mesh writes its status, not the adapter).
    expect(after?.metadata.generation).toBe(foreign?.metadata.generation);
    expect(after?.spec).toEqual(foreign?.spec);
    expect(after?.metadata.ownerReferences).toBeUndefined();
    expect(after?.metadata.labels).toBeUndefined();
    expect((await getSplit(ns, 'web'))?.metadata.annotations?.[GENERATION]).toBeUndefined();
  });

  it('translates the split once the foreign HTTPRoute is gone', async () => {
    await e.kubectl(['-n', ns, 'delete', 'httproutes.gateway.networking.k8s.io', 'web']);
    const route = await translated(ns, (r) => (r.metadata.ownerReferences ?? []).length === 1);
    expect(route.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'TrafficSplit', name: 'web', controller: true }),
    ]);
  });

  it('refuses what one HTTPRoute cannot say (a two-port root Service), writing no route', async () => {
    await e.apply(`apiVersion: v1
kind: Service
metadata: {name: multi, namespace: ${ns}}
spec: {selector: {app: b}, ports: [{name: a, port: 80}, {name: b, port: 81}]}
`);
    await e.apply(
      splitYaml(ns, 'v1alpha4', [1, 1])
        .replace('name: web,', 'name: multi,')
        .replace('service: web\n', 'service: multi\n'),
    );
    await eventually('RootServicePorts Event', async () =>
      (await splitEvents(ns, 'multi')).some(
        (x) => x.reason === 'RootServicePorts' && x.type === 'Warning',
      )
        ? true
        : undefined,
    );
    expect(await getRoute(ns, 'multi')).toBeUndefined();
  });
});

describe('waiting for what a split refers to', () => {
  const ns = 'smi-later';
  beforeAll(async () => {
    await conformanceApp(ns);
  });

  it('translates a split once its missing root Service appears', async () => {
    await e.apply(
      splitYaml(ns, 'v1alpha4', [1, 1])
        .replace('service: web\n', 'service: late\n')
        .replace('name: web,', 'name: late,'),
    );
    await eventually('RootServiceNotFound Event', async () =>
      (await splitEvents(ns, 'late')).some((x) => x.reason === 'RootServiceNotFound')
        ? true
        : undefined,
    );
    expect(await getRoute(ns, 'late')).toBeUndefined();
    await e.apply(serviceYaml(ns, 'late', 'b'));
    await eventually('HTTPRoute late', async () => (await getRoute(ns, 'late')) ?? undefined);
  });

  it('translates a split once its missing HTTPRouteGroup appears', async () => {
    await e.apply(
      splitYaml(ns, 'v1alpha4', [1, 1], '  matches: [{kind: HTTPRouteGroup, name: later}]\n'),
    );
    await eventually('HTTPRouteGroupNotFound Event', async () =>
      (await splitEvents(ns, 'web')).some((x) => x.reason === 'HTTPRouteGroupNotFound')
        ? true
        : undefined,
    );
    expect(await getRoute(ns, 'web')).toBeUndefined();
    await e.apply(`apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: later, namespace: ${ns}}
spec: {matches: [{name: api, pathRegex: /api}]}
`);
    const route = await translated(ns, (r) => (r.spec?.rules ?? []).length === 2);
    expect(route.spec?.rules?.[0]?.matches).toEqual([
      { path: { type: 'RegularExpression', value: '^(?:/api).*$' } },
    ]);
    const events = await splitEvents(ns, 'web');
    expect(events.some((x) => x.reason === 'HTTPRouteCreated' && x.type === 'Normal')).toBe(true);
  });
});

describe('a weightlifter Canary (provider: smi) through the adapter', () => {
  const ns = 'smi-canary';
  let recorder: SplitRecorder | undefined;
  beforeAll(async () => {
    recorder = await deployInitialized(e, ns, {
      canary: { provider: 'smi', stepWeights: [20, 50] },
      splitVersion: 'httproute',
    });
  });
  afterAll(async () => {
    await recorder?.stop();
  });

  async function release(rev: string, behaviour: Record<string, string> = {}) {
    const traffic = new RoutedTraffic(e.world.emulator, ns);
    traffic.start();
    try {
      recorder?.reset();
      const before = (await getCanary(e, ns, APP)).status?.revision;
      await newRevision(e, ns, {
        'emulator.weightlifter.io/error-rate': null,
        'example.com/rev': rev,
        ...behaviour,
      });
      // The run of this revision, not the end of the previous one.
      await waitForStatus(e, ns, APP, `revision ${rev} running`, (x) => x.revision !== before);
      const end = await waitForEnd(e, ns);
      await recorder?.reached(0);
      return { end, traffic };
    } finally {
      traffic.stop();
    }
  }

  it('promotes a healthy release: the mesh routed each step by the translated HTTPRoute', async () => {
    const { end, traffic } = await release('2');
    expect(end.phase).toBe('Succeeded');
    expect(recorder?.weights).toEqual([0, 20, 50, 0]);
    expect([...traffic.routedBy]).toEqual([`HTTPRoute/${APP}`]);
    expect(traffic.canaryAt(20)).toBeGreaterThan(0);
    expect(traffic.canaryAt(50)).toBeGreaterThan(0);
  });

  it('rolls back a bad release: all traffic back on the primary', async () => {
    const { end, traffic } = await release('3', BEHAVIOUR.errorRate(0.3));
    expect(end.phase).toBe('Failed');
    expect((end.lastAnalysis ?? []).find((m) => m.result === 'Failed')?.metric).toBe(
      'success-rate',
    );
    // The bad release got traffic through the route, then none.
    expect(recorder?.weights.slice(1, -1).every((w) => w > 0)).toBe(true);
    expect(recorder?.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
    expect([...traffic.routedBy]).toEqual([`HTTPRoute/${APP}`]);
    // The split is back at 0 when the run ends; the mesh routes by the adapter's translation of
    // it, which follows a moment later. Once the mesh accepted that, the canary gets nothing.
    const canaryAt0 = (r: RouteJson): boolean =>
      (weightsOf(r) as [string, number][]).some(([b, w]) => b === `${APP}-canary` && w === 0);
    await translated(ns, canaryAt0, APP);
    const seen = await observeApex();
    expect(seen[`${APP}-canary`] ?? 0).toBe(0);
  });

  async function observeApex(): Promise<Record<string, number>> {
    e.world.emulator.resetObserved(ns, APP);
    return eventually('100 requests through the apex', () => {
      const seen = e.world.emulator.observedSplit(ns, APP);
      return Object.values(seen).reduce((s, x) => s + x, 0) >= 100 ? seen : undefined;
    });
  }
});

describe('/metrics', () => {
  it('counts translations by result', async () => {
    const text = await adapter.metricsText();
    expect(
      sumSamples(text, 'weightlifter_smi_adapter_translations_total', /result="created"/),
    ).toBeGreaterThan(0);
    expect(
      sumSamples(text, 'weightlifter_smi_adapter_translations_total', /result="updated"/),
    ).toBeGreaterThan(0);
    // Not `deleted`: a deleted split's HTTPRoute is removed by the adapter or, first, by the
    // garbage collector (the route is owned by the split); which one wins is a race. The adapter's
    // count of its own deletions is unit-tested (test/unit/smi-adapter/reconciler.test.ts).
  });
});

describe('--namespaces: an adapter bound to one namespace translates only there', () => {
  const [inside, outside] = ['smi-ns-a', 'smi-ns-b'];
  const SA = 'smi-ns-only';
  let scoped: ControllerProcess | undefined;
  afterAll(async () => {
    await scoped?.close();
  });

  it('with the ClusterRole bound by a RoleBinding in that namespace alone', async () => {
    await adapter.stop(); // the cluster-wide one would translate everything
    for (const ns of [inside, outside]) await conformanceApp(ns);
    await e.apply(`apiVersion: v1
kind: ServiceAccount
metadata: {name: ${SA}, namespace: weightlifter-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${SA}, namespace: ${inside}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: weightlifter-smi-adapter}
subjects: [{kind: ServiceAccount, name: ${SA}, namespace: weightlifter-system}]
`);
    scoped = new ControllerProcess({
      command: 'smi-adapter',
      kubeconfig: await tokenKubeconfig(SA),
      prometheusUrl: '',
      endpointGate: false,
      logFile: join(
        process.env['WEIGHTLIFTER_E2E_LOG_DIR'] ?? e.world.controlPlane.dir,
        'smi-adapter-scoped.log',
      ),
      extraArgs: ['--namespaces', inside],
    });
    await scoped.start();
    for (const ns of [inside, outside]) await e.apply(splitYaml(ns, 'v1alpha4', [1, 3]));
    const route = await translated(inside, () => true);
    expect(weightsOf(route)).toEqual([
      ['web-b', 1],
      ['web-c', 3],
    ]);
    // Its informers listed only `inside` (RBAC allows nothing more): the other split stays alone.
    await scoped.waitForLog((l) => l.msg === 'HTTPRoute created');
    expect(await getRoute(outside, 'web')).toBeUndefined();
    expect(
      scoped.logs.filter((l) => l.msg === 'HTTPRoute created').map((l) => l['httpRoute']),
    ).toEqual([`${inside}/web`]);
  });
});
