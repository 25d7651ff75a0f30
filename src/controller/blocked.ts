// Problems only the controller can see (target missing a ConfigMap, a TrafficSplit version not
// served, a Service it may not take over, an invalid interval) stop the step before the engine
// runs. They become Ready=False / Stalled=True (Reconciling=False) with the reason, plus a Warning
// Event — never a crash, never a silent no-op — and the Canary waits for a watch event on the
// object to fix.
// The alert (Stalled, for the reasons src/notify maps) goes out once per transition into the
// blocked state, not on every retry of the blocked step.
import type { Logger } from 'pino';
import type { Condition } from '../api/canary.js';
import { API_VERSION, KINDS } from '../api/constants.js';
import type { EventRecorder } from '../kube/events.js';
import type { JsonObject } from '../kube/merge-patch.js';
import type { StatusWriter } from '../kube/status.js';
import { sendAlert, type ActorDeps } from './actors.js';
import { CANARY_REF, type CanaryJson } from './caches.js';
import type { Clock } from '../time/clock.js';

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
  // Reconciling=False too: kstatus reads Reconciling=True as InProgress before it looks at
  // Stalled, so a run that got blocked would otherwise never look failed.
  const types = ['Ready', 'Stalled', 'Reconciling'];
  const next = [
    set('Ready', 'False'),
    set('Stalled', 'True'),
    set('Reconciling', 'False'),
    ...previous.filter((c) => !types.includes(c.type)),
  ];
  const same = types.every((type) => {
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

/**
 * True when this block is a transition: the status does not already say Stalled for this
 * reason. A new message under the same reason (e.g. another invalid field) is not a new one.
 */
export function entersBlocked(canary: CanaryJson, blocked: Blocked): boolean {
  const stalled = canary.status?.conditions?.find((c) => c.type === 'Stalled');
  return !(stalled?.status === 'True' && stalled.reason === blocked.reason);
}

export interface BlockDeps extends Pick<ActorDeps, 'alerts'> {
  readonly recorder: Pick<EventRecorder, 'record'>;
  readonly statusWriter: Pick<StatusWriter, 'patchStatus'>;
  readonly clock: Clock;
}

/**
 * Records a blocked step: a Warning Event (before the write, so whoever sees the condition finds
 * the Event), the conditions (if they change), then — on a transition only — the alert.
 * `statusWritten`: the step wrote the status already, so the cached resourceVersion is stale.
 */
export async function blockCanary(
  deps: BlockDeps,
  json: CanaryJson,
  blocked: Blocked,
  opts: { readonly logger: Logger; readonly statusWritten: boolean },
): Promise<void> {
  opts.logger.warn({ reason: blocked.reason }, blocked.message);
  const entering = entersBlocked(json, blocked);
  await deps.recorder.record({
    regarding: { ...json, apiVersion: API_VERSION, kind: KINDS.canary },
    type: 'Warning',
    reason: blocked.reason,
    action: 'Reconcile',
    note: blocked.message,
  });
  const patch = blockedConditions(json, blocked, deps.clock.now());
  if (patch !== undefined) {
    await deps.statusWriter.patchStatus(
      CANARY_REF,
      json.metadata?.namespace,
      json.metadata?.name ?? '',
      patch,
      opts.statusWritten ? undefined : json.metadata?.resourceVersion,
    );
  }
  // After the write, like the engine's announcements: a failed write retries the block, which
  // still sees the transition; a written one is not announced again.
  if (!entering) return;
  const canary = { namespace: json.metadata?.namespace ?? '', name: json.metadata?.name ?? '' };
  const event = { eventType: 'Warning', reason: blocked.reason, message: blocked.message } as const;
  sendAlert(deps, canary, json.status ?? {}, event, opts.logger);
}
