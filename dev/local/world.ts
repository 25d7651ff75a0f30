import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
import {
  startMeshEmulator,
  type MeshEmulator,
  type MeshEmulatorOptions,
} from './emulator/emulator.js';
import { WORLD_ERROR_CODES, WorldError } from './emulator/errors.js';
import { startMetricsServer, type MetricsServer } from './emulator/metrics-server.js';
import type { HttpsListener } from '../../src/metrics-api/https-listener.js';
import type { ServedAggregatedApi } from './aggregated-api.js';
import { DEFAULT_MESH_APIS, checkMeshApis, type MeshApi } from './mesh-apis.js';
import { startPrometheus, type Prometheus } from './prometheus.js';
import { startLocalResourceMetricsApi } from './resource-metrics.js';

export interface WorldOptions {
  /**
   * The mesh's routing APIs: ['smi'] (TrafficSplit), ['gatewayapi'] (a GAMMA mesh: HTTPRoute with
   * a Service parent) or both. Only their CRDs are installed, and the emulator routes by them.
   * @default controlPlaneOptions.meshApis, else the given controlPlane's, else ['smi']
   */
  meshApis?: readonly MeshApi[];
  /** Use this control plane (not stopped by world.stop()); default: start one. */
  controlPlane?: ControlPlane;
  /** Options for the control plane the world starts itself. */
  controlPlaneOptions?: ControlPlaneOptions;
  /** @default 1 */
  scrapeIntervalSeconds?: number;
  /** Requests per second for load targets without an rps annotation. @default 10 */
  defaultRps?: number;
  /** Further emulator settings; `kubelet` defaults to `!controlPlane.podsRunByKwok`. */
  emulator?: Partial<
    Omit<
      MeshEmulatorOptions,
      'kubeconfig' | 'metricsServer' | 'defaultRps' | 'meshApis' | 'resourceMetrics'
    >
  >;
  /**
   * Serve the emulated pods' CPU and memory as the resource metrics API (metrics.k8s.io/v1beta1,
   * an aggregated API: resource-metrics.ts), so HorizontalPodAutoscalers follow load. Needs pods
   * run by kwok. Off by default: it adds a Pod watch and about a second of start-up to every
   * world, and HPAs of worlds that do not ask for it keep holding their bounds. @default false
   */
  resourceMetrics?: boolean;
  logger?: Logger;
}

/** A local mesh world: a control plane, a real Prometheus, and the mesh emulator it scrapes. */
export interface World {
  readonly controlPlane: ControlPlane;
  /** The routing APIs the world's mesh serves (WorldOptions.meshApis). */
  readonly meshApis: readonly MeshApi[];
  readonly prometheusUrl: string;
  readonly prometheus: Prometheus;
  readonly emulator: MeshEmulator;
  /** The resource metrics API, with WorldOptions.resourceMetrics; else undefined. */
  readonly resourceMetrics: ServedAggregatedApi<HttpsListener> | undefined;
  /** Milliseconds from startWorld() to everything ready. */
  readonly startupMs: number;
  /** Stops what it started (not a control plane passed in); idempotent. */
  stop(): Promise<void>;
}

async function stopAll(steps: readonly (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  // In order (emulator before Prometheus before the control plane), each even if one failed.
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'world did not stop cleanly');
}

/**
 * The error WorldOptions.resourceMetrics meets on a control plane that runs no pods (it measures
 * the pods kwok runs); undefined when it runs them.
 */
export function withoutPods(
  cp: Pick<ControlPlane, 'podsRunByKwok' | 'notes'>,
): WorldError | undefined {
  if (cp.podsRunByKwok) return undefined;
  return new WorldError(
    WORLD_ERROR_CODES.RESOURCE_METRICS_WITHOUT_PODS,
    `resourceMetrics needs pods run by kube-scheduler and kwok (${cp.notes.join('; ') || 'pods are not run'}): install them with \`bash hack/setup.sh\``,
    { details: { notes: cp.notes } },
  );
}

async function serveResourceMetrics(
  opts: WorldOptions,
  controlPlane: ControlPlane,
  emulator: MeshEmulator,
  logger: Logger,
): Promise<ServedAggregatedApi<HttpsListener> | undefined> {
  if (opts.resourceMetrics !== true || emulator.resourceMetrics === undefined) return undefined;
  return startLocalResourceMetricsApi(controlPlane, {
    source: emulator.resourceMetrics,
    kubeconfig: controlPlane.adminKubeconfig,
    dir: join(controlPlane.dir, 'resource-metrics-api'),
    logger,
  });
}

/**
 * Starts the world. The emulator's metrics endpoint listens first so that Prometheus (which needs
 * its address) boots in parallel with the control plane; the emulator then connects to the API.
 */
export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const t0 = performance.now();
  const logger = opts.logger ?? pino({ level: 'silent' });
  const meshApis = checkMeshApis(
    opts.meshApis ??
      opts.controlPlaneOptions?.meshApis ??
      opts.controlPlane?.meshApis ??
      DEFAULT_MESH_APIS,
  );
  const metrics: MetricsServer = await startMetricsServer();
  const [cp, prom] = await Promise.allSettled([
    opts.controlPlane ?? startControlPlane({ logger, ...opts.controlPlaneOptions, meshApis }),
    startPrometheus({
      targets: [metrics.address],
      scrapeIntervalSeconds: opts.scrapeIntervalSeconds ?? 1,
      logger,
    }),
  ]);
  const ownsControlPlane = opts.controlPlane === undefined;
  const stops: (() => Promise<void>)[] = [() => metrics.close()];
  if (prom.status === 'fulfilled') stops.push(() => prom.value.stop());
  if (cp.status === 'fulfilled' && ownsControlPlane) stops.push(() => cp.value.stop());
  if (cp.status === 'rejected' || prom.status === 'rejected') {
    await stopAll(stops);
    throw cp.status === 'rejected' ? cp.reason : (prom as PromiseRejectedResult).reason;
  }
  const controlPlane = cp.value;
  const prometheus = prom.value;
  const noPods = opts.resourceMetrics === true ? withoutPods(controlPlane) : undefined;
  if (noPods !== undefined) {
    await stopAll(stops);
    throw noPods;
  }
  let emulator: MeshEmulator;
  try {
    emulator = await startMeshEmulator({
      logger,
      ...opts.emulator,
      kubeconfig: controlPlane.adminKubeconfig,
      metricsServer: metrics,
      defaultRps: opts.defaultRps ?? 10,
      kubelet: opts.emulator?.kubelet ?? !controlPlane.podsRunByKwok,
      meshApis,
      resourceMetrics: opts.resourceMetrics === true,
    });
  } catch (err) {
    await stopAll(stops);
    throw err;
  }
  stops.unshift(() => emulator.stop());
  let resourceMetrics: ServedAggregatedApi<HttpsListener> | undefined;
  try {
    resourceMetrics = await serveResourceMetrics(opts, controlPlane, emulator, logger);
  } catch (err) {
    await stopAll(stops);
    throw err;
  }
  // Unregistered first: discovery never points at a server that is gone.
  if (resourceMetrics !== undefined) stops.unshift(() => resourceMetrics.stop());
  const startupMs = Math.round(performance.now() - t0);
  logger.info(
    { startupMs, prometheus: prometheus.url, kubelet: emulator.kubelet, meshApis },
    'world ready',
  );
  let stopping: Promise<void> | undefined;
  return {
    controlPlane,
    meshApis,
    prometheusUrl: prometheus.url,
    prometheus,
    emulator,
    resourceMetrics,
    startupMs,
    stop: () => (stopping ??= stopAll(stops)),
  };
}
