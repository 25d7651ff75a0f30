// RFC 7386 merge patch between two statuses: only what changed, null for what was removed.
// Nested maps (trackedConfigs) are patched key by key; arrays (conditions) are replaced whole,
// which is what merge patch does with arrays anyway.
import { isDeepStrictEqual } from 'node:util';

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(base: object, next: object): Record<string, unknown> | null {
  const b = base as Obj;
  const n = next as Obj;
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(n)])) {
    const before = b[key];
    const after = n[key];
    if (after === undefined) {
      if (before !== undefined) patch[key] = null;
      continue;
    }
    if (isDeepStrictEqual(before, after)) continue;
    if (isObj(before) && isObj(after)) {
      const nested = mergePatch(before, after);
      if (nested !== null) patch[key] = nested;
      continue;
    }
    patch[key] = after;
  }
  return Object.keys(patch).length > 0 ? patch : null;
}
