import {
  hasRpsAnnotation,
  parsePodBehaviour,
  parseServiceRps,
  type PodBehaviour,
} from './annotations.js';
import type { RouteGroupJson } from '../../../src/smi-adapter/route-group.js';
import type { HttpRouteEvaluation } from './http-route.js';
import type {
  DeploymentObject,
  HttpRouteObject,
  ServiceObject,
  TrafficSplitObject,
} from './objects.js';
import { templateHash } from './pods.js';
import { routeTable, type ApexRoute } from './routes.js';
import { REQUEST_MIX_ANNOTATION, parseRequestMix } from './request-mix.js';

/** A Deployment as the emulator serves it. */
export interface EmulatedWorkload {
  readonly namespace: string;
  readonly deployment: string;
  readonly templateHash: string;
  /** Pods that receive traffic: the Deployment's status.readyReplicas. */
  readonly readyPods: number;
  readonly behaviour: PodBehaviour;
}

export interface RouteBackend {
  readonly service: string;
  readonly weight: number;
  /** Deployments whose pod template labels the backend Service's selector matches. */
  readonly workloads: readonly EmulatedWorkload[];
}

/** A Service that receives synthetic load, and where its requests go. */
export interface LoadTarget {
  readonly namespace: string;
  readonly service: string;
  readonly authority: string;
  /** From the Service's rps annotation, else the emulator's default. */
  readonly rps: number;
  /** The TrafficSplit routing it; absent for a plain Service (its own selector routes). */
  readonly split?: string;
  /** The HTTPRoute routing it (GAMMA: the Service is its parent). */
  readonly httpRoute?: string;
  readonly backends: readonly RouteBackend[];
}

export interface TopologyProblem {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly message: string;
}

export interface NamespaceObjects {
  readonly namespace: string;
  readonly services: readonly ServiceObject[];
  readonly deployments: readonly DeploymentObject[];
  readonly splits: readonly TrafficSplitObject[];
  /** Watched only when the mesh serves Gateway API. */
  readonly httpRoutes?: readonly HttpRouteObject[];
  /** specs.smi-spec.io HTTPRouteGroups, which TrafficSplit `matches` name. */
  readonly routeGroups?: readonly RouteGroupJson[];
}

/** Services with these suffixes are split backends by weightlifter's naming (DESIGN §2). */
const BACKEND_SUFFIXES = ['-primary', '-canary', '-baseline'] as const;

const name = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';

interface ParsedWorkload {
  readonly workload: EmulatedWorkload;
  readonly labels: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

// Informers replace objects on every change, so the object itself is the cache key.
const workloadCache = new WeakMap<DeploymentObject, ParsedWorkload>();

function workloadOf(d: DeploymentObject, namespace: string): ParsedWorkload {
  const cached = workloadCache.get(d);
  if (cached !== undefined) return cached;
  const template = d.spec?.template;
  const behaviour = parsePodBehaviour(template?.metadata?.annotations);
  const gone = d.metadata?.deletionTimestamp !== undefined || d.spec?.replicas === 0;
  const parsed: ParsedWorkload = {
    workload: {
      namespace,
      deployment: name(d),
      templateHash: templateHash(template),
      readyPods: gone ? 0 : Math.max(0, d.status?.readyReplicas ?? 0),
      behaviour: behaviour.value,
    },
    labels: template?.metadata?.labels ?? {},
    problems: behaviour.problems.map((p) => `${p.key}=${JSON.stringify(p.value)}: ${p.reason}`),
  };
  workloadCache.set(d, parsed);
  return parsed;
}

/** Finds the workloads a selector picks, through an index of label pairs. */
class SelectorIndex {
  readonly #byPair = new Map<string, ParsedWorkload[]>();
  constructor(workloads: readonly ParsedWorkload[]) {
    for (const w of workloads) {
      for (const [k, v] of Object.entries(w.labels)) {
        const key = `${k}=${v}`;
        const list = this.#byPair.get(key);
        if (list === undefined) this.#byPair.set(key, [w]);
        else list.push(w);
      }
    }
  }

