// Merge patch (RFC 7386) merges objects, so a field the source no longer has (a nodeSelector
// removed from the target, a key removed from a ConfigMap) would survive in the copy. For the
// subtrees we copy whole, `replacing` marks such fields with null, which the patch then deletes.
import { isJsonObject, type Json, type JsonObject } from '../kube/merge-patch.js';

/** `desired` plus `null` for every object member `live` has and `desired` lacks (recursively). */
export function replacing(live: unknown, desired: unknown): Json {
  const want = toJson(desired);
  if (!isJsonObject(want) || !isJsonObject(live)) return want;
  const out: JsonObject = { ...want };
  for (const [k, v] of Object.entries(live)) {
    if (v === undefined || v === null) continue;
    const d = want[k];
    out[k] = d === undefined ? null : replacing(v, d);
  }
  return out;
}

/** Plain JSON of a typed object (undefined members dropped). */
export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => toJson(v));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}

export function toJsonObject(value: unknown): JsonObject {
  const j = toJson(value);
  if (!isJsonObject(j)) throw new TypeError('expected a JSON object');
  return j;
}
