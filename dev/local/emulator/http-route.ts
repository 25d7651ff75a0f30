import { EMULATOR_ANNOTATIONS } from './annotations.js';
import type { HttpRouteObject } from './objects.js';
import type { RequestClass } from './request-mix.js';
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
  /** The backends of the rule `request` takes (request-mix.ts); undefined when none matches. */
  readonly backendsFor: (
    request: Omit<RequestClass, 'percent'>,
  ) => readonly SplitBackend[] | undefined;
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

type Request = Omit<RequestClass, 'percent'>;

/** A regular expression matched against the whole value (as Envoy and Linkerd do). */
export function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch (err) {
    if (err instanceof SyntaxError) return false; // a pattern the emulator cannot read matches nothing
    throw err;
  }
}

/**
 * Gateway API's precedence key of one match for `req` (lower sorts first): Exact path, then the
 * longest PathPrefix, then RegularExpression (its place is implementation-specific: here after
 * every PathPrefix but "/", which matches everything); a method before none; more headers before
 * fewer.
 * Undefined when the match does not match `req` (the emulator's requests carry no query).
 */
function requestRank(match: unknown, req: Request): number[] | undefined {
  if (!isRecord(match)) return undefined;
  if (list(match['queryParams']).length > 0) return undefined;
  const method = text(match['method']);
  if (method !== undefined && method !== req.method) return undefined;
  const headers = list(match['headers']);
  for (const h of headers) {
    if (!isRecord(h)) return undefined;
    const have = req.headers[(text(h['name']) ?? '').toLowerCase()];
    const want = text(h['value']) ?? '';
    if (have === undefined) return undefined;
    if (h['type'] === 'RegularExpression' ? !fullMatch(want, have) : have !== want)
      return undefined;
  }
  const path = isRecord(match['path']) ? match['path'] : {};
  const type = text(path['type']) ?? 'PathPrefix';
  const value = text(path['value']) ?? '/';
  let kind: number;
  if (type === 'Exact') {
    if (req.path !== value) return undefined;
    kind = 0;
  } else if (type === 'PathPrefix') {
    const prefix = value.endsWith('/') ? value : `${value}/`;
    if (req.path !== value && !req.path.startsWith(prefix)) return undefined;
    kind = value === '/' ? 3 : 1;
  } else if (type === 'RegularExpression') {
    if (!fullMatch(value, req.path)) return undefined;
    kind = 2;
  } else {
    return undefined;
  }
  return [kind, kind === 1 ? -value.length : 0, method === undefined ? 1 : 0, -headers.length];
}

const before = (a: readonly number[], b: readonly number[]): boolean => {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
};

/** The index of the rule `req` takes (the first among equals), or -1. */
function ruleForRequest(rules: readonly unknown[], req: Request): number {
  let best: { index: number; rank: number[] } | undefined;
  for (const [index, rule] of rules.entries()) {
    const matches = isRecord(rule) ? list(rule['matches']) : [];
    for (const m of matches.length === 0 ? [{}] : matches) {
      const rank = requestRank(m, req);
      if (rank !== undefined && (best === undefined || before(rank, best.rank))) {
        best = { index, rank };
      }
    }
  }
  return best?.index ?? -1;
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
  const ruleBackends: SplitBackend[][] = [];
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
    ruleBackends.push(mine);
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
    backendsFor: (request) => ruleBackends[ruleForRequest(rules, request)],
  };
}
