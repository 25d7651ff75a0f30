import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { loadKubeConfig } from '../../../src/kube/client.js';
import { Informer } from '../../../src/kube/informer.js';
import { createListerWatcher } from '../../../src/kube/lister-watcher.js';
import { KubeRawClient } from '../../../src/kube/raw-client.js';
import type { ResourceRef } from '../../../src/kube/resources.js';
import { DEFAULT_MESH_APIS, checkMeshApis, type MeshApi } from '../mesh-apis.js';
import { ClusterView } from './cluster-view.js';
import { WORLD_ERROR_CODES, WorldError } from './errors.js';
import { MetricRegistry } from './exposition.js';
import { KubeletRole } from './kubelet.js';
import { defineLinkerdFamilies, type LabelStyle } from './linkerd-metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { seededRng } from './rng.js';
import type { PodObject } from './objects.js';
import { PodUsage } from './pod-usage.js';
import type { PodMetricsSource } from './resource-metrics-api.js';
import { parentsDiffer, routeParentsStatus } from './route-status.js';
import { RouteStatusWriter } from './route-status-writer.js';
import { namespaceTopology, type TopologyProblem } from './topology.js';
import { TrafficEngine } from './traffic.js';

const PODS: ResourceRef = {
  group: '',
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
};

export interface MeshEmulatorOptions {
  /** Kubeconfig to watch with (the admin one: it reads everything and writes Deployment status). */
  readonly kubeconfig: string;
  readonly logger?: Logger;
  /** Requests per second against a load target without an rps annotation. @default 10 */
  readonly defaultRps?: number;
  /**
   * Requests per second sent straight to every TrafficSplit backend named `*-canary`, besides
   * what the split routes to it: blue/green's test or mirrored traffic (the route gives the canary
   * none). The Service's rps annotation overrides it. @default 0 (none)
   */
  readonly canaryRps?: number;
  /** Simulation step. @default 200 */
  readonly tickMs?: number;
  /** Seed of the traffic randomness. @default time-based */
  readonly seed?: number;
  /** Emulated pods per Deployment (series volume); the request rate is not affected. @default 3 */
  readonly maxPodsPerDeployment?: number;
  /** Play kubelet + deployment controller: write Deployment status. @default false */
  readonly kubelet?: boolean;
  /** Deployment status writes in flight at once (kubelet role); raise it for thousands. @default 8 */
  readonly kubeletConcurrency?: number;
  /** An already listening metrics server to serve from (the world starts it early). */
  readonly metricsServer?: MetricsServer;
  /** Workload name of the synthetic client in outbound series. @default 'weightlifter-loadgen' */
  readonly loadgen?: string;
  /** Label set of the exported series (see LabelStyle). @default 'linkerd' */
  readonly labels?: LabelStyle;
  /** Deadline for the informers' first list. @default 30_000 */
  readonly syncTimeoutMs?: number;
  /**
   * The routing APIs the emulated mesh implements: 'smi' routes by TrafficSplits, 'gatewayapi'
   * acts as a GAMMA mesh (routes by HTTPRoutes whose parent is a Service and writes their
   * status.parents). An API the server does not serve is simply not watched. @default ['smi']
   */
  readonly meshApis?: readonly MeshApi[];
  /** Clock of the conditions' lastTransitionTime (ms since the epoch). @default Date.now */
  readonly now?: () => number;
  /**
   * Measure the pods' resource usage (pod-usage.ts): watch every Pod and keep each Deployment's
   * requests per second, so that `emulator.resourceMetrics` answers PodMetrics (the world serves
   * them as metrics.k8s.io: WorldOptions.resourceMetrics). @default false
   */
  readonly resourceMetrics?: boolean;
}

/** A load target as the emulator currently drives it. */
export interface LoadTargetInfo {
  readonly namespace: string;
  readonly service: string;
  readonly rps: number;
  readonly split?: string;
  /** The HTTPRoute routing it (Gateway API). */
  readonly httpRoute?: string;
  readonly backends: readonly { service: string; weight: number; readyPods: number }[];
}

export interface EmulatorStats {
  readonly ticks: number;
  readonly lastTickMs: number;
  readonly maxTickMs: number;
  readonly series: number;
  readonly targets: number;
  readonly statusWrites: number;
  /** HTTPRoute status patches sent (Gateway API). */
  readonly routeStatusWrites: number;
}

