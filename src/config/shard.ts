// Sharding over replicas (Flux's scheme): --watch-label-selector makes a replica list and watch
// only the objects whose `weightlifter.io/shard` label it selects: Canaries and every namespaced
// object they use. The controller copies a Canary's shard label onto every object it creates, so
// only that label can shard: a selector naming another label is refused at start-up.
import { createHash } from 'node:crypto';
import { LABELS } from '../api/constants.js';
import {
  formatLabelSelector,
  parseLabelSelector,
  type Requirement,
} from '../kube/label-selector.js';

export interface ShardConfig {
  /** The selector in the API server's spelling, sent with every namespaced list and watch. */
  readonly selector: string;
  /**
   * Names this shard in the default Lease name; undefined for the unsharded main instance
   * (`!weightlifter.io/shard`), which keeps the unsharded controller's Lease.
   */
  readonly id: string | undefined;
}

/** The shard from the flag's value; undefined when unset or empty; a problem when invalid. */
export function resolveShard(
  value: string | undefined,
  flag: string,
  problems: string[],
): ShardConfig | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = parseLabelSelector(value);
  if (!parsed.ok) {
    problems.push(`${flag}: "${value}" is not a label selector: ${parsed.error}`);
    return undefined;
  }
  const foreign = parsed.requirements.find((r) => r.key !== LABELS.shard);
  if (foreign !== undefined) {
    problems.push(
      `${flag}: "${value}" selects by the label "${foreign.key}"; only ${LABELS.shard} can ` +
        `shard, because it is the label the controller copies from a Canary onto the objects it ` +
        `creates (e.g. "${LABELS.shard} in (a)", or "!${LABELS.shard}" for the unsharded rest)`,
    );
    return undefined;
  }
  return { selector: formatLabelSelector(parsed.requirements), id: shardId(parsed.requirements) };
}

/**
 * `key in (a)` / `key=a` -> "a"; `key in (a,b)` -> "a-b"; `!key` -> undefined (the main
 * instance); anything else -> "s" and a hash of the selector.
 */
function shardId(requirements: readonly Requirement[]): string | undefined {
  const [only, ...rest] = requirements;
  if (only === undefined) return undefined;
  if (rest.length === 0 && only.operator === 'notexists') return undefined;
  const joined = only.values.join('-');
  const named =
    rest.length === 0 && (only.operator === 'in' || only.operator === 'equals') && joined !== '';
  if (named && joined.length <= 63) return joined.toLowerCase().replace(/[_.]/g, '-');
  const hash = createHash('sha256').update(formatLabelSelector(requirements)).digest('hex');
  return `s${hash.slice(0, 10)}`;
}

/** The default Lease: one per shard, so each shard elects its own leader. */
export function shardLeaseName(base: string, shard: ShardConfig | undefined): string {
  return shard?.id === undefined ? base : `${base}-${shard.id}`;
}
