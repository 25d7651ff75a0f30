// The HTTPRoute weightlifter routes through, as data: its name and parents, which rule is ours,
// the rules with ours made to carry the weights, and how live weights read back. Pure functions;
// gateway-router.ts does the I/O.
//
// Our rule is the one whose backendRefs name the primary or canary Service (on a route taken over
// from its author, before our first write: the one naming the apex Service). We own its
// backendRefs only; its matches, filters and the route's other rules are the author's, and a
// patch sends them back as they were read (merge patch replaces lists whole), with the cached
// resourceVersion as precondition so a concurrent edit is never overwritten.
//
// An A/B run adds a second rule of ours in front of it (ab-rule.ts): `ab` below is the A/B rule's
// matches for an A/B Canary, null for any other. Our weighted rule is then the LAST rule naming
// the primary or canary Service, and the ones before it are A/B rules.
import type { ParentRef } from '../api/canary.js';
import { STORED_DEFAULTS } from '../api/defaults.js';
import { GATEWAY_GROUP, HTTP_ROUTE_PLURAL, type HttpRouteVersion } from '../api/gateway-api.js';
import { isJsonObject, type Json, type JsonObject } from '../kube/merge-patch.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ResourceRef } from '../kube/resources.js';
import { isDeepStrictEqual } from 'node:util';
import {
  percent,
  splitNames,
  weightedBackends,
  type RoutesReading,
  type SplitNames,
} from './traffic-split.js';
import type { CanaryNames, Routes } from './types.js';

/** An HTTPRoute as it arrives from the API server (untrusted shape). */
export interface LiveRoute extends KubeObject {
  spec?: { parentRefs?: unknown; rules?: unknown; [key: string]: unknown };
  status?: { parents?: unknown };
}

export interface RouteNames extends SplitNames {
  /** The Service port the backends are sent to (spec.service.port). */
  readonly port: number;
}

export function routeNames(canary: CanaryNames): RouteNames {
  return { ...splitNames(canary), port: canary.spec.service.port };
}

export function routeRef(version: HttpRouteVersion): ResourceRef {
  return {
    group: GATEWAY_GROUP,
    version,
    plural: HTTP_ROUTE_PLURAL,
    kind: 'HTTPRoute',
    namespaced: true,
  };
}

/**
 * The route's parents, every field spelled out the way the API server stores them: the Canary's
 * spec.routing.parentRefs (a Gateway, north-south), else the apex Service on its port (GAMMA,
 * east-west).
 */
export function desiredParentRefs(canary: CanaryNames, names: RouteNames): ParentRef[] {
  const refs = canary.spec.routing?.parentRefs;
  if (refs === undefined || refs.length === 0) {
    return [{ group: '', kind: 'Service', name: names.apex, port: names.port }];
  }
  return refs.map((r) => ({ ...STORED_DEFAULTS.parentRef, ...r }));
}

/** A live parentRef, its fields that are not strings (or a number, for port) left out. */
export function parseParentRef(r: JsonObject): ParentRef {
  const out: ParentRef = { name: typeof r['name'] === 'string' ? r['name'] : '' };
  for (const key of ['group', 'kind', 'namespace', 'sectionName'] as const) {
    const v = r[key];
    if (typeof v === 'string') out[key] = v;
  }
  if (typeof r['port'] === 'number') out.port = r['port'];
  return out;
}

const isServiceRef = (ref: JsonObject): boolean =>
  (ref['group'] ?? '') === '' && (ref['kind'] ?? 'Service') === 'Service';

const backendRefsOf = (rule: unknown): JsonObject[] => {
  const refs = isJsonObject(rule) ? rule['backendRefs'] : undefined;
  return Array.isArray(refs) ? refs.filter(isJsonObject) : [];
};

const namesAny = (rule: unknown, services: readonly string[]): boolean =>
  backendRefsOf(rule).some(
    (b) => isServiceRef(b) && typeof b['name'] === 'string' && services.includes(b['name']),
  );

const rulesOf = (route: LiveRoute): unknown[] =>
  Array.isArray(route.spec?.rules) ? route.spec.rules : [];

/**
 * The index of our rule in `rules`, or -1. `apexToo`: a rule sending to the apex Service counts
 * (a taken-over route before our first write: that is the rule we take).
 */
export function ourRuleIndex(
  rules: readonly unknown[],
  names: RouteNames,
  apexToo: boolean,
): number {
  const ours = rules.findLastIndex((r) => namesAny(r, [names.primary, names.canary]));
  return ours >= 0 || !apexToo ? ours : rules.findIndex((r) => namesAny(r, [names.apex]));
}

/**
 * Our backendRefs: primary and canary (and the baseline, at the canary's weight) on the Service
 * port, weights as integers, 0 included.
 */
export function desiredBackendRefs(names: RouteNames, routes: Routes): JsonObject[] {
  return weightedBackends(names, routes).map(([name, weight]) => ({
    group: '',
    kind: 'Service',
    name,
    port: names.port,
    weight,
  }));
}

/** Matches every request: the API server's default, spelled out so a re-read compares equal. */
const ALL_PATHS: Json = [{ path: { type: 'PathPrefix', value: '/' } }];

/**
 * Our rules at `routes`: the weighted rule, after the A/B rule when an A/B Canary's canary weight
 * is above 0 (then the weights are the matching requests' and every other request goes to the
 * primary).
 */
