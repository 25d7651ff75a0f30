// Reading deploy/ the way the cluster would: kubectl's kustomize renders it, the kubelet's rules
// build a container's environment and args, and the controller's own flag parser and config
// resolution say what it would run with. Used by deploy-manifests.test.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { flagsFromOptions, runCommand } from '../../src/cli/run-command.js';
import { resolveConfig, type ControllerConfig } from '../../src/config/config.js';
import { kubectl } from './helpers/env.js';

export const REPO = process.cwd();
export const CONTROLLER_NS = 'weightlifter-system';

export interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

/** The parts of a container these tests read, as plain JSON. */
export interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      fieldRef?: { fieldPath: string };
      configMapKeyRef?: { name?: string; key: string };
    };
  }[];
  ports?: { name?: string; containerPort: number }[];
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: unknown };
  readinessProbe?: { httpGet?: unknown };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface Deployment extends Doc {
  spec?: {
    replicas?: number;
    template: {
      metadata?: { labels?: Record<string, string> };
      spec?: {
        containers: Container[];
        serviceAccountName?: string;
        securityContext?: Record<string, unknown>;
        topologySpreadConstraints?: { topologyKey: string }[];
      };
    };
  };
}

/** An RBAC rule as plain JSON. */
export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

/** The shape each rendered kind is read as. */
export interface Kinds {
  ConfigMap: Doc;
  Deployment: Deployment;
  PodDisruptionBudget: Doc & {
    spec?: { minAvailable?: number | string; selector?: { matchLabels?: Record<string, string> } };
  };
  ClusterRole: Doc & { rules?: Rule[] };
  Role: Doc & { rules?: Rule[] };
  RoleBinding: Doc & { subjects?: { kind: string; name: string; namespace?: string }[] };
}

export async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export async function render(dir: string): Promise<{ text: string; docs: Doc[] }> {
  const text = await ok(['kustomize', dir]);
  return { text, docs: parseAllDocuments(text).map((d) => d.toJSON() as Doc) };
}

export function find<K extends keyof Kinds>(
  docs: readonly Doc[],
  kind: K,
  name: string,
  namespace?: string,
): Kinds[K] {
  const found = docs.filter(
    (d) => d.kind === kind && d.metadata.name === name && d.metadata.namespace === namespace,
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${namespace ?? ''}/${name}, found ${found.length}`);
  }
  return found[0] as Kinds[K];
}

export const controllerOf = (d: Deployment): Container => {
  const c = d.spec?.template.spec?.containers.find((x) => x.name === 'controller');
  if (c === undefined) throw new Error('the Deployment has no container "controller"');
  return c;
};

/** The name the downward API gives the pod in these tests. */
export const POD_NAME = 'weightlifter-5d8c7f-x2x9q';

/** The container's environment as the kubelet builds it (downward API, ConfigMap keys). */
export function containerEnv(
  c: Container,
  docs: readonly Doc[],
  podNs: string,
  podLabels: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    const label = field === undefined ? null : /^metadata\.labels\['([^']+)'\]$/.exec(field);
    if (e.value !== undefined) env[e.name] = e.value;
    else if (field === 'metadata.namespace') env[e.name] = podNs;
    else if (field === 'metadata.name') env[e.name] = POD_NAME;
    // The kubelet sets a missing label as the empty string.
    else if (label?.[1] !== undefined) env[e.name] = podLabels[label[1]] ?? '';
    else if (e.valueFrom?.configMapKeyRef !== undefined) {
      const ref = e.valueFrom.configMapKeyRef;
      const value = find(docs, 'ConfigMap', ref.name ?? '', podNs).data?.[ref.key];
      if (value === undefined) throw new Error(`ConfigMap ${ref.name ?? ''} lacks ${ref.key}`);
      env[e.name] = value;
    } else throw new Error(`env ${e.name}: a source this test does not resolve`);
  }
  return env;
}

/** The container's args with $(VAR) expanded the way the kubelet does. */
export const expandedArgs = (c: Container, env: Record<string, string>): string[] =>
  (c.args ?? []).map((a) =>
    a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m),
  );

/** What the controller would run with: its real flag parser and configuration resolution. */
export async function configOf(
  docs: readonly Doc[],
  name = 'weightlifter',
): Promise<ControllerConfig> {
  const deployment = find(docs, 'Deployment', name, CONTROLLER_NS);
  const c = controllerOf(deployment);
  const env = containerEnv(c, docs, CONTROLLER_NS, deployment.spec?.template.metadata?.labels);
  const [command, ...flags] = expandedArgs(c, env);
  if (command !== 'run') throw new Error(`the container runs "${command ?? ''}", not "run"`);
  const cmd = runCommand().exitOverride();
  let options: Record<string, unknown> = {};
  cmd.action((o: Record<string, unknown>) => {
    options = o;
  });
  await cmd.parseAsync(flags, { from: 'user' });
  return resolveConfig(flagsFromOptions(options), env);
}

/** An overlay like deploy/README.md's: the base, the component, one directory per namespace. */
export async function writeNamespacedOverlay(
  dir: string,
  namespaces: readonly string[],
): Promise<void> {
  const deploy = relative(dir, join(REPO, 'deploy'));
  const kustomization = (lines: string[]): string =>
    ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', ...lines, ''].join('\n');
  for (const ns of namespaces) {
    await mkdir(join(dir, ns));
    await writeFile(
      join(dir, ns, 'kustomization.yaml'),
      kustomization([`namespace: ${ns}`, 'resources:', `  - ../${deploy}/namespaced/role`]),
    );
  }
  await writeFile(
    join(dir, 'kustomization.yaml'),
    kustomization([
      'resources:',
      `  - ${deploy}`,
      ...namespaces.map((ns) => `  - ${ns}`),
      'components:',
      `  - ${deploy}/namespaced`,
      'configMapGenerator:',
      '  - name: weightlifter-watch-namespaces',
      `    namespace: ${CONTROLLER_NS}`,
      `    literals: ['namespaces=${namespaces.join(',')}']`,
    ]),
  );
}

/** The base ClusterRole's rules without ClusterAnalysisTemplates: what a watched namespace needs. */
export const namespacedRules = (rules: readonly Rule[]): Rule[] =>
  rules
    .map((r) => ({
      ...r,
      resources: (r.resources ?? []).filter((x) => x !== 'clusteranalysistemplates'),
    }))
    .filter((r) => r.resources.length > 0);

/**
 * A sharded install like deploy/README.md's: the base as the unsharded main instance (component
 * deploy/sharded) and one directory per shard (the base with component deploy/sharded/shard).
 */
export async function writeShardedOverlay(dir: string, shards: readonly string[]): Promise<void> {
  const deploy = relative(dir, join(REPO, 'deploy'));
  const kustomization = (lines: string[]): string =>
    ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', ...lines, ''].join('\n');
  for (const shard of shards) {
    await mkdir(join(dir, `shard-${shard}`));
    await writeFile(
      join(dir, `shard-${shard}`, 'kustomization.yaml'),
      kustomization([
        `nameSuffix: -${shard}`,
        'resources:',
        `  - ../${deploy}`,
        'components:',
        `  - ../${deploy}/sharded/shard`,
        'labels:',
        `  - pairs: { weightlifter.io/shard: ${shard} }`,
        '    includeSelectors: true',
      ]),
    );
  }
  await writeFile(
    join(dir, 'kustomization.yaml'),
    kustomization([
      'resources:',
      `  - ${deploy}`,
      ...shards.map((s) => `  - shard-${s}`),
      'components:',
      `  - ${deploy}/sharded`,
    ]),
  );
}
