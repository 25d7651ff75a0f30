import { evaluateHttpRoute, type HttpRouteEvaluation } from './http-route.js';
import type { HttpRouteObject, TrafficSplitObject } from './objects.js';
import type { RouteGroupJson } from '../../../src/smi-adapter/route-group.js';
import type { RequestClass } from './request-mix.js';
import { matchedBackends, resolveSplitMatches } from './split-matches.js';
import { parseBackends, type SplitBackend } from './weights.js';

/** A route object of either API, as the one routing table holds it: an apex and its backends. */
export interface ApexRoute {
  readonly kind: 'TrafficSplit' | 'HTTPRoute';
  readonly name: string;
  readonly apex: string;
  readonly backends: readonly SplitBackend[];
  /** Problems of this route to report when it is the one routing its apex. */
  readonly problems: readonly string[];
  /** Lower wins; a TrafficSplit ranks as an HTTPRoute rule matching PathPrefix "/". */
  readonly specificity: number;
  readonly createdAt: string;
}

/** Specificity of a TrafficSplit: every request, like a PathPrefix "/" match without method. */
const SPLIT_SPECIFICITY = 3;

const nameOf = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';
const createdAt = (o: { metadata?: { creationTimestamp?: string } }): string =>
  o.metadata?.creationTimestamp ?? '';

/** Most specific first, then the oldest, then by name: Gateway API's conflict order. */
function precedence(a: ApexRoute, b: ApexRoute): number {
  if (a.specificity !== b.specificity) return a.specificity - b.specificity;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface RouteTable {
  /** The route each apex Service takes its weights from. */
  readonly byApex: ReadonlyMap<string, ApexRoute>;
  /** Every HTTPRoute's evaluation, for the status the mesh writes. */
  readonly httpRoutes: readonly { route: HttpRouteObject; evaluation: HttpRouteEvaluation }[];
}

/**
 * One routing table from both APIs: a TrafficSplit routes its `spec.service` (with `matches`, only
 * the requests its HTTPRouteGroups match: split-matches.ts), an HTTPRoute each Service parent that
 * accepts it (GAMMA) with the rule the emulated requests match. Where several routes claim an
 * apex, the most specific, then the oldest, wins; the others are reported.
 */
export function routeTable(
  namespace: string,
  splits: readonly TrafficSplitObject[],
  httpRoutes: readonly HttpRouteObject[],
  hasService: (name: string) => boolean,
  problems: { object: string; message: string }[],
  requestMix: (service: string) => readonly RequestClass[] | undefined = () => undefined,
  routeGroups: readonly RouteGroupJson[] = [],
): RouteTable {
  const groups = new Map(routeGroups.map((g) => [nameOf(g), g]));
  const candidates: ApexRoute[] = [];
  for (const split of splits) {
    const apex = split.spec?.service;
    if (typeof apex !== 'string' || apex === '') {
      problems.push({
        object: `TrafficSplit ${namespace}/${nameOf(split)}`,
        message: 'spec.service is empty',
      });
      continue;
    }
    const parsed = parseBackends(split.spec);
    const matched = resolveSplitMatches(split.spec, (n) => groups.get(n));
    candidates.push({
      kind: 'TrafficSplit',
      name: nameOf(split),
      apex,
      backends:
        matched === undefined
          ? parsed.backends
          : matchedBackends(apex, parsed.backends, matched.matches, requestMix(apex)),
      problems: [...parsed.problems, ...(matched?.problems ?? [])],
      specificity: SPLIT_SPECIFICITY,
      createdAt: createdAt(split),
    });
  }
  const evaluated = httpRoutes.map((route) => ({
    route,
    evaluation: evaluateHttpRoute(route, hasService),
  }));
  for (const { route, evaluation: e } of evaluated) {
    const where = `HTTPRoute ${namespace}/${e.name}`;
    for (const message of e.problems) problems.push({ object: where, message });
    for (const p of e.parents) {
      if (p.accepted.status === 'False') {
        problems.push({
          object: where,
          message: `not accepted for Service ${p.service} (${p.accepted.reason}): ${p.accepted.message}`,
        });
        continue;
      }
      if (e.backends === undefined) continue;
      const mix = requestMix(p.service);
      candidates.push({
        kind: 'HTTPRoute',
        name: e.name,
        apex: p.service,
        backends: mix === undefined ? e.backends : mixedBackends(e, mix, where, problems),
        problems: [],
        specificity: e.specificity,
        createdAt: createdAt(route),
      });
    }
  }
  const byApex = new Map<string, ApexRoute>();
  for (const c of candidates.sort(precedence)) {
    const first = byApex.get(c.apex);
    if (first === undefined) {
      byApex.set(c.apex, c);
      continue;
    }
    const by =
      first.kind === 'TrafficSplit'
        ? `split by ${first.name}`
        : `routed by HTTPRoute ${first.name}`;
    problems.push({
      object: `${c.kind} ${namespace}/${c.name}`,
      message: `apex ${c.apex} already ${by}`,
    });
  }
  return { byApex, httpRoutes: evaluated };
}

/**
 * With a request mix (request-mix.ts), each share of requests takes the rule it matches: the
 * route's backends are every share's backends, weighted by share × the backend's part of its
 * rule, so one weighted draw per request routes each share by its own rule. A share no rule
 * matches is not sent (a GAMMA mesh answers it 404) and is reported.
 */
function mixedBackends(
  e: HttpRouteEvaluation,
  mix: readonly RequestClass[],
  where: string,
  problems: { object: string; message: string }[],
): SplitBackend[] {
  const out: SplitBackend[] = [];
  for (const c of mix) {
    const backends = e.backendsFor(c);
    const total = (backends ?? []).reduce((s, b) => s + b.weight, 0);
    if (backends === undefined || total <= 0) {
      const request = `${c.method} ${c.path} ${JSON.stringify(c.headers)}`;
      problems.push({
        object: where,
        message: `no rule routes ${c.percent}% of requests (${request})`,
      });
      continue;
    }
    for (const b of backends)
      out.push({ service: b.service, weight: (c.percent * b.weight) / total });
  }
  return out;
}
