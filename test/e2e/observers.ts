// What the e2e tests watch besides the Canary: the weights the route (TrafficSplit or HTTPRoute)
// takes over time (from a watch, so no intermediate weight is missed), Deployments and Events.
import { pino } from 'pino';
import type { TrafficSplitVersion } from '../../src/api/smi.js';
import { isNotFound } from '../../src/kube/errors.js';
import { Informer } from '../../src/kube/informer.js';
import { createListerWatcher } from '../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { readRouteRoutes, routeRef } from '../../src/routing/http-route.js';
import {
  readRoutes,
  splitRef,
  type LiveSplit,
  type RoutesReading,
} from '../../src/routing/traffic-split.js';
import type { DeploymentJson } from '../../src/workload/k8s-types.js';
import { APP } from './manifests.js';

const NAMES = (ns: string, baseline = false) => ({
  namespace: ns,
  name: APP,
  apex: APP,
  primary: `${APP}-primary`,
  canary: `${APP}-canary`,
  ...(baseline ? { baseline: `${APP}-baseline` } : {}),
});

/** The route object a recorder watches: a TrafficSplit of that version, or the HTTPRoute (v1). */
export type RecordedRoute = TrafficSplitVersion | 'httproute';

/** The route a Canary of that provider routes through, as its recorder watches it. */
export const recordedRoute = (provider: 'smi' | 'gatewayapi'): RecordedRoute =>
  provider === 'smi' ? 'v1alpha4' : 'httproute';

/** A TrafficSplit's backends as [service, weight] pairs. */
function splitBackends(split: LiveSplit): [string, unknown][] {
  const backends: unknown = split.spec?.backends;
  return (
    Array.isArray(backends) ? (backends as { service?: string; weight?: unknown }[]) : []
  ).map((b): [string, unknown] => [b.service ?? '', b.weight]);
}

/** The backendRefs of the HTTPRoute rule that sends to `<app>-canary`, as [name, weight] pairs. */
function ruleBackends(route: LiveSplit): [string, unknown][] {
  const rules: unknown = (route.spec as { rules?: unknown } | undefined)?.rules;
  type Ref = { name?: string; weight?: unknown };
  const refsOf = (r: unknown): Ref[] => {
    const refs = (r as { backendRefs?: unknown } | null)?.backendRefs;
    return Array.isArray(refs) ? (refs as Ref[]) : [];
  };
  const ours = (Array.isArray(rules) ? (rules as unknown[]) : []).findLast((r) =>
    refsOf(r).some((b) => b.name === `${APP}-canary`),
  );
  return refsOf(ours).map((b): [string, unknown] => [b.name ?? '', b.weight]);
}

/**
 * Records every distinct canary weight the route `podinfo` (its spec: what was sent to the mesh)
 * takes, in order. The name says split: it began with TrafficSplits alone.
 */
export class SplitRecorder {
  readonly weights: number[] = [];
  /** The split's backends at every change of them, as [service, weight] pairs. */
  readonly backends: [string, unknown][][] = [];
  readonly #informer: Informer<LiveSplit>;
  readonly #ns: string;
  readonly #read: (route: LiveSplit) => RoutesReading;

