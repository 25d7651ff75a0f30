// The composition root of `weightlifter smi-adapter`: discovery, informers -> keys -> queue ->
// AdapterReconciler, Events, leader election, /healthz /readyz /metrics. The same runtime as the
// canary controller, with its own identity and Lease.
import type { Logger } from 'pino';
import { Controller } from '../canary/controller.js';
import { leaderElection, startWithHealth, type LeaseSettings } from '../canary/controller-start.js';
import { loadKubeConfig } from '../kube/client.js';
import { EventRecorder, createEventSink } from '../kube/events.js';
import { defaultIdentity } from '../kube/leader-election.js';
import { KubeRawClient } from '../kube/raw-client.js';
import { apiVersionOf } from '../kube/resources.js';
import { LeaderFence } from '../kube/write-fence.js';
import { createAdapterCaches } from './caches.js';
import { ADAPTER_CONTROLLER } from './marks.js';
import { AdapterMetrics } from './metrics.js';
import { AdapterReconciler } from './reconciler.js';
import { discoverResources } from './resources.js';

export interface SmiAdapterSettings {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  /** 'all', or only these namespaces (one informer each; RBAC may grant only those). */
  readonly namespaces: 'all' | readonly string[];
  readonly concurrency: number;
  readonly leaderElection: LeaseSettings;
  readonly health: { readonly host: string; readonly port: number };
  readonly logger: Logger;
  readonly identity?: string;
}

export interface RunningAdapter {
  readonly healthUrl: string;
  stop(): Promise<void>;
}

export async function startSmiAdapter(s: SmiAdapterSettings): Promise<RunningAdapter> {
  const { logger } = s;
  const identity = s.identity ?? defaultIdentity();
  const metrics = new AdapterMetrics();
  const kc = loadKubeConfig({ kubeconfigPath: s.kubeconfig, context: s.context });
  const userAgent = `weightlifter-smi-adapter (${identity})`;
  const le = s.leaderElection;
  const fence = le.enabled ? new LeaderFence() : undefined;
  const raw = new KubeRawClient(kc, {
    metrics,
    userAgent,
    ...(fence === undefined ? {} : { fence }),
  });
  const resources = await discoverResources(raw);
  const caches = createAdapterCaches({
    raw,
    logger,
    resources,
    namespaces: s.namespaces,
    metrics,
  });
  const recorder = new EventRecorder({
    sink: createEventSink(raw),
    logger,
    reportingController: ADAPTER_CONTROLLER,
    reportingInstance: identity,
    metrics,
  });
  const controller = new Controller({
    name: 'smi-adapter',
    reconciler: new AdapterReconciler({
      raw,
      resources,
      caches,
      recordEvent: (e) => recorder.record(e),
      metrics,
    }),
    sources: caches.sources,
    initialKeys: () => caches.splits.keys(),
    logger,
    concurrency: s.concurrency,
    backoff: { baseMs: 500, maxMs: 60_000 },
    metrics,
    loggerFor: (key) => logger.child({ trafficSplit: key }),
    ...leaderElection(le, { kc, identity, userAgent, fence, logger, metrics }),
  });
  const health = await startWithHealth({
    caches: caches.all,
    controller,
    health: s.health,
    registry: metrics.registry,
    logger,
  });
  logger.info(
    {
      identity,
      namespaces: s.namespaces,
      watches: [resources.splits, resources.groups, resources.routes].map((r) =>
        r === undefined ? 'no HTTPRouteGroup served' : `${apiVersionOf(r)}/${r.plural}`,
      ),
      leaderElection: le.enabled ? `${le.namespace}/${le.name}` : false,
      health: health.url,
    },
    'weightlifter smi-adapter started',
  );
  const server = health;
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await controller.stop();
    await Promise.all(caches.all.map((c) => c.stop()));
    await server.close();
    logger.info('weightlifter smi-adapter stopped');
  };
  return { healthUrl: server.url, stop: () => (stopping ??= stop()) };
}
