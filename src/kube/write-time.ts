// When the API server last stored a write to an object, by anyone: the newest time among its
// metadata.managedFields entries (the server sets an entry's time on every write a field manager
// makes; RFC 3339, 1 s resolution). The informer caches drop managedFields to save memory; a cache
// whose objects' write times matter keeps just that one time (keepLastWriteTime).
import { metadataWithout } from './cache-trim.js';
import type { KubeObject } from './object-key.js';

interface ManagedFieldsTime {
  readonly time?: unknown;
}

/** Epoch ms of the object's newest managedFields time; null when it records none. */
export function lastWriteTime(obj: KubeObject | undefined): number | null {
  let newest: number | null = null;
  for (const entry of (obj?.metadata?.managedFields ?? []) as ManagedFieldsTime[]) {
    const t = typeof entry.time === 'string' ? Date.parse(entry.time) : Number.NaN;
    if (!Number.isNaN(t) && (newest === null || t > newest)) newest = t;
  }
  return newest;
}

/**
 * An informer transform: managedFields reduced to one entry with the newest time, or dropped.
 * The metadata is built anew (cache-trim.ts says why not `delete`).
 */
export function keepLastWriteTime<T extends KubeObject>(obj: T): T {
  const metadata = obj.metadata;
  if (metadata?.managedFields === undefined) return obj;
  const t = lastWriteTime(obj);
  const rest = metadataWithout(metadata);
  return {
    ...obj,
    metadata: t === null ? rest : { ...rest, managedFields: [{ time: new Date(t).toISOString() }] },
  };
}