/** The emulated mesh data plane; see docs in dev/local/emulator/README.md. */
export interface MeshEmulator {
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly metricsUrl: string;
  /** `127.0.0.1:<port>`, for a scrape config. */
  readonly metricsAddress: string;
  /** True when it writes Deployment status (no kwok). */
  readonly kubelet: boolean;
  /** Overrides a Service's request rate (undefined: back to its annotation / the default). */
  setRate(namespace: string, service: string, rps: number | undefined): void;
  /** Requests sent to each backend Service of an apex since the last reset. */
  observedSplit(namespace: string, service: string): Readonly<Record<string, number>>;
  resetObserved(namespace?: string, service?: string): void;
  targets(): LoadTargetInfo[];
  /** Bad annotations, missing backends, duplicate splits... with the object they concern. */
  problems(): TopologyProblem[];
  /** The routing APIs it implements (MeshEmulatorOptions.meshApis). */
  readonly meshApis: readonly MeshApi[];
  /** TrafficSplit versions being watched. */
  splitVersions(): string[];
  /** The HTTPRoute version being watched (v1, else v1beta1); undefined when none is. */
  httpRouteVersion(): string | undefined;
  /** The current exposition (what Prometheus would scrape now). */
  metricsText(): string;
  /** The pods' CPU and memory, with MeshEmulatorOptions.resourceMetrics; else undefined. */
  readonly resourceMetrics: PodMetricsSource | undefined;
  stats(): EmulatorStats;
  stop(): Promise<void>;
}

