import type { Logger } from 'pino';
import { Informer } from '../../../src/kube/informer.js';
import { createListerWatcher } from '../../../src/kube/lister-watcher.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import type { ResourceRef } from '../../../src/kube/resources.js';
import { parsePodBehaviour } from './annotations.js';
import { LoadMeter } from './load-meter.js';
import type { DeploymentObject, PodObject } from './objects.js';
import type { PodMetricsSource } from './resource-metrics-api.js';
import { podMetrics, type PodMetricsJson } from './resource-usage.js';

const PODS: ResourceRef = {
  group: '',
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
};

/** The window requests per second are measured over. */
export const USAGE_WINDOW_MS = 5_000;

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
 * The emulated pods' resource usage: a watch of every Pod (the ones kwok runs), the requests
 * per second each Deployment's pods served (sampled from the traffic engine on every tick), and
 * the Deployments' pod templates, turned into PodMetrics on request.
 */
export class PodUsage implements PodMetricsSource {
  readonly #pods: Informer<PodObject>;
  readonly #deployments: Informer<DeploymentObject>;
  readonly #meter: LoadMeter;

  constructor(opts: {
    raw: KubeRawClient;
    logger: Logger;
    deployments: Informer<DeploymentObject>;
    windowMs?: number;
  }) {
    this.#deployments = opts.deployments;
    this.#meter = new LoadMeter(opts.windowMs ?? USAGE_WINDOW_MS);
    this.#pods = new Informer<PodObject>({
      name: 'pods',
      listerWatcher: createListerWatcher<PodObject>(opts.raw, PODS),
      logger: opts.logger.child({ informer: 'pods' }),
    });
  }

  start(): void {
    this.#pods.start();
  }

  hasSynced(): boolean {
    return this.#pods.hasSynced();
  }

  stop(): Promise<void> {
    return this.#pods.stop();
  }

  /** Cumulative requests served by `namespace/deployment` at `atMs` (TrafficEngine.servedRequests). */
  sample(atMs: number, served: ReadonlyMap<string, number>): void {
    this.#meter.sample(atMs, served);
  }

  podMetrics(namespace?: string): PodMetricsJson[] {
    const { atMs, windowMs } = this.#meter.interval();
    return podMetrics(this.#pods.list(namespace), {
      cpuMillicoresPerRps: (ns, name) => {
        const d = this.#deployments.getByName(ns, name);
        return d === undefined ? undefined : cpuMillicoresPerRps(d);
      },
      rps: (ns, name) => this.#meter.rate(`${ns}/${name}`),
      atMs,
      windowMs,
    });
  }
}
