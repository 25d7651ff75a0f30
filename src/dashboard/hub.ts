// The dashboard's one view of the cluster: an informer of Canaries and one of their Events per
// watched scope (all namespaces, or each namespace given), started once and shared by every
// viewer. A viewer's page subscribes to the hub's messages over Server-Sent Events; a thousand open
// pages add no request to the API server.
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.js';
import { KINDS } from '../api/constants.js';
import { CANARY_REF } from '../api/resources.js';
import { Informer, type InformerEvent } from '../kube/informer.js';
import { createListerWatcher } from '../kube/lister-watcher.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import type { ResourceRef } from '../kube/resources.js';
import { canaryView, eventView, type CanaryView, type CoreEvent, type EventView } from './view.js';

export type HubMessage =
  | { readonly kind: 'canary'; readonly canary: CanaryView }
  | { readonly kind: 'deleted'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'event'; readonly event: EventView };

const CORE_EVENTS: ResourceRef = {
  group: '',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
};

/** Events kept per Canary for the page (the newest); the API server expires them anyway. */
export const EVENTS_PER_CANARY = 50;

type CoreEventObject = CoreEvent & { metadata?: { name?: string } };

export class DashboardHub {
  readonly #canaries: Informer<Canary>[] = [];
  readonly #events: Informer<CoreEventObject>[] = [];
  readonly #listeners = new Set<(m: HubMessage) => void>();

  /** `namespaces`: undefined watches every namespace. */
  constructor(raw: KubeRawClient, namespaces: readonly string[] | undefined, logger: Logger) {
    const scopes = namespaces ?? [undefined];
    for (const namespace of scopes) {
      const canaries = new Informer<Canary>({
        name: `dashboard-canaries${namespace === undefined ? '' : `-${namespace}`}`,
        listerWatcher: createListerWatcher<Canary>(raw, CANARY_REF, { namespace }),
        logger,
      });
      canaries.onEvent((e) => {
        this.#canaryChanged(e);
      });
      const events = new Informer<CoreEventObject>({
        name: `dashboard-events${namespace === undefined ? '' : `-${namespace}`}`,
        listerWatcher: createListerWatcher<CoreEventObject>(raw, CORE_EVENTS, {
          namespace,
          fieldSelector: `involvedObject.kind=${KINDS.canary}`,
        }),
        logger,
      });
      events.onEvent((e) => {
        if (e.type !== 'delete') this.#send({ kind: 'event', event: eventView(e.obj) });
      });
      this.#canaries.push(canaries);
      this.#events.push(events);
    }
  }

  start(): void {
    for (const i of [...this.#canaries, ...this.#events]) i.start();
  }

  async waitForSync(timeoutMs: number): Promise<void> {
    await Promise.all([...this.#canaries, ...this.#events].map((i) => i.waitForSync(timeoutMs)));
  }

  async stop(): Promise<void> {
    this.#listeners.clear();
    await Promise.all([...this.#canaries, ...this.#events].map((i) => i.stop()));
  }

  subscribe(listener: (m: HubMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get viewers(): number {
    return this.#listeners.size;
  }

  canaries(): CanaryView[] {
    return this.#canaries
      .flatMap((i) => i.list())
      .map(canaryView)
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }

  /** The Canary, when the dashboard's identity can see it. */
  canary(namespace: string, name: string): Canary | undefined {
    for (const i of this.#canaries) {
      const c = i.getByName(namespace, name);
      if (c !== undefined) return c;
    }
    return undefined;
  }

  /** The newest Events of every Canary shown, oldest first. */
  events(): EventView[] {
    const byCanary = new Map<string, EventView[]>();
    for (const e of this.#events.flatMap((i) => i.list()).map(eventView)) {
      const key = `${e.namespace}/${e.canary}`;
      byCanary.set(key, [...(byCanary.get(key) ?? []), e]);
    }
    return [...byCanary.values()].flatMap((list) =>
      list.sort((a, b) => a.at.localeCompare(b.at)).slice(-EVENTS_PER_CANARY),
    );
  }

  #canaryChanged(e: InformerEvent<Canary>): void {
    if (e.type === 'delete') {
      const { namespace = '', name = '' } = e.obj.metadata;
      this.#send({ kind: 'deleted', namespace, name });
      return;
    }
    this.#send({ kind: 'canary', canary: canaryView(e.obj) });
  }

  #send(m: HubMessage): void {
    for (const l of this.#listeners) l(m);
  }
}
