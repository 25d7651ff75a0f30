import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, isGone, type KubeStatus } from './errors.js';
import type { KubeObject } from './object-key.js';
import type { KubeRawClient } from './raw-client.js';
import { collectionPath, type ResourceRef } from './resources.js';

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
  const watcher = new PatientWatch(raw.kubeConfig, opts.inactivityTimeoutMs ?? 90_000);

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
    return startWatch(watcher, path, query, onEvent);
  }

  return { list, watch };
}

/**
 * client-node's Watch aborts a stream after 30 s without data, which on an idle cluster reconnects
 * every watch twice a minute (bookmarks come about once a minute). The limit is a private field;
 * this sets it, and test/unit/kube/lister-watcher.test.ts fails if client-node renames it.
 */
export class PatientWatch extends Watch {
  constructor(kc: KubeConfig, inactivityTimeoutMs: number) {
    super(kc);
    if (!('requestTimeoutMs' in this)) {
      throw new TypeError('client-node Watch has no requestTimeoutMs: update PatientWatch');
    }
    Object.assign(this, { requestTimeoutMs: inactivityTimeoutMs });
  }
}

function startWatch(
  watcher: Watch,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  onEvent: (type: WatchEventType, obj: never) => void,
): WatchSession {
  let stopped = false;
  let controller: AbortController | undefined;
  let errorStatus: KubeStatus | undefined;
  let resolveEnded: (end: WatchEnd) => void = () => undefined;
  const ended = new Promise<WatchEnd>((resolve) => (resolveEnded = resolve));

  const done = (err: unknown): void => {
    if (stopped) resolveEnded({ kind: 'closed' });
    else if (errorStatus !== undefined) resolveEnded(endFromStatus(path, errorStatus));
    else if (isGone(err)) resolveEnded({ kind: 'gone' });
    else if (err === null || err === undefined || isTimeout(err)) resolveEnded({ kind: 'closed' });
    else resolveEnded({ kind: 'error', error: err });
  };
  const callback = (type: string, obj: unknown): void => {
    if (type === 'ERROR') {
      // The server sends a Status and then closes the stream; `done` reports it.
      errorStatus = obj as KubeStatus;
      return;
    }
    if (!stopped) onEvent(type as WatchEventType, obj as never);
  };

  watcher.watch(path, query, callback, done).then(
    (c) => {
      controller = c;
      if (stopped) c.abort();
    },
    (err: unknown) => {
      done(err);
    },
  );
  return {
    ended,
    stop: () => {
      stopped = true;
      controller?.abort();
      resolveEnded({ kind: 'closed' });
    },
  };
}

function endFromStatus(path: string, status: KubeStatus): WatchEnd {
  if (status.code === 410) return { kind: 'gone' };
  return { kind: 'error', error: new KubeApiError('WATCH', path, status.code ?? 500, status) };
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}
