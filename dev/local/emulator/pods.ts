import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../src/kube/canonical-json.js';
import type { PodTemplate } from './objects.js';

/**
 * A short hash of a pod template, playing the role of `pod-template-hash`: a new template gives
 * new pod names and new series, the way a real rollout replaces pods.
 */
export function templateHash(template: PodTemplate | undefined): string {
  return createHash('sha256')
    .update(canonicalJson(template ?? {}))
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
