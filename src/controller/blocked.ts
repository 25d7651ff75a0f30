// Problems only the controller can see (target missing a ConfigMap, a TrafficSplit version not
// served, a Service it may not take over, an invalid interval) stop the step before the engine
// runs. They become Ready=False / Stalled=True with the reason, plus a Warning Event — never a
// crash, never a silent no-op — and the Canary waits for a watch event on the object to fix.
import type { Condition } from '../api/canary.js';
import type { JsonObject } from '../kube/merge-patch.js';
import type { CanaryJson } from './caches.js';

export interface Blocked {
  readonly reason: string;
  readonly message: string;
}

/** The conditions patch for a blocked Canary; undefined when it already says so. */
export function blockedConditions(
  canary: CanaryJson,
  blocked: Blocked,
  now: number,
): JsonObject | undefined {
  const previous = canary.status?.conditions ?? [];
  const generation = canary.metadata?.generation;
  const set = (type: string, status: 'True' | 'False'): Condition => {
    const before = previous.find((c) => c.type === type);
    return {
      type,
      status,
      reason: blocked.reason,
      message: blocked.message,
      lastTransitionTime:
        before !== undefined && before.status === status
          ? before.lastTransitionTime
          : new Date(now).toISOString(),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
  };
  const next = [
    set('Ready', 'False'),
    set('Stalled', 'True'),
    ...previous.filter((c) => c.type !== 'Ready' && c.type !== 'Stalled'),
  ];
  const same = ['Ready', 'Stalled'].every((type) => {
    const a = previous.find((c) => c.type === type);
    const b = next.find((c) => c.type === type);
    return (
      a !== undefined &&
      b !== undefined &&
      a.status === b.status &&
      a.reason === b.reason &&
      a.message === b.message
    );
  });
  return same ? undefined : { conditions: next as unknown as JsonObject[] };
}