  /** `baseline`: the Canary runs a baseline (spec.analysis.baseline): three backends. */
  constructor(
    admin: KubeRawClient,
    ns: string,
    route: RecordedRoute = 'v1alpha4',
    baseline = false,
  ) {
    this.#ns = ns;
    this.#read =
      route === 'httproute'
        ? (r) => readRouteRoutes(r, { ...NAMES(ns, baseline), port: 9898 })
        : (r) => readRoutes(r, NAMES(ns, baseline));
    const ref = route === 'httproute' ? routeRef('v1') : splitRef(route);
    this.#informer = new Informer<LiveSplit>({
      name: `e2e-routes/${ns}`,
      listerWatcher: createListerWatcher<LiveSplit>(admin, ref, { namespace: ns }),
      logger: pino({ level: 'silent' }),
    });
    this.#informer.onEvent((e) => {
      if (e.type === 'delete' || e.obj.metadata?.name !== APP) return;
      const backends = route === 'httproute' ? ruleBackends(e.obj) : splitBackends(e.obj);
      if (JSON.stringify(backends) !== JSON.stringify(this.backends.at(-1)))
        this.backends.push(backends);
      const r = this.#read(e.obj);
      if (!r.ok) return;
      if (this.weights[this.weights.length - 1] !== r.routes.canaryWeight) {
        this.weights.push(r.routes.canaryWeight);
      }
    });
  }

  async start(): Promise<void> {
    this.#informer.start();
    await this.#informer.waitForSync(30_000);
  }

  current(): { primaryWeight: number; canaryWeight: number } | undefined {
    const split = this.#informer.getByName(this.#ns, APP);
    if (split === undefined) return undefined;
    const r = this.#read(split);
    return r.ok ? r.routes : undefined;
  }

  /** Waits until the recorder has seen the split at `canaryWeight` (its watch may lag a step). */
  async reached(canaryWeight: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.current()?.canaryWeight !== canaryWeight) {
      if (Date.now() > deadline) {
        throw new Error(
          `split never reached canary weight ${String(canaryWeight)}: ${JSON.stringify(this.weights)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  split(): LiveSplit | undefined {
    return this.#informer.getByName(this.#ns, APP);
  }

  /** Forget what was recorded so far (e.g. before the run of interest). */
  reset(): void {
    this.weights.splice(0);
    const now = this.current();
    if (now !== undefined) this.weights.push(now.canaryWeight);
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }
}

/** The object at `path`, or undefined when the API server says 404. */
export async function getIfFound<T>(admin: KubeRawClient, path: string): Promise<T | undefined> {
  try {
    return await admin.get<T>(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function getDeployment(
  admin: KubeRawClient,
  ns: string,
  name: string,
): Promise<DeploymentJson | undefined> {
  return getIfFound(admin, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
}

export interface EventJson extends KubeObject {
  reason?: string;
  note?: string;
  type?: string;
  /** The controller replica that recorded it (its identity). */
  reportingInstance?: string;
  regarding?: { kind?: string; name?: string };
  /** Set once the recorder folded a repeat of the same Event into it. */
  series?: { count?: number };
}

/**
 * The Canary's Events. With `until`, polls until it holds (or the deadline passes, then returns
 * what there is): Events are notifications sent after the status write that a test waits on.
 */
export async function canaryEvents(
  admin: KubeRawClient,
  ns: string,
  until?: (events: EventJson[]) => boolean,
  timeoutMs = 10_000,
): Promise<EventJson[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await listCanaryEvents(admin, ns);
    if (until === undefined || until(events) || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function listCanaryEvents(admin: KubeRawClient, ns: string): Promise<EventJson[]> {
  const list = await admin.get<{ items: EventJson[] }>(
    `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
  );
  return list.items.filter((e) => e.regarding?.kind === 'Canary' && e.regarding.name === APP);
}

export function getService(
  admin: KubeRawClient,
  ns: string,
  name: string,
): Promise<
  | { spec?: { selector?: Record<string, string> }; metadata?: { ownerReferences?: unknown[] } }
  | undefined
> {
  return getIfFound(admin, `/api/v1/namespaces/${ns}/services/${name}`);
}

export interface LeaseJson {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export function getLease(
  admin: KubeRawClient,
  ns: string,
  name: string,
): Promise<LeaseJson | undefined> {
  return getIfFound(admin, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`);
}

/**
 * Non-zero counters of failed (5xx) responses in `ns`, from the emulator's exposition. The
 * emulator answers 503 when a backend has no ready endpoint, so an empty list also means no
 * request met a window without ready pods.
 */
export function failedResponses(emulator: { metricsText(): string }, ns: string): string[] {
  return emulator
    .metricsText()
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('response_total{') &&
        l.includes(`namespace="${ns}"`) &&
        /status_code="5\d\d"/.test(l) &&
        Number(l.slice(l.lastIndexOf(' ') + 1)) > 0,
    );
}
