// HTTPRouteGroup (specs.smi-spec.io) matches, read from any version's wire shape: v1alpha1 and
// v1alpha2 carry `matches` at the top level, v1alpha3 and v1alpha4 under `spec`; v1alpha1 has no
// headers. Headers are a list of single-key maps on the wire (the SDK's form, what every SMI CRD
// declares) — `[{x-canary: "insider"}]` — and a plain map in the spec's prose; both are read.
// A value is a regular expression. A match the adapter cannot read is refused, never skipped: a
// skipped match would route requests it was meant to route somewhere else.
import { isJsonObject } from '../kube/merge-patch.js';
import type { KubeObject } from '../kube/object-key.js';

/** One HTTPRouteGroup match: all of its conditions hold (AND); the group's matches are ORed. */
export interface SmiHttpMatch {
  readonly name: string;
  /** Absent, empty or containing "*": any method. */
  readonly methods: readonly string[];
  readonly pathRegex?: string;
  /** [name, value regex] pairs, in order. */
  readonly headers: readonly (readonly [string, string])[];
}

export interface RouteGroupJson extends KubeObject {
  matches?: unknown;
  spec?: { matches?: unknown };
}

export type ParsedGroup =
  | { readonly ok: true; readonly matches: readonly SmiHttpMatch[] }
  | { readonly ok: false; readonly message: string };

const SPEC_VERSIONS = new Set(['v1alpha3', 'v1alpha4']);

/** The group's matches where its version keeps them (any version: by where they are). */
function rawMatches(group: RouteGroupJson): unknown {
  const version = (group.apiVersion ?? '').split('/')[1] ?? '';
  if (SPEC_VERSIONS.has(version)) return group.spec?.matches;
  if (version !== '') return group.matches;
  return group.spec?.matches ?? group.matches;
}

function headersOf(v: unknown, at: string): (readonly [string, string])[] | string {
  if (v === undefined || v === null) return [];
  const maps: unknown[] = Array.isArray(v) ? v : [v];
  const out: (readonly [string, string])[] = [];
  for (const [i, m] of maps.entries()) {
    if (!isJsonObject(m)) return `${at}.headers[${i}] is not a map of header name to regex`;
    for (const [name, value] of Object.entries(m)) {
      if (typeof value !== 'string') return `${at}.headers: ${name} is not a string`;
      out.push([name, value]);
    }
  }
  return out;
}

export function parseRouteGroup(group: RouteGroupJson): ParsedGroup {
  const name = group.metadata?.name ?? '';
  const raw = rawMatches(group);
  if (!Array.isArray(raw) || raw.length === 0) {
    return { ok: false, message: `HTTPRouteGroup ${name} has no matches` };
  }
  const matches: SmiHttpMatch[] = [];
  for (const [i, m] of raw.entries()) {
    const at = `HTTPRouteGroup ${name} matches[${i}]`;
    if (!isJsonObject(m)) return { ok: false, message: `${at} is not an object` };
    const methods = m['methods'] ?? [];
    if (!Array.isArray(methods) || !methods.every((x) => typeof x === 'string')) {
      return { ok: false, message: `${at}.methods is not a list of methods` };
    }
    const pathRegex = m['pathRegex'];
    if (pathRegex !== undefined && typeof pathRegex !== 'string') {
      return { ok: false, message: `${at}.pathRegex is not a string` };
    }
    const headers = headersOf(m['headers'], at);
    if (typeof headers === 'string') return { ok: false, message: headers };
    matches.push({
      name: typeof m['name'] === 'string' ? m['name'] : '',
      methods,
      ...(pathRegex === undefined || pathRegex === '' ? {} : { pathRegex }),
      headers,
    });
  }
  return { ok: true, matches };
}
