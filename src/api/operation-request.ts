// A manual operation is a request in the `weightlifter.io/operation` annotation
// (`<action>:<token>`) that the controller acknowledges in status.operation. A fresh token makes
// every invocation a new request (the controller handles each value once), and the annotation is
// written with a JSON merge patch on metadata.annotations only, so no other field is touched and a
// GitOps tool re-applying the Canary does not undo it.
import { randomBytes } from 'node:crypto';
import { PatchStrategy } from '../kube/http-constants.js';
import type { Canary, OperationStatus } from './canary.js';
import { ANNOTATIONS, type ManualOperation } from './constants.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { objectPath } from '../kube/resources.js';
import { CANARY_REF } from './resources.js';

/** `<action>:<RFC 3339 time>-<random>`: readable in `kubectl get -o yaml`, unique per call. */
export function operationValue(
  action: ManualOperation,
  now: number,
  random = randomBytes(3).toString('hex'),
): string {
  return `${action}:${new Date(now).toISOString()}-${random}`;
}

export async function requestOperation(
  raw: KubeRawClient,
  namespace: string,
  name: string,
  value: string,
): Promise<Canary> {
  const patch = { metadata: { annotations: { [ANNOTATIONS.operation]: value } } };
  return raw.patch<Canary>(
    objectPath(CANARY_REF, namespace, name),
    patch,
    PatchStrategy.MergePatch,
  );
}

export type AckOutcome =
  | { readonly kind: 'acknowledged'; readonly operation: OperationStatus }
  | {
      readonly kind: 'notAcknowledged';
      readonly waitedMs: number;
      readonly current: OperationStatus | null;
    };

export interface AckWait {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Polls the Canary until status.operation.request echoes `value`, at most `timeoutMs`. */
export async function waitForAck(
  raw: KubeRawClient,
  namespace: string,
  name: string,
  value: string,
  w: AckWait,
): Promise<AckOutcome> {
  const start = w.now();
  for (;;) {
    const canary = await raw.get<Canary>(objectPath(CANARY_REF, namespace, name));
    const op = canary.status?.operation ?? null;
    if (op !== null && op.request === value) return { kind: 'acknowledged', operation: op };
    const waited = w.now() - start;
    if (waited >= w.timeoutMs) return { kind: 'notAcknowledged', waitedMs: waited, current: op };
    await w.sleep(Math.min(w.pollMs, w.timeoutMs - waited));
  }
}
