// A TrafficSplit as the equivalent GAMMA HTTPRoute spec, a pure function of the split, its root
// Service and the HTTPRouteGroups it references:
//   - parentRefs: the root Service (`spec.service`, group "", kind Service) on its port;
//   - without `matches`: one rule for every request, a backendRef per backend with its weight
//     (integers with the split's exact ratios, zero kept);
//   - with `matches` (v1alpha3+): SMI sends the requests matching any referenced HTTPRouteGroup to
//     the weighted backends and every other request to the root Service itself, so the weighted
//     backendRefs go on rules carrying the groups' matches, and a last rule sends the rest to the
//     root Service (a GAMMA backendRef to the parent Service means its own endpoints).
// What HTTPRoute cannot say exactly is refused with a reason, never approximated.
import { HTTP_ROUTE_METHODS } from '../api/gateway-api.js';
import { SMI_SPECS_GROUP } from '../api/smi.js';
import { isJsonObject, type Json, type JsonObject } from '../kube/merge-patch.js';
import type { KubeObject } from '../kube/object-key.js';
import { parseRouteGroup, type RouteGroupJson, type SmiHttpMatch } from './route-group.js';
import { integerWeights } from './weights.js';

export interface SplitJson extends KubeObject {
  spec?: { service?: unknown; backends?: unknown; matches?: unknown };
}

export interface ServicePortsJson extends KubeObject {
  spec?: { ports?: readonly { port?: number; name?: string }[] };
}

export const REFUSAL_REASONS = {
  rootService: 'RootServiceNotFound',
  rootPorts: 'RootServicePorts',
  backends: 'InvalidBackends',
  groupMissing: 'HTTPRouteGroupNotFound',
  match: 'UnsupportedMatch',
} as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[keyof typeof REFUSAL_REASONS];

export type Translation =
  | { readonly ok: true; readonly spec: { parentRefs: JsonObject[]; rules: JsonObject[] } }
  | { readonly ok: false; readonly reason: RefusalReason; readonly message: string };

export interface TranslationInput {
  readonly split: SplitJson;
  /** Services of the split's namespace. */
  readonly service: (name: string) => ServicePortsJson | undefined;
  /** HTTPRouteGroups of the split's namespace. */
  readonly group: (name: string) => RouteGroupJson | undefined;
}

/** Gateway API's limits (HTTPRoute standard channel). */
export const ROUTE_LIMITS = {
  rules: 16,
  matchesPerRule: 64,
  /** CEL on HTTPRoute: all rules' matches together stay below this. */
  totalMatches: 128,
  backendRefs: 16,
  headersPerMatch: 16,
  headerName: 256,
  headerValue: 4096,
  pathValue: 1024,
} as const;

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** Every request, spelled out the way the API server defaults a match, so a re-read compares equal. */
const ALL_REQUESTS: JsonObject = { path: { type: 'PathPrefix', value: '/' } };

const refuse = (reason: RefusalReason, message: string): Translation => ({
  ok: false,
  reason,
  message,
});

const serviceRef = (name: string, port: number, weight: number): JsonObject => ({
  group: '',
  kind: 'Service',
  name,
  port,
  weight,
});

export function translateSplit(input: TranslationInput): Translation {
  const spec = input.split.spec ?? {};
  const root = typeof spec.service === 'string' ? spec.service : '';
  if (root === '') return refuse(REFUSAL_REASONS.rootService, 'spec.service is empty');
  const svc = input.service(root);
  if (svc === undefined) {
    return refuse(REFUSAL_REASONS.rootService, `root Service ${root} not found`);
  }
  const ports = svc.spec?.ports ?? [];
  const [only] = ports;
  if (ports.length !== 1 || typeof only?.port !== 'number') {
    return refuse(
      REFUSAL_REASONS.rootPorts,
      `root Service ${root} has ${ports.length} ports; one HTTPRoute sends every backend to one ` +
        'port, so only a single-port root Service can be translated',
    );
  }
  const port = only.port;
  const backends = backendRefs(spec.backends, port);
  if (typeof backends === 'string') return refuse(REFUSAL_REASONS.backends, backends);
  const parentRefs = [{ group: '', kind: 'Service', name: root, port }];
  const refs = spec.matches ?? [];
  if (!Array.isArray(refs) || refs.length === 0) {
    return {
      ok: true,
      spec: { parentRefs, rules: [{ matches: [ALL_REQUESTS], backendRefs: backends }] },
    };
  }
  const matches = routeMatches(refs, input.group);
  if (!Array.isArray(matches)) return matches;
  const rules: JsonObject[] = [];
  for (let i = 0; i < matches.length; i += ROUTE_LIMITS.matchesPerRule) {
    rules.push({
      matches: matches.slice(i, i + ROUTE_LIMITS.matchesPerRule),
      backendRefs: backends,
    });
  }
  if (rules.length + 1 > ROUTE_LIMITS.rules || matches.length + 1 > ROUTE_LIMITS.totalMatches) {
    return refuse(
      REFUSAL_REASONS.match,
      `the groups' ${matches.length} matches need more than HTTPRoute's ${ROUTE_LIMITS.rules} ` +
        `rules or ${ROUTE_LIMITS.totalMatches} matches`,
    );
  }
  rules.push({ matches: [ALL_REQUESTS], backendRefs: [serviceRef(root, port, 1)] });
  return { ok: true, spec: { parentRefs, rules } };
}

