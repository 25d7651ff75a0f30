// The JSON body of a webhook call, compatible with Flagger's CanaryWebhookPayload so existing
// receivers (flagger-loadtester, gates, custom services) work unchanged:
//   {name, namespace, phase, checksum, metadata}
// plus `type` (the hook type; Flagger receivers ignore unknown fields). For `event` hooks the
// event rides in metadata as Flagger sends it: eventMessage, eventType and timestamp (Unix ms).
import type { Phase, WebhookType } from '../api/constants.js';

export interface WebhookPayload {
  /** The Canary's name. */
  readonly name: string;
  readonly namespace: string;
  readonly phase: Phase;
  /** Identifies the revision under test (the Canary's status.revision). */
  readonly checksum: string;
  readonly type: WebhookType;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface HookSubject {
  readonly name: string;
  readonly namespace: string;
  readonly phase: Phase;
  readonly checksum: string;
}

/** A Kubernetes Event being forwarded to `event` hooks. */
export interface HookEvent {
  readonly message: string;
  /** Normal or Warning. */
  readonly type: string;
  /** Unix milliseconds. */
  readonly timestamp: number;
}

export function buildPayload(
  subject: HookSubject,
  type: WebhookType,
  metadata: Readonly<Record<string, string>> | undefined,
  event?: HookEvent,
): WebhookPayload {
  const merged: Record<string, string> = { ...metadata };
  if (event !== undefined) {
    merged.eventMessage = event.message;
    merged.eventType = event.type;
    merged.timestamp = String(event.timestamp);
  }
  const base = {
    name: subject.name,
    namespace: subject.namespace,
    phase: subject.phase,
    checksum: subject.checksum,
    type,
  };
  // Flagger omits an empty metadata map (`omitempty`); so do we.
  return Object.keys(merged).length === 0 ? base : { ...base, metadata: merged };
}
