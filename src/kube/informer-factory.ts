import { Informer, type InformerOptions } from './informer.js';
import { createListerWatcher, type ListerWatcherOptions } from './lister-watcher.js';
import type { KubeObject } from './object-key.js';
import type { KubeRawClient } from './raw-client.js';
import type { ResourceRef } from './resources.js';

export type CreateInformerOptions<T extends KubeObject> = Omit<
  InformerOptions<T>,
  'listerWatcher' | 'name'
> &
  ListerWatcherOptions & {
    /** @default ref.plural */
    readonly name?: string;
  };

/**
 * An informer for any resource addressed by group/version/plural: built-ins (BUILTIN.*), Canaries,
 * AnalysisTemplates, and TrafficSplits of whichever version discovery picked.
 */
export function createInformer<T extends KubeObject>(
  raw: KubeRawClient,
  ref: ResourceRef,
  opts: CreateInformerOptions<T>,
): Informer<T> {
  const {
    namespace,
    labelSelector,
    fieldSelector,
    pageSize,
    watchTimeoutSeconds,
    inactivityTimeoutMs,
    ...rest
  } = opts;
  const lwOpts: ListerWatcherOptions = {
    namespace,
    labelSelector,
    fieldSelector,
    ...(pageSize === undefined ? {} : { pageSize }),
    ...(watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds }),
    ...(inactivityTimeoutMs === undefined ? {} : { inactivityTimeoutMs }),
    ...(opts.random === undefined ? {} : { random: opts.random }),
  };
  return new Informer<T>({
    ...rest,
    name: opts.name ?? ref.plural,
    listerWatcher: createListerWatcher<T>(raw, ref, lwOpts),
  });
}
