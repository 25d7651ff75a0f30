// Reads for `status`: one Canary or all in a namespace, and the Events about each. Events come
// from core/v1 with an involvedObject field selector; that API serves events written through
// events.k8s.io/v1 too (same storage), where `regarding` appears as involvedObject and `note` as
// message.
import type { Canary } from '../../api/canary.js';
import type { KubeRawClient } from '../../kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../kube/resources.js';
import type { CanaryEvent } from '../render/summary.js';
import { CANARY_REF } from './context.js';

interface CoreEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  metadata?: { creationTimestamp?: string };
  involvedObject?: { uid?: string };
}

const CORE_EVENTS = { ...BUILTIN.events, group: '', version: 'v1' };

export function getCanary(raw: KubeRawClient, namespace: string, name: string): Promise<Canary> {
  return raw.get<Canary>(objectPath(CANARY_REF, namespace, name));
}

/** Canaries of one namespace, or of all namespaces when `namespace` is undefined. */
export async function listCanaries(
  raw: KubeRawClient,
  namespace: string | undefined,
): Promise<Canary[]> {
  const list = await raw.get<{ items?: Canary[] }>(collectionPath(CANARY_REF, namespace));
  return (list.items ?? []).sort((a, b) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`.localeCompare(
      `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`,
    ),
  );
}

export function normaliseEvent(e: CoreEvent): CanaryEvent {
  const lastSeen =
    e.series?.lastObservedTime ??
    e.lastTimestamp ??
    e.eventTime ??
    e.firstTimestamp ??
    e.metadata?.creationTimestamp ??
    null;
  return {
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.series?.count ?? (e.count !== undefined && e.count > 0 ? e.count : 1),
    lastSeen,
  };
}

export async function canaryEvents(raw: KubeRawClient, canary: Canary): Promise<CanaryEvent[]> {
  const namespace = canary.metadata.namespace ?? '';
  const name = canary.metadata.name ?? '';
  const fieldSelector = `involvedObject.kind=${CANARY_REF.kind},involvedObject.name=${name}`;
  const list = await raw.get<{ items?: CoreEvent[] }>(collectionPath(CORE_EVENTS, namespace), {
    fieldSelector,
  });
  // Events of an earlier Canary with the same name carry its uid; events written without a uid
  // cannot be told apart and are kept.
  const uid = canary.metadata.uid;
  return (list.items ?? [])
    .filter(
      (e) =>
        uid === undefined || e.involvedObject?.uid === undefined || e.involvedObject.uid === uid,
    )
    .map(normaliseEvent);
}
