// The generic JSON webhook: the event as a flat document, for anything that is not a chat
// service (an incident tool, a bot, a log sink). Field names are part of the public surface.
import type { NotifyEvent } from '../types.js';

export function genericPayload(e: NotifyEvent): Record<string, unknown> {
  return {
    canary: e.canary,
    namespace: e.namespace,
    phase: e.phase,
    kind: e.kind,
    reason: e.reason,
    message: e.message,
    severity: e.severity,
    revision: e.revision,
    timestamp: e.timestamp,
    canaryWeight: e.canaryWeight,
    failedChecks: e.failedChecks,
    cluster: e.cluster,
  };
}
