// One copy of each repeated string in what the controller holds for long: JSON.parse makes a new
// string for every value, so 2,000 cached Deployments hold 2,000 copies of "IfNotPresent", of
// their names (also in labels and selectors) and so on; measured at N = 500, 3.9 MiB of a 38 MiB
// live heap was such copies (docs/benchmarks.md, "Memory"). V8 keeps one copy of every property
// name in its string table, and drops a name from it once nothing uses it, so a string that has
// once been a property key comes back as that one copy: interning costs no table of our own, and
// strings of deleted objects are collected as before.

/** The one copy of `s` that V8's string table holds (the same value, possibly the same string). */
export function internString(s: string): string {
  // A dictionary-mode object (Object.create(null)): setting a key adds no hidden class.
  const box = Object.create(null) as Record<string, true>;
  box[s] = true;
  for (const key in box) return key;
  return s;
}

/**
 * Replaces, in place, every string value inside `value` (objects and arrays, at any depth) by its
 * interned copy; returns `value`. Only for objects the caller owns (e.g. just parsed): nothing
 * else may be holding them. Keys need nothing: JSON.parse interns them already.
 */
export function internStrings<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') value[i] = internString(item);
      else if (typeof item === 'object' && item !== null) internStrings(item);
    }
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (typeof item === 'string') record[key] = internString(item);
      else if (typeof item === 'object' && item !== null) internStrings(item);
    }
  }
  return value;
}
