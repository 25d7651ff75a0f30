// The composition root: builds every part of the controller once from the configuration, wires
// them (informers -> keys -> queue -> CanaryReconciler -> engine -> actors), and hands back a
// handle to stop it. Nothing else constructs clients, caches or the logger.
import type { Logger } from 'pino';
import { canaryLogger, createRootLogger } from './telemetry/logger.js';
import type { ControllerConfig } from './config/config.js';
import { CanaryReconciler } from './canary/canary-reconciler.js';
import { createCaches, trackedResources } from './canary/caches.js';
import { systemClock, type Clock } from './time/clock.js';
import { Controller, type KeySource } from './canary/controller.js';
import { leaderElection, startWithHealth } from './canary/controller-start.js';
import { canaryKeySources } from './canary/dependents.js';
import { RunSlots } from './canary/run-slots.js';
import { TrackingRawClient, WriteTracker } from './runtime/write-tracker.js';
import { createUrlPolicy, resolveHost } from './outbound/url-policy.js';
import { apiServerAddresses } from './outbound/api-server.js';
import { loadKubeConfig } from './kube/client.js';
import { EventRecorder, createEventSink } from './kube/events.js';
import { defaultIdentity } from './kube/leader-election.js';
import { apiVersionOf } from './kube/resources.js';
import { LeaderFence } from './kube/write-fence.js';
import { StatusWriter } from './kube/status.js';
import { MetricSourceFactory } from './metrics/factory.js';
import { createNotifier, createSecretReader } from './notify/index.js';
import { kubeGetTransport } from './metrics/kube-transport.js';
import { PrometheusQueryExecutor } from './metrics/prometheus-executor.js';
import { createRouters } from './routing/factory.js';
import { ControllerMetrics } from './telemetry/metrics.js';

export interface StartOptions {
  /** @default a root logger at config.logLevel on stdout */
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** This replica's name in the Lease and in Events. @default `${hostname}_${pid}` */
  readonly identity?: string;
}

export interface RunningController {
  /** http://host:port of /healthz, /readyz and /metrics. */
  readonly healthUrl: string;
  readonly identity: string;
  /**
   * Resolves (with the reason) when the process must be restarted to see a change it cannot pick
   * up live: a router's API appearing after start-up (what the routers watch is chosen once, see
   * Router.resourcesChanged). The CLI stops gracefully and exits non-zero so the pod is restarted.
   */
  readonly restartRequired: Promise<string>;
  /** Graceful: drains reconciles, releases the lease, stops informers; idempotent. */
  stop(): Promise<void>;
}

export async function startController(
  config: ControllerConfig,
  opts: StartOptions = {},
): Promise<RunningController> {
  const logger = opts.logger ?? createRootLogger({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  const identity = opts.identity ?? config.leaderElection.identity ?? defaultIdentity();
  const metrics = new ControllerMetrics();
  const kc = loadKubeConfig({ kubeconfigPath: config.kubeconfig, context: config.context });
  const le = config.leaderElection;
  const userAgent = `weightlifter (${identity})`;
  // With leader election, every write asks the fence first: only the lease holder writes.
  const fence = le.enabled ? new LeaderFence() : undefined;
  const raw = new TrackingRawClient(kc, {
    metrics,
    userAgent,
    ...(fence === undefined ? {} : { fence }),
  });
  // Each router asks the API server what it can watch, once.
  const routers = await createRouters({
    raw,
    logger,
    now: () => clock.now(),
    routingProvider: config.routingProvider,
  });
  const tracker = new WriteTracker({ tracked: trackedResources(routers) });
  raw.track(tracker);
  const caches = createCaches({
    raw,
    logger,
    namespaces: config.namespaces,
    controllerNamespace: config.controllerNamespace,
    routers,
    endpointGate: config.endpointGate,
    metrics,
    shardSelector: config.shard?.selector,
  });
  // The API server's own addresses are refused to every Canary-chosen address (issue 22 item 2).
  const urlPolicy = createUrlPolicy({
    ...config.addressPolicy,
    apiServer: await apiServerAddresses(kc.server, process.env, resolveHost),
  });
  const metricSources = new MetricSourceFactory({
    config: {
      prometheusAddress: config.prometheusUrl,
      mesh: config.mesh,
      trafficMetrics: config.trafficMetrics,
      addressPolicy: urlPolicy,
    },
    executor: new PrometheusQueryExecutor({ logger }),
    logger,
    ...(config.trafficMetrics === 'computed' ? {} : { kube: kubeGetTransport(kc) }),
  });
  const recorder = new EventRecorder({
    sink: createEventSink(raw),
    logger,
    clock,
    reportingInstance: identity,
    metrics,
  });
  // One notifier for the process; urlFrom Secrets are read per delivery from our own namespace.
  const notify = config.notify;
  const alerts =
    notify === undefined || notify.config.providers.length === 0
      ? undefined
      : {
          notifier: createNotifier(notify.config, {
            logger,
            secrets: createSecretReader(raw, config.controllerNamespace),
          }),
          cluster: notify.config.cluster ?? null,
        };
  const reconciler = new CanaryReconciler({
    raw,
    caches,
    statusWriter: new StatusWriter({ raw, clock, metrics }),
    recorder,
    metricSources,
    urlPolicy,
    controllerNamespace: config.controllerNamespace,
    metrics,
    ...(alerts === undefined ? {} : { alerts }),
    idleScalePolicy: { ...config.idleScale, factor: 2 },
    routerDeps: { routers, read: caches.routed.read },
    tracker,
    runSlots: new RunSlots(config.maxConcurrentRuns, caches.canaries),
    clock,
  });
  const sources: KeySource[] = canaryKeySources(caches);
  const controller = new Controller({
    name: 'canary',
    reconciler,
    sources,
    initialKeys: () => caches.canaries.keys(),
    logger,
    concurrency: config.concurrency,
    clock,
    backoff: { baseMs: 500, maxMs: 60_000 },
    metrics,
    loggerFor: (key) => {
      const slash = key.indexOf('/');
      return canaryLogger(logger, key.slice(0, slash), key.slice(slash + 1));
    },
    ...leaderElection(le, { kc, identity, userAgent, fence, logger, metrics, clock }),
  });
  const health = await startWithHealth({
    caches: caches.all,
    controller,
    health: config.health,
    registry: metrics.registry,
    logger,
  });
  logger.info(
    {
      identity,
      namespaces: config.namespaces,
      shard: config.shard?.selector ?? false,
      routers: routers.map((r) => ({
        kind: r.kind,
        watches: r.resources().map((ref) => `${apiVersionOf(ref)}/${ref.plural}`),
      })),
      prometheus: config.prometheusUrl,
      leaderElection: le.enabled ? `${le.namespace}/${le.name}` : false,
      health: health.url,
      alerts:
        notify === undefined
          ? false
          : {
              file: notify.path,
              providers: notify.config.providers.map(
                (p) => `${p.name} (${p.type}, ${p.minSeverity})`,
              ),
            },
    },
    'weightlifter controller started',
  );
  const server = health;
  const stopWatching = new AbortController();
  const restartRequired = Promise.race(routers.map((r) => r.resourcesChanged(stopWatching.signal)));
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopWatching.abort();
    await controller.stop();
    // Alerts of the last steps are still on their way (each bounded by its timeout and retries).
    await alerts?.notifier.idle();
    await Promise.all(caches.all.map((c) => c.stop()));
    await server.close();
    logger.info('weightlifter controller stopped');
  };
  return {
    healthUrl: server.url,
    identity,
    restartRequired,
    stop: () => (stopping ??= stop()),
  };
}
