// deploy/ against the real kube-apiserver: the cluster-wide base and the namespaced variant (the
// deploy/namespaced component in an overlay written the way deploy/README.md tells users to)
// render with kubectl's kustomize, pass a server-side dry-run apply, carry the hardening the design
// asks for, hand the controller flags its real parser accepts, and — applied for real — the
// namespaced RBAC lets the controller (run as its ServiceAccount's identity) work in the watched
// namespaces and nowhere else. The base RBAC is never applied for real: the shared control plane's
// controller identity must stay without cluster-wide grants for the other test files.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { registerSmiAdapterCommand } from '../../src/smi-adapter/cli.js';
import { ControllerProcess } from '../e2e/controller-process.js';
import { canaryManifest } from './cli-harness.js';
import {
  CONTROLLER_NS,
  REPO,
  configOf,
  containerEnv,
  controllerOf,
  expandedArgs,
  find,
  namespacedRules,
  POD_NAME,
  ok,
  render,
  writeNamespacedOverlay,
  writeShardedOverlay,
  type Doc,
} from './deploy-render.js';
import { kubectl, testCluster } from './helpers/env.js';

jest.setTimeout(240_000);

const SA = `system:serviceaccount:${CONTROLLER_NS}:weightlifter`;
const RUN = Math.random().toString(36).slice(2, 7);
const WATCHED = [`wl-deploy-a-${RUN}`, `wl-deploy-b-${RUN}`] as const;
const OTHER = `wl-deploy-other-${RUN}`;
const CANARIES = 'canaries.weightlifter.io';

async function dryRun(text: string): Promise<string> {
  return ok(
    ['apply', '--server-side', '--dry-run=server', '--field-manager=wl-deploy-test', '-f', '-'],
    text,
  );
}

const namespaceExists = async (ns: string): Promise<boolean> =>
  (await kubectl(['get', 'namespace', ns])).code === 0;

let createdControllerNs = false;
let base: { text: string; docs: Doc[] };

beforeAll(async () => {
  // Namespaced objects cannot be dry-run into a namespace that does not exist.
  if (!(await namespaceExists(CONTROLLER_NS))) {
    await ok(['apply', '-f', join(REPO, 'deploy', 'namespace.yaml')]);
    createdControllerNs = true;
  }
  for (const ns of [...WATCHED, OTHER]) await ok(['create', 'namespace', ns]);
  base = await render(join(REPO, 'deploy'));
});

afterAll(async () => {
  for (const ns of [...WATCHED, OTHER]) await ok(['delete', 'namespace', ns, '--wait=false']);
  if (createdControllerNs) await ok(['delete', 'namespace', CONTROLLER_NS, '--wait=false']);
});

