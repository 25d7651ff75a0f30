// The TrafficSplit weightlifter owns, as data: its name and backends, the desired object for a
// version, how live weights read back, and the diff that decides whether a patch is needed.
// Pure functions; smi-router.ts does the I/O.
import { baselineServiceName, hasBaseline, serviceNames } from '../api/defaults.js';
import { withBaseline } from './baseline-weights.js';
import { SMI_SPLIT_GROUP, TRAFFIC_SPLIT_PLURAL, type TrafficSplitVersion } from '../api/smi.js';
import {
  computeMergePatch,
  isJsonObject,
  type Json,
  type JsonObject,
} from '../kube/merge-patch.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ResourceRef } from '../kube/resources.js';
import { InvalidRoutesError } from './errors.js';
import { exactQuantity, sameFraction } from '../kube/quantity.js';
import type { CanaryNames, Routes, TrafficStrategy } from './types.js';

/** What differs between TrafficSplit versions when writing. */
export interface SplitCodec {
  readonly version: TrafficSplitVersion;
  readonly apiVersion: `${typeof SMI_SPLIT_GROUP}/${TrafficSplitVersion}`;
  /** Whether `spec.matches` (HTTPRouteGroup refs) exists in this version. */
  readonly supportsMatches: boolean;
  encodeWeight(weight: number): string | number;
}

/** A TrafficSplit of any version as it arrives from the API server (untrusted shape). */
export interface LiveSplit extends KubeObject {
  spec?: { service?: unknown; backends?: unknown; matches?: unknown };
}

export interface SplitNames {
  readonly namespace: string;
  /** The split is named after the apex Service, like Flagger's. */
  readonly name: string;
  readonly apex: string;
  readonly primary: string;
  readonly canary: string;
  /**
   * The baseline Service (spec.analysis.baseline): the split's third backend, always at the
   * canary's weight. Absent without a baseline.
   */
  readonly baseline?: string;
}

export function splitNames(canary: CanaryNames): SplitNames {
  const names = serviceNames(canary.spec);
  const split = { namespace: canary.metadata?.namespace ?? '', name: names.apex, ...names };
  return hasBaseline(canary.spec)
    ? { ...split, baseline: baselineServiceName(canary.spec) }
    : split;
}

export function splitRef(version: TrafficSplitVersion): ResourceRef {
  return {
    group: SMI_SPLIT_GROUP,
    version,
    plural: TRAFFIC_SPLIT_PLURAL,
    kind: 'TrafficSplit',
    namespaced: true,
  };
}

const isPercent = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 100;

/** The routes, checked: two integers in 0..100 summing to 100. */
export function validateRoutes(routes: Routes): Routes {
  const { primaryWeight, canaryWeight } = routes;
  if (
    !isPercent(primaryWeight) ||
    !isPercent(canaryWeight) ||
    primaryWeight + canaryWeight !== 100
  ) {
    throw new InvalidRoutesError(
      `weights must be integers in 0..100 summing to 100, got ${primaryWeight}/${canaryWeight}`,
      { primaryWeight, canaryWeight },
    );
  }
  return routes;
}

/**
 * The spec fields we own. `matches` is null (removed) unless the strategy uses it, so an A/B
 * setting that was dropped from the Canary does not linger in the split.
 */
export function desiredSpec(
  codec: SplitCodec,
  names: SplitNames,
  routes: Routes,
  strategy: TrafficStrategy,
): JsonObject {
  const matches: Json =
    strategy.kind === 'headerMatch' && codec.supportsMatches
      ? strategy.routeGroups.map((name) => ({
          apiGroup: 'specs.smi-spec.io',
          kind: 'HTTPRouteGroup',
          name,
        }))
      : null;
  return {
    service: names.apex,
    // Weight 0 is always written: OSM rejected backends whose zero weight was omitted (flagger#930).
    backends: weightedBackends(names, routes).map(([service, weight]) => ({
      service,
      weight: codec.encodeWeight(weight),
    })),
    matches: codec.supportsMatches ? matches : null,
  };
}

/**
 * The backends and their weights for the engine's routes. With a baseline, the engine's primary
 * weight is the control side's (primary and baseline together): canary 10 is primary 80, canary
 * 10, baseline 10 (withBaseline; a canary weight above 50 is refused).
 */
export function weightedBackends(names: SplitNames, routes: Routes): [string, number][] {
  if (names.baseline === undefined) {
    return [
      [names.primary, routes.primaryWeight],
      [names.canary, routes.canaryWeight],
    ];
  }
  const w = withBaseline(routes.canaryWeight);
  return [
    [names.primary, w.primaryWeight],
    [names.canary, w.canaryWeight],
    [names.baseline, w.baselineWeight],
  ];
}

export type RoutesReading =
  { readonly ok: true; readonly routes: Routes } | { readonly ok: false; readonly problem: string };

/**
 * Percent as a number: exact when it is a whole number; otherwise to the millionth, truncated,
 * and never onto a whole number (10.0000001 % reads 10.000001), so it never equals a weight the
 * controller writes.
 */