export async function startMeshEmulator(opts: MeshEmulatorOptions): Promise<MeshEmulator> {
  const meshApis = checkMeshApis(opts.meshApis ?? DEFAULT_MESH_APIS);
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'mesh-emulator' });
  const raw = new KubeRawClient(loadKubeConfig({ kubeconfigPath: opts.kubeconfig }));
  const ownServer = opts.metricsServer === undefined;
  const server = opts.metricsServer ?? (await startMetricsServer());
  const registry = new MetricRegistry();
  defineLinkerdFamilies(registry);
  const engine = new TrafficEngine({
    registry,
    rng: seededRng(opts.seed ?? Date.now() ^ (process.pid << 16)),
    maxPodsPerDeployment: opts.maxPodsPerDeployment ?? 3,
    loadgen: opts.loadgen ?? 'weightlifter-loadgen',
    labels: opts.labels ?? 'linkerd',
  });
  const defaultRps = opts.defaultRps ?? 10;
  const canaryRps = opts.canaryRps ?? 0;
  if (!Number.isFinite(canaryRps) || canaryRps < 0) {
    throw new RangeError(`canaryRps must be a finite number >= 0, got ${canaryRps}`);
  }
  const now = opts.now ?? Date.now;
  const dirty = new Set<string>();
  const problems = new Map<string, TopologyProblem[]>();
  const reported = new Set<string>();
  const view = new ClusterView({
    raw,
    logger: log,
    onChange: (ns) => dirty.add(ns),
    smi: meshApis.includes('smi'),
    gatewayApi: meshApis.includes('gatewayapi'),
  });
  const routeStatus = meshApis.includes('gatewayapi')
    ? new RouteStatusWriter({
        raw,
        logger: log.child({ role: 'gamma' }),
        retry: (ns) => dirty.add(ns),
      })
    : undefined;
  const kubelet =
    opts.kubelet === true
      ? new KubeletRole({
          raw,
          deployments: view.deployments,
          logger: log.child({ role: 'kubelet' }),
          ...(opts.kubeletConcurrency === undefined
            ? {}
            : { concurrency: opts.kubeletConcurrency }),
        })
      : undefined;

  const pods =
    opts.resourceMetrics === true
      ? new Informer<PodObject>({
          name: 'pods',
          listerWatcher: createListerWatcher<PodObject>(raw, PODS),
          logger: log.child({ role: 'resource-metrics', informer: 'pods' }),
        })
      : undefined;
  const usage =
    pods === undefined ? undefined : new PodUsage({ pods, deployments: view.deployments });

  const notBefore = new Map<string, number>();
  const refresh = (ns: string): TopologyProblem[] => {
    const {
      targets,
      problems: found,
      httpRoutes,
    } = namespaceTopology(view.namespaceObjects(ns), defaultRps, canaryRps);
    engine.replaceNamespace(ns, targets);
    const version = view.httpRouteVersion();
    if (routeStatus !== undefined && version !== undefined) {
      for (const { route, evaluation } of httpRoutes) {
        const parents = routeParentsStatus(evaluation, ns, route.status?.parents, now());
        if (parentsDiffer(route.status?.parents, parents)) {
          routeStatus.write(route, version, parents);
        }
      }
    }
    if (found.length === 0) problems.delete(ns);
    else problems.set(ns, found);
    return found;
  };
  const stats = { ticks: 0, lastTickMs: 0, maxTickMs: 0 };
  let last = performance.now();
  /** Issues the requests of the time since the last call. */
  const advance = (t: number): void => {
    // A stalled event loop must not turn into a burst of minutes of traffic.
    const dt = Math.min(5, (t - last) / 1000);
    last = t;
    engine.tick(dt);
  };
  /**
   * The exposition as of now, as a proxy's counters are when scraped: traffic is first advanced to
   * this moment. Read only at tick boundaries, a rate() over one scrape interval would count 4 to
   * 6 ticks of 200 ms, so ±20 % of its true value.
   */
  const exposition = (): string => {
    advance(performance.now());
    return registry.render();
  };
  const tick = (): void => {
    const t0 = performance.now();
    kubelet?.tick();
    for (const ns of dirty) {
      if ((notBefore.get(ns) ?? 0) > t0) continue; // stays dirty for a later tick
      dirty.delete(ns);
      const started = performance.now();
      const found = refresh(ns);
      // A namespace holding thousands of workloads costs tens of ms to rebuild; under constant
      // churn, rebuilding it every tick would eat the CPU the control plane needs. Its next
      // rebuild waits 4x what this one took (nothing, for ordinary namespaces).
      const took = performance.now() - started;
      notBefore.set(ns, started + 5 * took);
      for (const p of found) {
        const key = `${p.object}: ${p.message}`;
        if (reported.has(key)) continue;
        reported.add(key);
        log.warn({ object: p.object, problem: p.message }, 'emulator input problem');
      }
    }
    advance(t0);
    usage?.sample(now(), engine.servedRequests());
    stats.ticks++;
    stats.lastTickMs = performance.now() - t0;
    stats.maxTickMs = Math.max(stats.maxTickMs, stats.lastTickMs);
  };

  // Set once running; shutdown() may run before that (a failed start).
  const loop: { timer?: NodeJS.Timeout } = {};
  const shutdown = async (): Promise<void> => {
    if (loop.timer !== undefined) clearInterval(loop.timer);
    kubelet?.stop();
    await Promise.all([view.stop(), pods?.stop()]);
    server.setSource(() => '');
    if (ownServer) await server.close();
  };
  try {
    pods?.start();
    await view.start();
    const deadline = Date.now() + (opts.syncTimeoutMs ?? 30_000);
    while (!view.hasSynced() || pods?.hasSynced() === false) {
      if (Date.now() > deadline) {
        throw new WorldError(
          WORLD_ERROR_CODES.EMULATOR_NOT_SYNCED,
          'emulator informers not synced',
          {
            details: { timeoutMs: opts.syncTimeoutMs ?? 30_000 },
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (err) {
    await shutdown();
    throw err;
  }
  server.setSource(exposition);
  last = performance.now();
  tick();
  loop.timer = setInterval(tick, opts.tickMs ?? 200);
  log.info(
    {
      metrics: server.url,
      kubelet: kubelet !== undefined,
      meshApis,
      splitVersions: view.splitVersions(),
      httpRouteVersion: view.httpRouteVersion(),
    },
    'mesh emulator running',
  );

  let stopping: Promise<void> | undefined;
  return {
    metricsUrl: server.url,
    metricsAddress: server.address,
    kubelet: kubelet !== undefined,
    meshApis,
    setRate: (ns, svc, rps) => {
      engine.setRate(ns, svc, rps);
    },
    observedSplit: (ns, svc) => engine.observedSplit(ns, svc),
    resetObserved: (ns, svc) => {
      engine.resetObserved(ns, svc);
    },
    targets: () =>
      engine.targets().map(({ target, rps }) => ({
        namespace: target.namespace,
        service: target.service,
        rps,
        ...(target.split === undefined ? {} : { split: target.split }),
        ...(target.httpRoute === undefined ? {} : { httpRoute: target.httpRoute }),
        backends: target.backends.map((b) => ({
          service: b.service,
          weight: b.weight,
          readyPods: b.workloads.reduce((n, w) => n + w.readyPods, 0),
        })),
      })),
    problems: () => [...problems.values()].flat(),
    splitVersions: () => view.splitVersions(),
    httpRouteVersion: () => view.httpRouteVersion(),
    metricsText: exposition,
    resourceMetrics: usage,
    stats: () => ({
      ...stats,
      series: registry.seriesCount,
      targets: engine.targets().length,
      statusWrites: kubelet?.writes ?? 0,
      routeStatusWrites: routeStatus?.writes ?? 0,
    }),
    stop: () => (stopping ??= shutdown()),
  };
}