describe('deploy/ (cluster-wide base)', () => {
  it('includes the CRDs of crds/ and every piece of the install', async () => {
    const crdFiles = (await readdir(join(REPO, 'crds'))).filter((f) => f.endsWith('.yaml'));
    const crdNames = await Promise.all(
      crdFiles.map(async (f) => {
        const doc = parseAllDocuments(await readFile(join(REPO, 'crds', f), 'utf8'))[0];
        return (doc?.toJSON() as Doc).metadata.name;
      }),
    );
    const rendered = base.docs.filter((d) => d.kind === 'CustomResourceDefinition');
    expect(rendered.map((d) => d.metadata.name).sort()).toEqual(crdNames.sort());
    const kinds = base.docs.map(
      (d) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Namespace//weightlifter-system',
        'ServiceAccount/weightlifter-system/weightlifter',
        'ClusterRole//weightlifter',
        'ClusterRoleBinding//weightlifter',
        'Role/weightlifter-system/weightlifter-leader-election',
        'RoleBinding/weightlifter-system/weightlifter-leader-election',
        'Deployment/weightlifter-system/weightlifter',
        'PodDisruptionBudget/weightlifter-system/weightlifter',
      ]),
    );
  });

  it('runs two hardened replicas with probes, resources and spread', () => {
    const d = find(base.docs, 'Deployment', 'weightlifter', CONTROLLER_NS);
    const pod = d.spec?.template.spec;
    const c = controllerOf(d);
    expect(d.spec?.replicas).toBe(2);
    expect(pod?.serviceAccountName).toBe('weightlifter');
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.ports).toContainEqual({ name: 'http', containerPort: 8080 });
    expect(c.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources?.limits?.['memory']).toEqual(expect.any(String));
    // V8's old generation is capped below the container's memory limit (sized in
    // docs/benchmarks.md, "Memory"): the process collects garbage before the kernel kills it.
    const nodeOptions = c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    const oldSpaceMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1]);
    const limitMiB = Number(/^(\d+)Mi$/.exec(String(c.resources?.limits?.['memory']))?.[1]);
    expect(oldSpaceMiB).toBeGreaterThan(0);
    expect(limitMiB).toBeGreaterThan(oldSpaceMiB);
    const keys = (pod?.topologySpreadConstraints ?? []).map((t) => t.topologyKey);
    expect(keys).toContain('kubernetes.io/hostname');
    expect(c.env).toContainEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    // An image name without any registry host: the operator points it at theirs.
    expect(c.image).toMatch(/^weightlifter:[\w.-]+$/);
  });

  it('keeps one replica through voluntary disruptions', () => {
    const pdb = find(base.docs, 'PodDisruptionBudget', 'weightlifter', CONTROLLER_NS);
    const d = find(base.docs, 'Deployment', 'weightlifter', CONTROLLER_NS);
    expect(pdb.spec?.minAvailable).toBe(1);
    // Stated, not defaulted: a missing selector must fail here, not match as `{}`.
    const selector = pdb.spec?.selector?.matchLabels;
    expect(selector).toEqual({ 'app.kubernetes.io/name': 'weightlifter' });
    expect(d.spec?.template.metadata?.labels).toMatchObject(selector as Record<string, string>);
  });

  it('gives the controller flags its parser accepts: leader election, probes off loopback', async () => {
    const config = await configOf(base.docs);
    expect(config.leaderElection).toEqual({
      enabled: true,
      namespace: CONTROLLER_NS,
      name: 'weightlifter-controller',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      identity: POD_NAME, // the pod's name is its Lease holderIdentity
    });
    expect(config.health).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.controllerNamespace).toBe(CONTROLLER_NS);
    expect(config.namespaces).toBe('all');
  });

  it('is accepted by the API server (server-side dry-run apply)', async () => {
    const out = await dryRun(base.text);
    expect(out).toContain('deployment.apps/weightlifter serverside-applied (server dry run)');
    expect(out).toContain('poddisruptionbudget.policy/weightlifter serverside-applied');
    expect(out.trim().split('\n')).toHaveLength(base.docs.length);
  });
});

