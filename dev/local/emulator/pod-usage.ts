import { parsePodBehaviour } from './annotations.js';
import { LoadMeter } from './load-meter.js';
import type { DeploymentObject, PodObject } from './objects.js';
import type { PodMetricsSource } from './resource-metrics-api.js';
import { podMetrics, type PodMetricsJson } from './resource-usage.js';

/** The window requests per second are measured over. */
export const USAGE_WINDOW_MS = 5_000;

/** What PodUsage reads of the watched Pods and Deployments (informers satisfy it). */
export interface PodUsageCaches {
  readonly pods: { list(namespace?: string): PodObject[] };
  readonly deployments: {
    getByName(namespace: string, name: string): DeploymentObject | undefined;
  };
}

// Informers replace objects on every change, so the object itself is the cache key.
const perRpsCache = new WeakMap<DeploymentObject, number>();

function cpuMillicoresPerRps(d: DeploymentObject): number {
  let value = perRpsCache.get(d);
  if (value === undefined) {
    // A bad value is reported by the topology (as every pod template annotation); here it is 0.
    value = parsePodBehaviour(d.spec?.template?.metadata?.annotations).value.cpuMillicoresPerRps;
    perRpsCache.set(d, value);
  }
  return value;
}

/**
 * The emulated pods' resource usage: the watched Pods (the ones kwok runs), the requests per
 * second each Deployment's pods served (sampled from the traffic engine on every tick), and the
 * Deployments' current pod templates (`cpu-millicores-per-rps`), turned into PodMetrics on request.
 */
export class PodUsage implements PodMetricsSource {
  readonly #caches: PodUsageCaches;
  readonly #meter: LoadMeter;

  constructor(caches: PodUsageCaches, windowMs = USAGE_WINDOW_MS) {
    this.#caches = caches;
    this.#meter = new LoadMeter(windowMs);
  }

  /** Cumulative requests served by `namespace/deployment` at `atMs` (TrafficEngine.servedRequests). */
  sample(atMs: number, served: ReadonlyMap<string, number>): void {
    this.#meter.sample(atMs, served);
  }

  podMetrics(namespace?: string): PodMetricsJson[] {
    const { atMs, windowMs } = this.#meter.interval();
    return podMetrics(this.#caches.pods.list(namespace), {
      cpuMillicoresPerRps: (ns, name) => {
        const d = this.#caches.deployments.getByName(ns, name);
        return d === undefined ? undefined : cpuMillicoresPerRps(d);
      },
      rps: (ns, name) => this.#meter.rate(`${ns}/${name}`),
      atMs,
      windowMs,
    });
  }
}
