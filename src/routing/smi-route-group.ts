// A/B over SMI, as data: spec.analysis.match as the HTTPRouteGroup (specs.smi-spec.io, the shape
// of v1alpha3 and v1alpha4: `spec.matches`) that the TrafficSplit's `matches` name during a run.
// Requests a group matches take the split's backends (canary 100 during an A/B run); every other
// request goes to the apex Service, which selects the primary's pods. The router (smi-router.ts)
// writes the group before the split names it, and removes the split's `matches` before it deletes
// the group, so no request is ever routed by a reference to a missing group.
//
// SMI matches a pathRegex from the start of the path and a header regex against the whole value
// (the meshes that implement it: Envoy's full match); the Canary's match means a whole-path
// regex, an exact value, a prefix or a whole-value regex, so each is anchored to say just that.
import type { HeaderMatch, HttpMatch } from '../api/canary.js';
import type { JsonObject } from '../kube/merge-patch.js';
import type { ResourceRef } from '../kube/resources.js';
import { regexLiteral } from './ab-rule.js';

export const SMI_SPECS_GROUP = 'specs.smi-spec.io';

/** The HTTPRouteGroup of a Canary's A/B run: `<apex>-<canary name>-ab`. */
export const routeGroupName = (apex: string, canaryName: string): string =>
  `${apex}-${canaryName}-ab`;

export function routeGroupRef(version: string): ResourceRef {
  return {
    group: SMI_SPECS_GROUP,
    version,
    plural: 'httproutegroups',
    kind: 'HTTPRouteGroup',
    namespaced: true,
  };
}

/** One header's condition as the SMI regex that says the same. */
export function headerRegex(m: HeaderMatch): string {
  if (m.exact !== undefined) return `^${regexLiteral(m.exact)}$`;
  if (m.prefix !== undefined) return `^${regexLiteral(m.prefix)}.*`;
  return m.regex ?? '';
}

/**
 * spec.analysis.match as the group's spec: one SMI match per entry (its fields ANDed, the
 * entries ORed, as in the Canary); headers on the wire as a list of single-key maps (the SDK's
 * form, which every SMI CRD declares), sorted by name so a re-read compares equal.
 */
export function routeGroupSpec(match: readonly HttpMatch[]): JsonObject {
  return {
    matches: match.map((m, i) => {
      const headers = Object.entries(m.headers ?? {}).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      return {
        name: `match-${String(i)}`,
        ...(m.methods === undefined || m.methods.length === 0 ? {} : { methods: [...m.methods] }),
        ...(m.pathRegex === undefined ? {} : { pathRegex: `(?:${m.pathRegex})$` }),
        ...(headers.length === 0
          ? {}
          : { headers: headers.map(([name, h]) => ({ [name]: headerRegex(h) })) }),
      };
    }),
  };
}
