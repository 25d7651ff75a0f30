import { createHash } from 'node:crypto';
import type { PodTemplate } from './objects.js';

/** Canonical JSON (sorted keys) so equal templates hash equally whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  // JSON.stringify(undefined) is undefined at run time, whatever its type says.
  return value === undefined ? 'null' : JSON.stringify(value);
}

/**
 * A short hash of a pod template, playing the role of `pod-template-hash`: a new template gives
 * new pod names and new series, the way a real rollout replaces pods.
 */
export function templateHash(template: PodTemplate | undefined): string {
  return createHash('sha256')
    .update(canonical(template ?? {}))
    .digest('hex')
    .slice(0, 10);
}

const POD_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `<deployment>-<hash>-<5 chars>` like ReplicaSet pods; deterministic per (hash, index). */
export function podName(deployment: string, hash: string, index: number): string {
  const digest = createHash('sha256').update(`${hash}/${index}`).digest();
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += POD_SUFFIX_ALPHABET[(digest[i] ?? 0) % POD_SUFFIX_ALPHABET.length] ?? 'x';
  }
  return `${deployment}-${hash}-${suffix}`;
}