export function percent(top: bigint, bottom: bigint): number {
  if (top % bottom === 0n) return Number(top / bottom);
  let millionths = (top * 1_000_000n) / bottom;
  if (millionths % 1_000_000n === 0n) millionths += 1n;
  return Number(millionths) / 1_000_000;
}

/**
 * Live weights as percentages of the split's total. SMI weights are relative (900m/100m is
 * 90/10), so any two non-negative weights with a positive sum read back; anything else is a
 * problem to repair. The ratio is exact, never rounded: 899/101 is 89.9/10.1, not the 90/10 the
 * controller writes, so a hand edit within rounding differs from every step and is put back.
 */
export function readRoutes(split: LiveSplit, names: SplitNames): RoutesReading {
  const backends = split.spec?.backends;
  const count = names.baseline === undefined ? 2 : 3;
  if (!Array.isArray(backends) || backends.length !== count) {
    const n = count === 2 ? 'two' : 'three';
    return { ok: false, problem: `the split does not have exactly ${n} backends` };
  }
  const weightOf = (service: string): unknown => {
    const b: unknown = backends.find((x) => isJsonObject(x) && x['service'] === service);
    return isJsonObject(b) ? b['weight'] : undefined;
  };
  const [rawP, rawC] = [weightOf(names.primary), weightOf(names.canary)];
  const p = exactQuantity(rawP);
  const c = exactQuantity(rawC);
  const services = [names.primary, names.canary, names.baseline ?? []].flat().join(', ');
  if (p === undefined || c === undefined) {
    return { ok: false, problem: `backends must be ${services} with weights` };
  }
  // With a baseline, the baseline's weight must be the canary's (else the split is repaired):
  // the canary's share is then c / (p + 2c).
  let cs = 1n;
  if (names.baseline !== undefined) {
    const b = exactQuantity(weightOf(names.baseline));
    if (b === undefined) return { ok: false, problem: `backends must be ${services} with weights` };
    if (!sameFraction(b, c))
      return { ok: false, problem: `${names.baseline}'s weight is not ${names.canary}'s` };
    cs = 2n;
  }
  // canary % = 100 c / (p + cs c), over the common denominator of p and c.
  const top = 100n * c.num * p.den;
  const bottom = p.num * c.den + cs * c.num * p.den;
  if (p.num < 0n || c.num < 0n || bottom <= 0n) {
    const shown = `${JSON.stringify(rawP)}/${JSON.stringify(rawC)}`;
    return { ok: false, problem: `weights ${shown} do not route any traffic` };
  }
  const canaryWeight = percent(top, bottom);
  return { ok: true, routes: { primaryWeight: 100 - canaryWeight, canaryWeight } };
}

/**
 * The nearest whole percentages (Math.round: a half goes up, to the canary), for writing live
 * weights back in a version whose weights are integers: 899/101 is written as 90/10.
 */
export function wholePercent(routes: Routes): Routes {
  const canaryWeight = Math.round(routes.canaryWeight);
  return { primaryWeight: 100 - canaryWeight, canaryWeight };
}

/** Whether two weights are the same number, in any spelling ("10", 10, "10000m"). */
function sameWeight(a: unknown, b: unknown): boolean {
  const x = exactQuantity(a);
  const y = exactQuantity(b);
  return x !== undefined && y !== undefined && sameFraction(x, y);
}

/**
 * Live backends that say the same as the desired ones in another spelling ("95" vs 95 vs
 * "95000m": v1alpha1 Quantities are re-serialised by Go clients) are treated as equal, so two
 * writers that agree on the weights never patch back and forth.
 */
function sameBackends(live: unknown, desired: Json | undefined): boolean {
  if (!Array.isArray(live) || !Array.isArray(desired) || live.length !== desired.length)
    return false;
  return desired.every((d, i) => {
    const l: unknown = live[i];
    if (!isJsonObject(d) || !isJsonObject(l)) return false;
    const keys = Object.keys(l).filter((k) => l[k] !== undefined);
    return (
      keys.length === 2 && l['service'] === d['service'] && sameWeight(l['weight'], d['weight'])
    );
  });
}

/** `live` with its backends spelled like `spec`'s when they mean the same (see sameBackends). */
export function comparableLive<T extends LiveSplit>(live: T, spec: JsonObject): T {
  const liveSpec = live.spec ?? {};
  return sameBackends(liveSpec.backends, spec['backends'])
    ? { ...live, spec: { ...liveSpec, backends: spec['backends'] } }
    : live;
}

/** The fields of a split we own: our labels and the spec. */
export function ownedFields(
  spec: JsonObject,
  labels: Readonly<Record<string, string>>,
): JsonObject {
  return { metadata: { labels: { ...labels } }, spec };
}

/** The merge patch that makes `live` carry `spec` and `labels`; undefined when it already does. */
export function splitPatch(
  live: LiveSplit,
  spec: JsonObject,
  labels: Readonly<Record<string, string>>,
): JsonObject | undefined {
  return computeMergePatch(comparableLive(live, spec), ownedFields(spec, labels));
}