function ourRules(
  names: RouteNames,
  routes: Routes,
  ab: readonly JsonObject[] | null,
): {
  readonly abRules: JsonObject[];
  readonly backendRefs: JsonObject[];
} {
  if (ab === null || routes.canaryWeight === 0) {
    return { abRules: [], backendRefs: desiredBackendRefs(names, routes) };
  }
  return {
    abRules: [{ matches: [...ab], backendRefs: desiredBackendRefs(names, routes) }],
    backendRefs: desiredBackendRefs(names, { primaryWeight: 100, canaryWeight: 0 }),
  };
}

/** The rules of a route we create: ours alone. */
export function newRules(
  names: RouteNames,
  routes: Routes,
  ab: readonly JsonObject[] | null = null,
): JsonObject[] {
  const { abRules, backendRefs } = ourRules(names, routes, ab);
  return [...abRules, { matches: ALL_PATHS, backendRefs }];
}

/** The live rules without our A/B rules (every rule naming our Services but the last). */
export function withoutAbRules(rules: readonly Json[], names: RouteNames): Json[] {
  const i = ourRuleIndex(rules, names, false);
  return rules.filter((r, j) => j >= i || !namesAny(r, [names.primary, names.canary]));
}

/**
 * The live rules with our rule's backendRefs set to `routes` (our rule appended when there is
 * none); every other rule, and every other field of ours, exactly as read.
 */
export function rulesWithOurs(
  live: LiveRoute,
  names: RouteNames,
  routes: Routes,
  apexToo: boolean,
  ab: readonly JsonObject[] | null = null,
): Json[] {
  const rules = rulesOf(live) as Json[];
  const i = ourRuleIndex(rules, names, apexToo);
  if (i < 0) return [...rules, ...newRules(names, routes, ab)];
  const { abRules, backendRefs } = ourRules(names, routes, ab);
  return rules.flatMap((r, j): Json[] => {
    if (j === i && isJsonObject(r)) return [...abRules, { ...r, backendRefs }];
    return namesAny(r, [names.primary, names.canary]) ? [] : [r]; // an old A/B rule
  });
}

const isWeight = (w: unknown): w is number =>
  typeof w === 'number' && Number.isSafeInteger(w) && w >= 0;

/**
 * Live weights of our rule as exact percentages. Gateway API weights are relative (a missing
 * weight is 1), so any two non-negative weights with a positive sum read back; anything else is
 * a problem to repair.
 */
export function readRouteRoutes(
  route: LiveRoute,
  names: RouteNames,
  ab: readonly JsonObject[] | null = null,
): RoutesReading {
  const rules = rulesOf(route);
  const i = ourRuleIndex(rules, names, false);
  if (i < 0) return { ok: false, problem: `no rule sends to ${names.primary} or ${names.canary}` };
  const weighted = readRuleRoutes(rules[i], names);
  const abRules = rules.slice(0, i).filter((r) => namesAny(r, [names.primary, names.canary]));
  if (!weighted.ok || abRules.length === 0) {
    // No A/B rule: an A/B Canary's non-matching requests must all be on the primary.
    return weighted.ok && ab !== null && weighted.routes.canaryWeight > 0
      ? { ok: false, problem: 'an A/B run sends requests that do not match to the canary' }
      : weighted;
  }
  const [abRule] = abRules;
  if (ab === null || abRules.length > 1 || !isDeepStrictEqual(matchesOf(abRule), ab)) {
    return { ok: false, problem: 'an A/B rule does not carry the matches of spec.analysis.match' };
  }
  if (weighted.routes.canaryWeight > 0) {
    return { ok: false, problem: 'an A/B run sends requests that do not match to the canary' };
  }
  return readRuleRoutes(abRule, names);
}

const matchesOf = (rule: unknown): unknown => (isJsonObject(rule) ? rule['matches'] : undefined);

/** One rule's weights of primary and canary as exact percentages. */
function readRuleRoutes(rule: unknown, names: RouteNames): RoutesReading {
  const refs = backendRefsOf(rule);
  const base = names.baseline;
  if (refs.length !== (base === undefined ? 2 : 3)) {
    const n = base === undefined ? 'two' : 'three';
    return { ok: false, problem: `our rule does not have exactly ${n} backendRefs` };
  }
  const weightOf = (service: string): unknown => {
    const b = refs.find((x) => isServiceRef(x) && x['name'] === service);
    return b === undefined ? undefined : (b['weight'] ?? 1);
  };
  const p = weightOf(names.primary);
  const c = weightOf(names.canary);
  const b = base === undefined ? 0 : weightOf(base);
  if (!isWeight(p) || !isWeight(c) || !isWeight(b)) {
    const services = [names.primary, names.canary, base ?? []].flat().join(', ');
    return { ok: false, problem: `backendRefs must be ${services} with integer weights` };
  }
  // With a baseline its weight must be the canary's; the canary's share is then c / (p + 2c).
  if (base !== undefined && b !== c)
    return { ok: false, problem: `${base}'s weight is not ${names.canary}'s` };
  if (p + c <= 0) return { ok: false, problem: `weights ${p}/${c} do not route any traffic` };
  const canaryWeight = percent(100n * BigInt(c), BigInt(p + c + b));
  return { ok: true, routes: { primaryWeight: 100 - canaryWeight, canaryWeight } };
}