function backendRefs(raw: unknown, port: number): JsonObject[] | string {
  if (!Array.isArray(raw) || raw.length === 0) return 'spec.backends is empty';
  if (raw.length > ROUTE_LIMITS.backendRefs) {
    return `${raw.length} backends; an HTTPRoute rule holds at most ${ROUTE_LIMITS.backendRefs}`;
  }
  const names: string[] = [];
  for (const [i, b] of raw.entries()) {
    const name = isJsonObject(b) ? b['service'] : undefined;
    if (typeof name !== 'string' || name === '') return `backends[${i}].service is empty`;
    names.push(name);
  }
  const weights = integerWeights(raw.map((b) => (isJsonObject(b) ? b['weight'] : undefined)));
  if (!weights.ok) return weights.message;
  return names.map((name, i) => serviceRef(name, port, weights.weights[i] ?? 0));
}

/** Every referenced group's matches as HTTPRoute matches, or the refusal. */
function routeMatches(
  refs: readonly unknown[],
  groupOf: (name: string) => RouteGroupJson | undefined,
): JsonObject[] | Translation {
  const out: JsonObject[] = [];
  for (const [i, ref] of refs.entries()) {
    const r = isJsonObject(ref) ? ref : {};
    const apiGroup = r['apiGroup'] ?? SMI_SPECS_GROUP;
    if (r['kind'] !== 'HTTPRouteGroup' || (apiGroup !== SMI_SPECS_GROUP && apiGroup !== '')) {
      return refuse(
        REFUSAL_REASONS.match,
        `matches[${i}] refers to ${JSON.stringify(r['kind'])} of ${JSON.stringify(apiGroup)}; only ` +
          `${SMI_SPECS_GROUP} HTTPRouteGroup is translated`,
      );
    }
    const name = typeof r['name'] === 'string' ? r['name'] : '';
    const group = groupOf(name);
    if (group === undefined) {
      return refuse(REFUSAL_REASONS.groupMissing, `HTTPRouteGroup ${name} not found`);
    }
    const parsed = parseRouteGroup(group);
    if (!parsed.ok) return refuse(REFUSAL_REASONS.match, parsed.message);
    for (const m of parsed.matches) {
      const translated = translateMatch(m, name);
      if (typeof translated === 'string') return refuse(REFUSAL_REASONS.match, translated);
      out.push(...translated);
    }
  }
  return out;
}

/**
 * SMI anchors pathRegex at the start of the path only; HTTPRoute's RegularExpression is matched
 * against the whole path by the meshes that implement it (Envoy's and Linkerd's full match) and
 * searched by others, so `^(?:R).*$` says the same under both.
 */
export const anchoredAtStart = (regex: string): string => `^(?:${regex}).*$`;

/** One SMI match as HTTPRoute matches: one per method (SMI ORs its methods), else one. */
export function translateMatch(m: SmiHttpMatch, group: string): JsonObject[] | string {
  const at = `HTTPRouteGroup ${group} match ${JSON.stringify(m.name)}`;
  if (m.headers.length > ROUTE_LIMITS.headersPerMatch) {
    return `${at}: ${m.headers.length} headers; an HTTPRoute match holds at most ${ROUTE_LIMITS.headersPerMatch}`;
  }
  const seen = new Set<string>();
  const headers: Json[] = [];
  for (const [name, value] of m.headers) {
    if (!HEADER_NAME.test(name) || name.length > ROUTE_LIMITS.headerName) {
      return `${at}: ${JSON.stringify(name)} is not an HTTP header name`;
    }
    if (seen.has(name.toLowerCase())) return `${at}: header ${name} is matched twice`;
    seen.add(name.toLowerCase());
    if (value === '' || value.length > ROUTE_LIMITS.headerValue) {
      return `${at}: the regex of header ${name} is empty or longer than ${ROUTE_LIMITS.headerValue}`;
    }
    headers.push({ type: 'RegularExpression', name, value });
  }
  const pathRegex = m.pathRegex === undefined ? undefined : anchoredAtStart(m.pathRegex);
  if (pathRegex !== undefined && pathRegex.length > ROUTE_LIMITS.pathValue) {
    return `${at}: pathRegex is longer than an HTTPRoute path allows`;
  }
  const base: JsonObject = {
    path:
      pathRegex === undefined
        ? { type: 'PathPrefix', value: '/' }
        : { type: 'RegularExpression', value: pathRegex },
    ...(headers.length === 0 ? {} : { headers }),
  };
  if (m.methods.length === 0 || m.methods.includes('*')) return [base];
  const unknown = m.methods.find((x) => !HTTP_ROUTE_METHODS.has(x));
  if (unknown !== undefined) return `${at}: method ${unknown} has no HTTPRoute equivalent`;
  return [...new Set(m.methods)].map((method) => ({ ...base, method }));
}
