/** JSON as it travels to and from the API server. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json | undefined;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The RFC 7386 JSON merge patch that makes `live` agree with `desired` on the fields `desired`
 * names, and leaves every other field alone (fields we don't own, server defaults). `null` in
 * `desired` removes the field. Arrays are replaced whole when they differ, as merge patch does.
 * Returns undefined when nothing differs, so callers can skip the request entirely.
 *
 * Desired values must be in the server's canonical form (e.g. quantities as the server prints
 * them), or the diff never becomes empty and every reconcile patches.
 */
export function computeMergePatch(live: unknown, desired: JsonObject): JsonObject | undefined {
  const liveObj = isJsonObject(live) ? live : {};
  const patch: JsonObject = {};
  for (const [key, want] of Object.entries(desired)) {
    if (want === undefined) continue;
    const have = liveObj[key];
    if (want === null) {
      if (have !== undefined && have !== null) patch[key] = null;
    } else if (isJsonObject(want)) {
      const sub = isJsonObject(have) ? computeMergePatch(have, want) : dropNulls(want);
      if (sub !== undefined) patch[key] = sub;
    } else if (!deepEqual(want, have)) {
      patch[key] = want;
    }
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/**
 * The RFC 7386 merge patch that turns `base` into `next` when we own the whole object (a Canary's
 * status): fields `next` lacks become null, nested objects are diffed key by key, arrays are
 * replaced whole. Returns undefined when they agree, so the caller skips the write.
 */
export function diffMergePatch(base: JsonObject, next: JsonObject): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(next)])) {
    const before = base[key];
    const after = next[key];
    if (after === undefined) {
      if (before !== undefined) patch[key] = null;
    } else if (isJsonObject(before) && isJsonObject(after)) {
      const nested = diffMergePatch(before, after);
      if (nested !== undefined) patch[key] = nested;
    } else if (!deepEqual(before, after)) {
      patch[key] = after;
    }
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** A new object has nothing to delete: nulls would only be noise (and empty objects too). */
function dropNulls(obj: JsonObject): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    if (isJsonObject(v)) {
      const sub = dropNulls(v);
      out[k] = sub ?? {};
    } else {
      out[k] = v;
    }
  }
  return Object.keys(out).length === 0 && Object.keys(obj).length > 0 ? undefined : out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
