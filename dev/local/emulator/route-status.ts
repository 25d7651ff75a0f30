import { canonicalJson } from '../../../src/kube/canonical-json.js';
import type { HttpRouteEvaluation, Verdict } from './http-route.js';

/** The controllerName the emulated GAMMA mesh writes into HTTPRoute status.parents[]. */
export const EMULATOR_CONTROLLER_NAME = 'weightlifter.io/mesh-emulator';

export interface RouteCondition {
  readonly type: 'Accepted' | 'ResolvedRefs';
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

export interface RouteParentStatus {
  readonly parentRef: Readonly<Record<string, unknown>>;
  readonly controllerName: string;
  readonly conditions: readonly RouteCondition[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** metav1.Time: RFC 3339 in whole seconds. */
const timestamp = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Two parentRefs name the same parent once the API's defaults are applied. */
function sameParent(a: unknown, b: Readonly<Record<string, unknown>>, namespace: string): boolean {
  if (!isRecord(a)) return false;
  const norm = (r: Readonly<Record<string, unknown>>): string =>
    canonicalJson({
      group: r['group'] ?? 'gateway.networking.k8s.io',
      kind: r['kind'] ?? 'Gateway',
      namespace: r['namespace'] ?? namespace,
      name: r['name'],
      sectionName: r['sectionName'],
      port: r['port'],
    });
  return norm(a) === norm(b);
}

function condition(
  type: RouteCondition['type'],
  verdict: Verdict,
  generation: number,
  previous: unknown,
  now: number,
): RouteCondition {
  const conditions = isRecord(previous) ? previous['conditions'] : undefined;
  const prev = Array.isArray(conditions)
    ? (conditions as unknown[]).find((c) => isRecord(c) && c['type'] === type)
    : undefined;
  const kept =
    isRecord(prev) &&
    prev['status'] === verdict.status &&
    typeof prev['lastTransitionTime'] === 'string'
      ? prev['lastTransitionTime']
      : timestamp(now);
  return { type, ...verdict, observedGeneration: generation, lastTransitionTime: kept };
}

/**
 * The route's status.parents as the emulated mesh wants it: one entry of its own per Service
 * parent (Accepted and ResolvedRefs, observedGeneration = the route's generation, a condition's
 * lastTransitionTime kept while its status stays), every other controller's entry untouched and
 * in place, and its own entries for parents no longer in the spec dropped.
 */
export function routeParentsStatus(
  evaluation: HttpRouteEvaluation,
  namespace: string,
  existing: unknown,
  now: number,
  controllerName = EMULATOR_CONTROLLER_NAME,
): unknown[] {
  const current = Array.isArray(existing) ? (existing as unknown[]) : [];
  const ours = (e: unknown): boolean => isRecord(e) && e['controllerName'] === controllerName;
  const desired = evaluation.parents.map((p): RouteParentStatus => {
    const previous = current.find(
      (e) => ours(e) && isRecord(e) && sameParent(e['parentRef'], p.ref, namespace),
    );
    return {
      parentRef: p.ref,
      controllerName,
      conditions: [
        condition('Accepted', p.accepted, evaluation.generation, previous, now),
        condition('ResolvedRefs', p.resolvedRefs, evaluation.generation, previous, now),
      ],
    };
  });
  const placed = new Set<RouteParentStatus>();
  const out: unknown[] = [];
  for (const e of current) {
    if (!ours(e)) {
      out.push(e);
      continue;
    }
    const mine = desired.find(
      (d) => !placed.has(d) && isRecord(e) && sameParent(e['parentRef'], d.parentRef, namespace),
    );
    if (mine === undefined) continue; // a parent no longer in the spec
    placed.add(mine);
    out.push(mine);
  }
  out.push(...desired.filter((d) => !placed.has(d)));
  return out;
}

/** Whether writing `desired` would change the route's status.parents. */
export function parentsDiffer(existing: unknown, desired: readonly unknown[]): boolean {
  return canonicalJson(existing ?? []) !== canonicalJson(desired);
}