describe('deploy/namespaced (watching only listed namespaces)', () => {
  let dir: string;
  let variant: { text: string; docs: Doc[] };
  let rbac: string;
  const canI = async (args: string[]): Promise<string> =>
    (await kubectl(['auth', 'can-i', ...args, '--as', SA])).stdout.trim();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wl-deploy-'));
    await writeNamespacedOverlay(dir, WATCHED);
    variant = await render(dir);
    // Applied for real: the grants in the throwaway namespaces and the controller namespace, and
    // the narrowed ClusterRole — refused if a ClusterRole of that name is already there.
    if ((await kubectl(['get', 'clusterrole', 'weightlifter'])).code === 0)
      throw new Error('ClusterRole weightlifter already exists on the shared control plane');
    const kinds = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
    rbac = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: variant.docs.filter((d) => kinds.has(d.kind)),
    });
    await ok(['apply', '-f', '-'], rbac);
  });

  afterAll(async () => {
    await ok(['delete', '--ignore-not-found', '-f', '-'], rbac);
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the cluster-wide grants with a Role per watched namespace', () => {
    const clusterRole = find(variant.docs, 'ClusterRole', 'weightlifter');
    expect(clusterRole.rules).toEqual([
      {
        apiGroups: ['weightlifter.io'],
        resources: ['clusteranalysistemplates'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    const baseRole = find(base.docs, 'ClusterRole', 'weightlifter');
    for (const ns of WATCHED) {
      // Same rules as the base minus the cluster-scoped kind: the two files cannot drift apart.
      expect(find(variant.docs, 'Role', 'weightlifter', ns).rules).toEqual(
        namespacedRules(baseRole.rules ?? []),
      );
      expect(find(variant.docs, 'RoleBinding', 'weightlifter', ns).subjects).toEqual([
        { kind: 'ServiceAccount', name: 'weightlifter', namespace: CONTROLLER_NS },
      ]);
    }
    const roles = variant.docs.filter(
      (d) => d.kind === 'Role' && d.metadata.name === 'weightlifter',
    );
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual([...WATCHED].sort());
  });

  it('runs the controller with --namespace set to the listed namespaces', async () => {
    const config = await configOf(variant.docs);
    expect(config.namespaces).toEqual([...WATCHED]);
    expect(config.leaderElection.enabled).toBe(true);
    const c = controllerOf(find(variant.docs, 'Deployment', 'weightlifter', CONTROLLER_NS));
    expect(c.args).toContain('--namespace=$(WATCH_NAMESPACES)');
  });

  it('is accepted by the API server (server-side dry-run apply)', async () => {
    const out = await dryRun(variant.text);
    expect(out).toContain(`role.rbac.authorization.k8s.io/weightlifter serverside-applied`);
    expect(out.trim().split('\n')).toHaveLength(variant.docs.length);
  });

  it.each(
    WATCHED.flatMap((ns) => [
      [['list', CANARIES, '-n', ns]],
      [['patch', CANARIES, '--subresource=status', '-n', ns]],
      [['update', CANARIES, '--subresource=finalizers', '-n', ns]],
      [['create', 'deployments.apps', '-n', ns]],
      [['delete', 'trafficsplits.split.smi-spec.io', '-n', ns]],
      [['watch', 'controllerrevisions.apps', '-n', ns]],
      [['create', 'controllerrevisions.apps', '-n', ns]],
      [['create', 'events.events.k8s.io', '-n', ns]],
    ]),
  )('lets the controller manage canaries in a watched namespace: %j', async (args) => {
    expect(await canI(args)).toBe('yes');
  });

  it.each([
    [['list', CANARIES, '-n', OTHER]],
    [['patch', CANARIES, '--subresource=status', '-n', OTHER]],
    [['create', 'deployments.apps', '-n', OTHER]],
    [['list', 'controllerrevisions.apps', '-n', OTHER]],
    [['list', 'secrets', '-n', OTHER]],
    [['list', CANARIES, '--all-namespaces']],
    [['list', 'secrets', '--all-namespaces']],
    // Secrets are read by name only, even in a watched namespace.
    [['list', 'secrets', '-n', WATCHED[0]]],
    [['update', 'secrets', '-n', WATCHED[0]]],
    [['list', 'secrets', '-n', CONTROLLER_NS]],
    [['delete', 'deployments.apps', '-n', WATCHED[0]]],
    [['update', 'leases.coordination.k8s.io', '-n', WATCHED[0]]],
  ])('denies it everywhere else: %j', async (args) => {
    expect(await canI(args)).toBe('no');
  });

  it('lets the controller, run with these flags as its own identity, work only where it watches', async () => {
    const c = controllerOf(find(variant.docs, 'Deployment', 'weightlifter', CONTROLLER_NS));
    const env = containerEnv(c, variant.docs, CONTROLLER_NS);
    // The harness binds the health address to loopback; everything else is the Deployment's.
    const args = expandedArgs(c, env).filter(
      (a) => a !== 'run' && !a.startsWith('--health-address'),
    );
    const controller = new ControllerProcess({
      kubeconfig: testCluster().controllerKubeconfig,
      prometheusUrl: 'http://127.0.0.1:9',
      endpointGate: true,
      logFile: join(dir, 'controller.log'),
      extraArgs: args,
    });
    const canaries = [WATCHED[0], OTHER].map((ns) => canaryManifest(ns, 'missing-target'));
    try {
      // Ready = every informer listed and watched what it needs: the RBAC is enough.
      await controller.start(120_000).catch((err: unknown) => {
        const complaints = controller.logs.filter((l) => l.level !== 'debug' && l.level !== 'info');
        throw new Error(`controller not ready: ${JSON.stringify(complaints.slice(-5))}`, {
          cause: err,
        });
      });
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: canaries }),
      );
      const reason = await pollReadyReason(WATCHED[0]);
      expect(reason).toBe('TargetNotFound');
      // Written by now if the controller reconciled beyond its namespaces (it must not).
      expect(await readyReason(OTHER)).toBe('');
    } finally {
      await controller.close();
      // The controller may have added its finalizer; nobody is left to remove it.
      for (const ns of [WATCHED[0], OTHER]) {
        await kubectl([
          '-n',
          ns,
          'patch',
          CANARIES,
          'missing-target',
          '--type=merge',
          '-p',
          '{"metadata":{"finalizers":null}}',
        ]);
      }
    }
  });
});

