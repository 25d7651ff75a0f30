// One canonical JSON: the same value always serialises to the same string, whatever the key order
// it was built in. Revision hashes (src/workload/revision-hash.ts) and the emulator's pod-template
// hash (dev/local/emulator/pods.ts) are taken over it. Changing the output changes every stored
// revision, which restarts every canary on upgrade: test/unit/workload/revision-hash.test.ts pins
// golden hashes.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Plain JSON from whatever the caller holds (class instances, Dates); undefined dropped. */
export function toJson(value: unknown): Json | undefined {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJson(v) ?? null);
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const j = toJson(v);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return undefined; // functions, symbols, bigint: not part of a Kubernetes object
}

/**
 * JSON with every object's keys sorted, undefined members dropped. The order is JavaScript's own
 * property order after a UTF-16 sort: array-index keys ("9", "10") first in numeric order, then
 * the rest in UTF-16 order. Keep it so (test/unit/kube/canonical-json.test.ts): it is in every hash.
 */
export function canonicalJson(value: unknown): string {
  const sort = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sort);
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sort(v[k] ?? null);
    return out;
  };
  return JSON.stringify(sort(toJson(value) ?? null));
}
