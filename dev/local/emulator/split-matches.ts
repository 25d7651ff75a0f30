// TrafficSplit `matches` (split.smi-spec.io v1alpha3 and v1alpha4): a split that names
// HTTPRouteGroups splits only the requests that match one of the groups' matches; every other
// request goes to the plain root Service (`spec.service`, by its own selector). The groups are
// read from specs.smi-spec.io v1alpha4 or v1alpha3, the versions whose `spec.matches` those split
// versions refer to, and parsed the way the SMI adapter parses them (src/smi-adapter/route-group.ts).
//
// One match holds when the request's method is one of `methods` (none, or "*": any), its path
// matches `pathRegex` from the path's start, and every header regex matches its header's whole
// value (absent header: no match). A reference the emulator cannot resolve (no such group, or one
// it cannot read) matches nothing and is reported: its requests stay on the root Service, as do
// matching requests when every backend weighs 0.
import {
  parseRouteGroup,
  type RouteGroupJson,
  type SmiHttpMatch,
} from '../../../src/smi-adapter/route-group.js';
import { fullMatch } from './http-route.js';
import { PLAIN_REQUEST, type RequestClass } from './request-mix.js';
import type { SplitBackend } from './weights.js';

type Request = Omit<RequestClass, 'percent'>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether one HTTPRouteGroup match holds for `req`. */
export function smiMatchHolds(m: SmiHttpMatch, req: Request): boolean {
  if (m.methods.length > 0 && !m.methods.includes('*') && !m.methods.includes(req.method)) {
    return false;
  }
  if (m.pathRegex !== undefined && !fullMatch(`(?:${m.pathRegex}).*`, req.path)) return false;
  return m.headers.every(([name, regex]) => {
    const have = req.headers[name.toLowerCase()];
    return have !== undefined && fullMatch(regex, have);
  });
}

export interface SplitMatches {
  /** Every match of every group the split names and the emulator could read (ORed). */
  readonly matches: readonly SmiHttpMatch[];
  /** References that match nothing, and why. */
  readonly problems: readonly string[];
}

/** The split's `matches`, resolved; undefined when it has none (every request is split). */
export function resolveSplitMatches(
  spec: unknown,
  groupNamed: (name: string) => RouteGroupJson | undefined,
): SplitMatches | undefined {
  const refs = isRecord(spec) ? spec['matches'] : undefined;
  if (!Array.isArray(refs) || refs.length === 0) return undefined;
  const matches: SmiHttpMatch[] = [];
  const problems: string[] = [];
  for (const [i, ref] of refs.entries()) {
    const kind = isRecord(ref) ? ref['kind'] : undefined;
    const name = isRecord(ref) ? ref['name'] : undefined;
    if (kind !== 'HTTPRouteGroup' || typeof name !== 'string' || name === '') {
      problems.push(`matches[${i}] is not an HTTPRouteGroup reference: it matches nothing`);
      continue;
    }
    const group = groupNamed(name);
    if (group === undefined) {
      problems.push(`matches[${i}]: HTTPRouteGroup ${name} not found: it matches nothing`);
      continue;
    }
    const parsed = parseRouteGroup(group);
    if (!parsed.ok) {
      problems.push(`matches[${i}]: ${parsed.message}: it matches nothing`);
      continue;
    }
    matches.push(...parsed.matches);
  }
  return { matches, problems };
}

/**
 * The route's backends for a split with matches: each share of requests (the request mix, else
 * every request `GET /`) that one of the matches holds for goes to the split's backends in their
 * proportions; every other share to the root Service `apex`. One weighted draw per request then
 * routes each share by what it matched.
 */
export function matchedBackends(
  apex: string,
  backends: readonly SplitBackend[],
  matches: readonly SmiHttpMatch[],
  mix: readonly RequestClass[] | undefined,
): SplitBackend[] {
  const total = backends.reduce((s, b) => s + b.weight, 0);
  const out: SplitBackend[] = [];
  for (const c of mix ?? [{ percent: 100, ...PLAIN_REQUEST }]) {
    if (total > 0 && matches.some((m) => smiMatchHolds(m, c))) {
      for (const b of backends)
        out.push({ service: b.service, weight: (c.percent * b.weight) / total });
    } else {
      out.push({ service: apex, weight: c.percent });
    }
  }
  return out;
}
