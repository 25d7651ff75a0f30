// Shared set-up for the routing and workload integration tests: real informers (src/kube) over
// one namespace of the shared local control plane, a Canary created in the API server (so it has
// a uid and Kubernetes GC honours its owner references), and small object factories.
import { pino } from 'pino';
import type { Canary } from '../../../src/api/canary.js';
import type { TrafficSplitVersion } from '../../../src/api/smi.js';
import { Informer } from '../../../src/kube/informer.js';
import { createListerWatcher } from '../../../src/kube/lister-watcher.js';
import { isConflict } from '../../../src/kube/errors.js';
import type { KubeObject } from '../../../src/kube/object-key.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, type ResourceRef } from '../../../src/kube/resources.js';
import type { EndpointSliceJson } from '../../../src/routing/endpoints.js';
import { createRouters, type RouterFactoryDeps } from '../../../src/routing/factory.js';
import { splitRef, type LiveSplit } from '../../../src/routing/traffic-split.js';
import type { WorkloadDeps } from '../../../src/workload/deps.js';
import type {
  ConfigJson,
  DeploymentJson,
  ServiceJson,
  WorkloadCaches,
} from '../../../src/workload/k8s-types.js';

export const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });

export const CANARIES: ResourceRef = {
  group: 'weightlifter.io',
  version: 'v1alpha1',
  plural: 'canaries',
  kind: 'Canary',
  namespaced: true,
};

export interface Caches extends WorkloadCaches {
  readonly splits: Informer<LiveSplit>;
  readonly slices: Informer<EndpointSliceJson>;
  stop(): Promise<void>;
}

function informer<T extends KubeObject>(raw: KubeRawClient, ref: ResourceRef, namespace: string) {
  return new Informer<T>({
    name: `${ref.plural}/${namespace}`,
    listerWatcher: createListerWatcher<T>(raw, ref, { namespace }),
    logger,
  });
}

/** Informers for everything the workload and routing code reads, synced. */
export async function startCaches(
  raw: KubeRawClient,
  namespace: string,
  splitVersion: TrafficSplitVersion = 'v1alpha4',
): Promise<Caches> {
  const deployments = informer<DeploymentJson>(raw, BUILTIN.deployments, namespace);
  const services = informer<ServiceJson>(raw, BUILTIN.services, namespace);
  const configMaps = informer<ConfigJson>(raw, BUILTIN.configMaps, namespace);
  const secrets = informer<ConfigJson>(raw, BUILTIN.secrets, namespace);
  const splits = informer<LiveSplit>(raw, splitRef(splitVersion), namespace);
  const slices = informer<EndpointSliceJson>(raw, BUILTIN.endpointSlices, namespace);
  const all = [deployments, services, configMaps, secrets, splits, slices];
  for (const i of all) i.start();
  await Promise.all(all.map((i) => i.waitForSync(30_000)));
  return {
    deployments,
    services,
    configMaps,
    secrets,
    splits,
    slices,
    stop: async () => {
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}

/**
 * What the reconciler gives the router factory: the routers as the controller builds them (each
 * asks the API server what to watch), reading this test's split informer.
 */
export async function routerDeps(
  raw: KubeRawClient,
  caches: Pick<Caches, 'splits'>,
): Promise<RouterFactoryDeps> {
  return {
    routers: await createRouters({ raw, logger, now: Date.now }),
    read: () => caches.splits,
  };
}

export function workloadDeps(raw: KubeRawClient, caches: Caches): WorkloadDeps {
  return { raw, caches, logger };
}

export async function createCanary(
  raw: KubeRawClient,
  namespace: string,
  name: string,
  spec: Partial<Canary['spec']> = {},
): Promise<Canary> {
  return raw.create<Canary>(collectionPath(CANARIES, namespace), {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { name },
    spec: {
      targetRef: { name },
      service: { port: 9898 },
      skipAnalysis: true,
      ...spec,
    },
  });
}

export function deployment(
  name: string,
  opts: {
    replicas?: number;
    ready?: boolean;
    progressDeadlineSeconds?: number;
    env?: { name: string; value?: string; valueFrom?: unknown }[];
    volumes?: unknown[];
    nodeSelector?: Record<string, string>;
  } = {},
): DeploymentJson {
  const annotations: Record<string, string> =
    opts.ready === false ? { 'emulator.weightlifter.io/ready': 'false' } : {};
  const podSpec: Record<string, unknown> = {
    containers: [
      {
        name: 'app',
        image: 'podinfo:6.7.0',
        ports: [{ name: 'http', containerPort: 9898 }],
        env: opts.env ?? [],
      },
    ],
  };
  if (opts.volumes !== undefined) podSpec['volumes'] = opts.volumes;
  if (opts.nodeSelector !== undefined) podSpec['nodeSelector'] = opts.nodeSelector;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: opts.replicas ?? 1,
      ...(opts.progressDeadlineSeconds === undefined
        ? {}
        : { progressDeadlineSeconds: opts.progressDeadlineSeconds }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations }, spec: podSpec },
    },
  };
}

/** Waits until `read` (a cache lookup) satisfies `ok`. */
export async function cached<T>(
  what: string,
  read: () => T | undefined,
  ok: (v: T) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Calls `write` again while it fails with 409 — what the reconciler's requeue does when a write
 * computed from the cache meets a newer object (the Deployment controller keeps writing status).
 */
export async function retryConflicts<T>(write: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (!isConflict(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