describe('deploy/sharded (one main instance and a Deployment per shard)', () => {
  const SHARDS = ['a', 'b'] as const;
  let dir: string;
  let variant: { text: string; docs: Doc[] };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wl-deploy-sharded-'));
    await writeShardedOverlay(dir, SHARDS);
    variant = await render(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds one Deployment and PodDisruptionBudget per shard, and nothing else twice', () => {
    const names = (kind: string): string[] =>
      variant.docs
        .filter((d) => d.kind === kind)
        .map((d) => d.metadata.name)
        .sort();
    expect(names('Deployment')).toEqual(['weightlifter', 'weightlifter-a', 'weightlifter-b']);
    expect(names('PodDisruptionBudget')).toEqual([
      'weightlifter',
      'weightlifter-a',
      'weightlifter-b',
    ]);
    const others = (docs: readonly Doc[]): string[] =>
      docs
        .filter((d) => d.kind !== 'Deployment' && d.kind !== 'PodDisruptionBudget')
        .map((d) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`)
        .sort();
    expect(others(variant.docs)).toEqual(others(base.docs));
  });

  it('gives each Deployment a selector that matches only its own pods', () => {
    const deployments = ['weightlifter', 'weightlifter-a', 'weightlifter-b'].map((n) =>
      find(variant.docs, 'Deployment', n, CONTROLLER_NS),
    );
    for (const d of deployments) {
      const selector = (d.spec as { selector?: { matchLabels?: Record<string, string> } }).selector
        ?.matchLabels;
      for (const other of deployments) {
        const labels = other.spec?.template.metadata?.labels ?? {};
        const matches = Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
        expect([d.metadata.name, other.metadata.name, matches]).toEqual([
          d.metadata.name,
          other.metadata.name,
          d === other,
        ]);
      }
      const pdb = find(variant.docs, 'PodDisruptionBudget', d.metadata.name, CONTROLLER_NS);
      expect(pdb.spec?.selector?.matchLabels).toEqual(selector);
    }
  });

  it('runs the main instance on unlabelled Canaries and each shard on its own, each on its own Lease', async () => {
    const main = await configOf(variant.docs);
    expect(main.shard?.selector).toBe('!weightlifter.io/shard');
    expect(main.leaderElection).toMatchObject({ enabled: true, name: 'weightlifter-controller' });
    for (const shard of SHARDS) {
      const config = await configOf(variant.docs, `weightlifter-${shard}`);
      expect(config.shard?.selector).toBe(`weightlifter.io/shard in (${shard})`);
      expect(config.leaderElection).toMatchObject({
        enabled: true,
        namespace: CONTROLLER_NS,
        name: `weightlifter-controller-${shard}`,
      });
    }
  });

  it('refuses to start a shard whose pods lack the shard label', async () => {
    const d = find(variant.docs, 'Deployment', 'weightlifter-a', CONTROLLER_NS);
    const unlabelled = structuredClone(d);
    delete unlabelled.spec?.template.metadata?.labels?.['weightlifter.io/shard'];
    unlabelled.metadata.name = 'weightlifter-unlabelled';
    await expect(configOf([...variant.docs, unlabelled], unlabelled.metadata.name)).rejects.toThrow(
      '--watch-label-selector: "weightlifter.io/shard in ()" is not a label selector',
    );
  });

  it('is accepted by the API server (server-side dry-run apply)', async () => {
    const out = await dryRun(variant.text);
    expect(out).toContain('deployment.apps/weightlifter-a serverside-applied (server dry run)');
    expect(out).toContain('poddisruptionbudget.policy/weightlifter-b serverside-applied');
    expect(out.trim().split('\n')).toHaveLength(variant.docs.length);
  });
});

async function readyReason(ns: string): Promise<string> {
  return (
    await ok([
      '-n',
      ns,
      'get',
      CANARIES,
      'missing-target',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].reason}',
    ])
  ).trim();
}

async function pollReadyReason(ns: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const reason = await readyReason(ns);
    if (reason !== '') return reason;
    if (Date.now() > deadline)
      throw new Error(`no Ready condition on ${ns}/missing-target in time`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('deploy/smi-adapter (the SMI adapter, its own identity)', () => {
  let adapter: { text: string; docs: Doc[] };
  const NAME = 'weightlifter-smi-adapter';

  beforeAll(async () => {
    adapter = await render(join(REPO, 'deploy', 'smi-adapter'));
  });

  it('renders its ServiceAccount, RBAC and Deployment, and nothing of the controller', () => {
    expect(
      adapter.docs.map((d) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`),
    ).toEqual(
      expect.arrayContaining([
        `ServiceAccount/${CONTROLLER_NS}/${NAME}`,
        `ClusterRole//${NAME}`,
        `ClusterRoleBinding//${NAME}`,
        `Role/${CONTROLLER_NS}/${NAME}-leader-election`,
        `RoleBinding/${CONTROLLER_NS}/${NAME}-leader-election`,
        `Deployment/${CONTROLLER_NS}/${NAME}`,
      ]),
    );
    expect(adapter.docs).toHaveLength(6);
  });

  it('grants least privilege: exactly what it reads and writes, Leases only in its namespace', () => {
    expect(find(adapter.docs, 'ClusterRole', NAME).rules).toEqual([
      {
        apiGroups: ['split.smi-spec.io'],
        resources: ['trafficsplits'],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
      {
        apiGroups: ['specs.smi-spec.io'],
        resources: ['httproutegroups'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['gateway.networking.k8s.io'],
        resources: ['httproutes'],
        verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
      },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
    expect(find(adapter.docs, 'Role', `${NAME}-leader-election`, CONTROLLER_NS).rules).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'create', 'update'],
      },
    ]);
    expect(
      find(adapter.docs, 'RoleBinding', `${NAME}-leader-election`, CONTROLLER_NS).subjects,
    ).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: CONTROLLER_NS }]);
  });

  it('runs two hardened replicas with probes, leader election and flags its parser accepts', async () => {
    const d = find(adapter.docs, 'Deployment', NAME, CONTROLLER_NS);
    const c = d.spec?.template.spec?.containers.find((x) => x.name === 'smi-adapter');
    expect(d.spec?.replicas).toBe(2);
    expect(d.spec?.template.spec?.serviceAccountName).toBe(NAME);
    expect(d.spec?.template.spec?.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(c?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c?.image).toMatch(/^weightlifter:[\w.-]+$/);
    // The real command line parser, its action replaced by a capture.
    const program = new Command('weightlifter').exitOverride();
    let flags: Record<string, unknown> | undefined;
    registerSmiAdapterCommand(program)
      .exitOverride()
      .action((f: Record<string, unknown>) => {
        flags = f;
      });
    await program.parseAsync(c?.args ?? [], { from: 'user' });
    expect(flags).toMatchObject({ leaderElect: true, healthAddress: '0.0.0.0:8081' });
    expect(c?.ports).toContainEqual({ name: 'http', containerPort: 8081 });
  });

  it('is accepted by the API server (server-side dry-run apply)', async () => {
    const out = await dryRun(adapter.text);
    expect(out).toContain(`deployment.apps/${NAME} serverside-applied (server dry run)`);
    expect(out.trim().split('\n')).toHaveLength(adapter.docs.length);
  });
});