  select(selector: Readonly<Record<string, string>> | undefined): EmulatedWorkload[] {
    const pairs = Object.entries(selector ?? {});
    const [first] = pairs;
    if (first === undefined) return []; // no selector: no endpoints the emulator could serve
    const candidates = this.#byPair.get(`${first[0]}=${first[1]}`) ?? [];
    return candidates
      .filter((w) => pairs.every(([k, v]) => w.labels[k] === v))
      .map((w) => w.workload);
  }
}

function authorityOf(svc: ServiceObject, namespace: string): string {
  const port = svc.spec?.ports?.[0]?.port ?? 80;
  return `${name(svc)}.${namespace}.svc.cluster.local:${port}`;
}

/**
 * The load targets of one namespace. Load goes to every Service that is a route's apex (a
 * TrafficSplit's `spec.service`, an accepted HTTPRoute's Service parent; see routes.ts), routed by
 * the route's weights, and to every other Service with a selector that is not a route backend (nor
 * named like one, unless it carries the rps annotation), routed by its own selector. With `canaryRps` > 0, every split backend named `*-canary` also gets load of its own,
 * routed by its selector: the test or mirrored traffic that blue/green analysis measures while
 * the route sends the canary nothing. Its rps annotation, if any, overrides `canaryRps`.
 */
export function namespaceTopology(
  input: NamespaceObjects,
  defaultRps: number,
  canaryRps = 0,
): {
  targets: LoadTarget[];
  problems: TopologyProblem[];
  httpRoutes: { route: HttpRouteObject; evaluation: HttpRouteEvaluation }[];
} {
  const { namespace } = input;
  const problems: TopologyProblem[] = [];
  const parsed = input.deployments.map((d) => workloadOf(d, namespace));
  for (const p of parsed) {
    for (const message of p.problems) {
      problems.push({ object: `Deployment ${namespace}/${p.workload.deployment}`, message });
    }
  }
  const index = new SelectorIndex(parsed);
  const services = new Map(input.services.map((s) => [name(s), s]));

  const table = routeTable(
    namespace,
    input.splits,
    input.httpRoutes ?? [],
    (n) => services.has(n),
    problems,
    (n) => {
      const value = services.get(n)?.metadata?.annotations?.[REQUEST_MIX_ANNOTATION];
      if (value === undefined) return undefined;
      const mix = parseRequestMix(value);
      if ('classes' in mix) return mix.classes;
      problems.push({
        object: `Service ${namespace}/${n}`,
        message: `${REQUEST_MIX_ANNOTATION}=${JSON.stringify(value)}: ${mix.problem}`,
      });
      return undefined;
    },
    input.routeGroups ?? [],
  );
  const backendNames = new Set<string>();
  for (const route of table.byApex.values()) {
    for (const b of route.backends) backendNames.add(b.service);
  }

  const targets: LoadTarget[] = [];
  for (const [apex, route] of table.byApex) {
    const svc = services.get(apex);
    const where = `${route.kind} ${namespace}/${route.name}`;
    if (svc === undefined) {
      problems.push({ object: where, message: `apex Service ${apex} not found: no load` });
      continue;
    }
    for (const message of route.problems) problems.push({ object: where, message });
    const backends = route.backends.map((b) => {
      const backendSvc = services.get(b.service);
      if (backendSvc === undefined) {
        problems.push({ object: where, message: `backend Service ${b.service} not found` });
      }
      return { ...b, workloads: index.select(backendSvc?.spec?.selector) };
    });
    targets.push(target(svc, namespace, defaultRps, problems, backends, route));
  }

  if (canaryRps > 0) {
    for (const backend of [...backendNames].filter((b) => b.endsWith('-canary')).sort()) {
      const svc = services.get(backend);
      if (svc === undefined || Object.keys(svc.spec?.selector ?? {}).length === 0) continue;
      const direct = [{ service: backend, weight: 1, workloads: index.select(svc.spec?.selector) }];
      targets.push(target(svc, namespace, canaryRps, problems, direct, undefined));
    }
  }

  for (const svc of services.values()) {
    const svcName = name(svc);
    if (table.byApex.has(svcName) || backendNames.has(svcName)) continue;
    if (Object.keys(svc.spec?.selector ?? {}).length === 0) continue;
    const annotations = svc.metadata?.annotations;
    if (!hasRpsAnnotation(annotations) && BACKEND_SUFFIXES.some((s) => svcName.endsWith(s)))
      continue;
    const backends = [{ service: svcName, weight: 1, workloads: index.select(svc.spec?.selector) }];
    targets.push(target(svc, namespace, defaultRps, problems, backends, undefined));
  }
  return { targets, problems, httpRoutes: [...table.httpRoutes] };
}

function target(
  svc: ServiceObject,
  namespace: string,
  defaultRps: number,
  problems: TopologyProblem[],
  backends: RouteBackend[],
  route: ApexRoute | undefined,
): LoadTarget {
  const rps = parseServiceRps(svc.metadata?.annotations, defaultRps);
  for (const p of rps.problems) {
    problems.push({
      object: `Service ${namespace}/${name(svc)}`,
      message: `${p.key}=${JSON.stringify(p.value)}: ${p.reason}`,
    });
  }
  return {
    namespace,
    service: name(svc),
    authority: authorityOf(svc, namespace),
    rps: rps.value,
    ...(route?.kind === 'TrafficSplit' ? { split: route.name } : {}),
    ...(route?.kind === 'HTTPRoute' ? { httpRoute: route.name } : {}),
    backends,
  };
}
