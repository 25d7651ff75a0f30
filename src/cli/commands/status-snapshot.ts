// One look at the cluster for `status`: the summaries to print, or the reason there are none.
import type { KubeClients } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import type { Canary } from '../../api/canary.js';
import type { KubeRawClient } from '../../kube/raw-client.js';
import {
  summarize,
  type CanaryEvent,
  type CanarySummary,
  type RoutesSeen,
} from '../render/summary.js';
import { describeError } from './failures.js';
import { canaryRouteObjects, servedRoutingApis } from './route-lookup.js';
import { canaryEvents, getCanary, listCanaries } from './status-fetch.js';

export interface StatusTarget {
  /** undefined: every Canary of the namespace (or of all namespaces). */
  readonly name: string | undefined;
  /** undefined with allNamespaces. */
  readonly namespace: string | undefined;
}

export type Snapshot =
  | { readonly kind: 'one'; readonly summary: CanarySummary }
  | { readonly kind: 'list'; readonly summaries: readonly CanarySummary[] }
  | { readonly kind: 'missing'; readonly message: string };

export async function takeSnapshot(
  clients: KubeClients,
  target: StatusTarget,
  now: () => number,
): Promise<Snapshot> {
  const { raw } = clients;
  if (target.name === undefined) {
    const canaries = await listCanaries(raw, target.namespace);
    return { kind: 'list', summaries: canaries.map((c) => summarize(c, [], now())) };
  }
  const namespace = target.namespace ?? 'default';
  try {
    const canary = await getCanary(raw, namespace, target.name);
    // Events are context: a user allowed to read Canaries but not Events still gets the status,
    // with the reason the events are missing.
    let events: CanaryEvent[] = [];
    let eventsError: string | null = null;
    try {
      events = await canaryEvents(raw, canary);
    } catch (err) {
      eventsError = describeError(err);
    }
    const routes = await routesOf(raw, canary);
    return { kind: 'one', summary: summarize(canary, events, now(), eventsError, routes) };
  } catch (err) {
    if (isNotFound(err))
      return { kind: 'missing', message: `Canary ${namespace}/${target.name} not found` };
    throw err;
  }
}

/** The Canary's route objects; like Events, context that a user may not be allowed to read. */
async function routesOf(raw: KubeRawClient, canary: Canary): Promise<RoutesSeen> {
  try {
    return {
      objects: await canaryRouteObjects(raw, canary, await servedRoutingApis(raw)),
      error: null,
    };
  } catch (err) {
    return { objects: [], error: describeError(err) };
  }
}

/** A summary without what changes by itself, for "print only on change". */
export function stableView(s: CanarySummary): CanarySummary {
  return { ...s, inPhaseSeconds: null };
}
