import { EMULATOR_ANNOTATIONS } from './annotations.js';
import type { HttpRouteObject } from './objects.js';
import type { SplitBackend } from './weights.js';

/** One condition the mesh states about a route for one parent (Gateway API semantics). */
export interface Verdict {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** A parentRef naming a Service (GAMMA): what the mesh says about the route for it. */
export interface ServiceParent {
  /** The parentRef exactly as the spec holds it (status.parents[].parentRef repeats it). */
  readonly ref: Readonly<Record<string, unknown>>;
  readonly service: string;
  readonly accepted: Verdict;
  readonly resolvedRefs: Verdict;
}

/**
 * How specifically a rule matches the emulator's requests (`GET /`, no headers, no query): lower
 * is more specific. Exact path before PathPrefix, a method before none (Gateway API precedence).
 */
export type Specificity = number;

/** An HTTPRoute as the emulated GAMMA mesh reads it. */
export interface HttpRouteEvaluation {
  readonly name: string;
  readonly generation: number;
  /** Parents of kind Service; Gateway parents are not a mesh's business and are left alone. */
  readonly parents: readonly ServiceParent[];
  /** The backends of the rule the emulator's requests take; undefined when no rule matches. */
  readonly backends: readonly SplitBackend[] | undefined;
  readonly specificity: Specificity;
  readonly problems: readonly string[];
}

const CORE_GROUPS: readonly unknown[] = ['', 'core'];
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const TRUE = (reason: string, message: string): Verdict => ({ status: 'True', reason, message });
const FALSE = (reason: string, message: string): Verdict => ({ status: 'False', reason, message });

/** A parentRef naming a core Service (group "" or "core", kind Service). */
export function isServiceRef(ref: unknown): ref is Record<string, unknown> {
  return isRecord(ref) && ref['kind'] === 'Service' && CORE_GROUPS.includes(ref['group']);
}

/** Specificity of one match for `GET /`; undefined when it does not match that request. */
function matchSpecificity(match: unknown): Specificity | undefined {
  if (!isRecord(match)) return undefined;
  if (list(match['headers']).length > 0 || list(match['queryParams']).length > 0) return undefined;
  const method = text(match['method']);
  if (method !== undefined && method !== 'GET') return undefined;
  const path = isRecord(match['path']) ? match['path'] : {};
  const type = text(path['type']) ?? 'PathPrefix';
  const value = text(path['value']) ?? '/';
  // RegularExpression is implementation-specific: the emulator does not evaluate it.
  if (value !== '/' || (type !== 'Exact' && type !== 'PathPrefix')) return undefined;
  return (type === 'Exact' ? 0 : 2) + (method === undefined ? 1 : 0);
}

/** The rule `GET /` takes: the most specific match, the first rule among equals. */
function ruleFor(rules: readonly unknown[]): { index: number; specificity: Specificity } | null {
  let best: { index: number; specificity: Specificity } | null = null;
  for (const [index, rule] of rules.entries()) {
    const matches = isRecord(rule) ? list(rule['matches']) : [];
    // No matches means one PathPrefix "/" match (the CRD's default).
    const found = (matches.length === 0 ? [{}] : matches)
      .map(matchSpecificity)
      .filter((s): s is Specificity => s !== undefined);
    if (found.length === 0) continue;
    const specificity = Math.min(...found);
    if (best === null || specificity < best.specificity) best = { index, specificity };
  }
  return best;
}

/** Whether the mesh accepts the route for the Service parent `ns/service`. */
function acceptance(
  route: HttpRouteObject,
  ns: string,
  service: string,
  hasService: (name: string) => boolean,
): Verdict {
  const reject = route.metadata?.annotations?.[EMULATOR_ANNOTATIONS.reject];
  if (reject !== undefined) {
    const message =
      reject === '' ? `rejected by the ${EMULATOR_ANNOTATIONS.reject} annotation` : reject;
    return FALSE('Rejected', message);
  }
  if (ns !== (route.metadata?.namespace ?? '')) {
    return FALSE(
      'UnsupportedValue',
      `parent Service ${ns}/${service} is in another namespace: the mesh emulator routes only producer routes`,
    );
  }
  if (!hasService(service)) return FALSE('NoMatchingParent', `parent Service ${service} not found`);
  return TRUE('Accepted', 'accepted by the mesh emulator');
}

/**
 * Reads an HTTPRoute the way a GAMMA mesh does: which Service parents it accepts (the reject
 * annotation, a missing Service or one in another namespace say no), whether its backendRefs
 * resolve to Services of its namespace, and the weighted backends of the rule the emulator's
 * requests (`GET /`) take. Weights default to 1, as in the API.
 */
export function evaluateHttpRoute(
  route: HttpRouteObject,
  hasService: (name: string) => boolean,
): HttpRouteEvaluation {
  const namespace = route.metadata?.namespace ?? '';
  const problems: string[] = [];
  const rules = list(route.spec?.rules);
  const picked = ruleFor(rules);

  const unresolved: { reason: string; message: string }[] = [];
  let backends: SplitBackend[] | undefined;
  rules.forEach((rule, r) => {
    const mine: SplitBackend[] = [];
    list(isRecord(rule) ? rule['backendRefs'] : undefined).forEach((ref, i) => {
      const at = `rules[${r}].backendRefs[${i}]`;
      const b = isRecord(ref) ? ref : {};
      const name = text(b['name']) ?? '';
      const kind = text(b['kind']) ?? 'Service';
      const ns = text(b['namespace']) ?? namespace;
      if (kind !== 'Service' || !CORE_GROUPS.includes(b['group'] ?? '')) {
        unresolved.push({ reason: 'InvalidKind', message: `${at}: ${kind} is not a core Service` });
        return;
      }
      if (ns !== namespace) {
        const message = `${at}: Service ${ns}/${name} is in another namespace`;
        unresolved.push({ reason: 'RefNotPermitted', message });
        return;
      }
      if (!hasService(name)) {
        unresolved.push({ reason: 'BackendNotFound', message: `${at}: Service ${name} not found` });
      }
      // A missing Service keeps its share: requests to it fail, as the API requires.
      const weight = typeof b['weight'] === 'number' ? Math.max(0, b['weight']) : 1;
      mine.push({ service: name, weight });
    });
    if (r === picked?.index) backends = mine;
  });
  if (picked === null) problems.push('no rule matches GET / (the emulated requests): no routing');
  const [firstUnresolved] = unresolved;
  const resolvedRefs =
    firstUnresolved === undefined
      ? TRUE('ResolvedRefs', 'all backendRefs resolved')
      : FALSE(firstUnresolved.reason, unresolved.map((u) => u.message).join('; '));
  // A missing backend Service is reported by the routing table, as for a TrafficSplit.
  for (const u of unresolved) if (u.reason !== 'BackendNotFound') problems.push(u.message);

  const parents = list(route.spec?.parentRefs)
    .filter(isServiceRef)
    .map((ref): ServiceParent => {
      const service = text(ref['name']) ?? '';
      const accepted = acceptance(route, text(ref['namespace']) ?? namespace, service, hasService);
      return { ref, service, accepted, resolvedRefs };
    });
  return {
    name: route.metadata?.name ?? '',
    generation: route.metadata?.generation ?? 0,
    parents,
    backends,
    specificity: picked?.specificity ?? Number.POSITIVE_INFINITY,
    problems,
  };
}
