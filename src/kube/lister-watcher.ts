import { isGone, isNotFound, type KubeStatus } from './errors.js';
import type { KubeObject } from './object-key.js';
import type { KubeRawClient } from './raw-client.js';
import { collectionPath, objectPath, type ResourceRef } from './resources.js';
import { runWatchStream, watchError } from './watch-stream.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface ListResult<T> {
  readonly items: T[];
  readonly resourceVersion: string;
}

/** Why a watch ended. `gone` (410) means the resourceVersion is too old: relist. */
export type WatchEnd =
  | { readonly kind: 'closed' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'error'; readonly error: unknown };

export interface WatchSession {
  /** Ends the watch; `ended` then resolves with `closed`. */
  stop(): void;
  readonly ended: Promise<WatchEnd>;
}

/** The seam between an informer and the API server (client-go's ListerWatcher). */
export interface ListerWatcher<T extends KubeObject> {
  list(): Promise<ListResult<T>>;
  watch(resourceVersion: string, onEvent: (type: WatchEventType, obj: T) => void): WatchSession;
}

export interface ListerWatcherOptions {
  /** Only this namespace; undefined = all namespaces. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Page size for lists. @default 500 */
  readonly pageSize?: number;
  /**
   * Server-side watch timeout range in seconds; each watch picks a random value in it so watches
   * of many informers and replicas do not reconnect together. @default [300, 600]
   */
  readonly watchTimeoutSeconds?: readonly [number, number];
  /**
   * The watch is considered dead after this long without any bytes. Must exceed the API server's
   * bookmark interval (about 60 s) so an idle but healthy watch is not reconnected. @default 90_000
   */
  readonly inactivityTimeoutMs?: number;
  readonly random?: () => number;
}

interface KubeList<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** Lists with pagination and watches with bookmarks, for any resource addressed by ResourceRef. */
export function createListerWatcher<T extends KubeObject>(
  raw: KubeRawClient,
  ref: ResourceRef,
  opts: ListerWatcherOptions = {},
): ListerWatcher<T> {
  const path = collectionPath(ref, opts.namespace);
  const selectors = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
  const [minTimeout, maxTimeout] = opts.watchTimeoutSeconds ?? [300, 600];
  const random = opts.random ?? Math.random;
  const inactivityTimeoutMs = opts.inactivityTimeoutMs ?? 90_000;

  async function list(): Promise<ListResult<T>> {
    for (;;) {
      try {
        return await listAllPages();
      } catch (err) {
        // A continue token outlived etcd compaction: start the list over.
        if (!isGone(err)) throw err;
      }
    }
  }

  async function listAllPages(): Promise<ListResult<T>> {
    const items: T[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    do {
      const page = await raw.get<KubeList<T>>(path, {
        ...selectors,
        limit: opts.pageSize ?? 500,
        continue: cont,
      });
      items.push(...(page.items ?? []));
      // Every page of one list is the same snapshot; its version is on the first page.
      if (resourceVersion === '') resourceVersion = page.metadata?.resourceVersion ?? '';
      cont = page.metadata?.continue === '' ? undefined : page.metadata?.continue;
    } while (cont !== undefined);
    return { items, resourceVersion };
  }

  function watch(
    resourceVersion: string,
    onEvent: (type: WatchEventType, obj: T) => void,
  ): WatchSession {
    const timeoutSeconds = Math.round(minTimeout + (maxTimeout - minTimeout) * random());
    const query = { ...selectors, resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
    return startWatch(raw, path, query, inactivityTimeoutMs, onEvent);
  }

  return { list, watch };
}

/**
 * One object by name, never a collection: `list` is a GET of the object (verb `get`; a missing
 * object lists as empty) and `watch` a watch of its namespace with fieldSelector
 * metadata.name=<name> (verb `watch`, which the API server authorizes and audits as a request on
 * that one name). The list reports no resourceVersion, so the watch after it starts from "now":
 * the server first replays the object as it is (unchanged, it is no event: same resourceVersion),
 * then its changes. The GET's resourceVersion is the object's last write, which the server may no
 * longer watch from (a 410 on every retry for an object unchanged for hours). A later watch
 * resumes from the last bookmark. An object deleted between the GET and the watch's start stays
 * cached until the next relist.
 */
export function createNamedListerWatcher<T extends KubeObject>(
  raw: KubeRawClient,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  opts: Omit<
    ListerWatcherOptions,
    'namespace' | 'labelSelector' | 'fieldSelector' | 'pageSize'
  > = {},
): ListerWatcher<T> {
  const collection = createListerWatcher<T>(raw, ref, {
    ...opts,
    namespace,
    fieldSelector: `metadata.name=${name}`,
  });
  const path = objectPath(ref, namespace, name);
  return {
    async list() {
      try {
        return { items: [await raw.get<T>(path)], resourceVersion: '' };
      } catch (err) {
        if (isNotFound(err)) return { items: [], resourceVersion: '' };
        throw err;
      }
    },
    watch: (resourceVersion, onEvent) => collection.watch(resourceVersion, onEvent),
  };
}

function startWatch(
  raw: KubeRawClient,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  inactivityTimeoutMs: number,
  onEvent: (type: WatchEventType, obj: never) => void,
): WatchSession {
  let stopped = false;
  const controller = new AbortController();
  let closed: (end: WatchEnd) => void = () => undefined;
  const stoppedEnd = new Promise<WatchEnd>((resolve) => (closed = resolve));
  const streamEnd = runWatchStream(
    raw,
    path,
    query,
    (ev) => {
      if (!stopped) onEvent(ev.type as WatchEventType, ev.object as never);
    },
    controller.signal,
    { inactivityTimeoutMs },
  ).then((end): WatchEnd => {
    if (stopped || end.kind === 'closed') return { kind: 'closed' };
    if (end.kind === 'status') return endFromStatus(path, end.status);
    return isGone(end.error) ? { kind: 'gone' } : end;
  });
  return {
    ended: Promise.race([streamEnd, stoppedEnd]),
    stop: () => {
      stopped = true;
      controller.abort();
      closed({ kind: 'closed' });
    },
  };
}

function endFromStatus(path: string, status: KubeStatus): WatchEnd {
  if (status.code === 410) return { kind: 'gone' };
  return { kind: 'error', error: watchError(path, status) };
}
