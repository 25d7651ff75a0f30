import type { Logger } from 'pino';
import type { KubeRawClient } from '../kube/raw-client.js';
import type { WorkloadCaches } from './k8s-types.js';

/** What every workload function gets: reads from the caches, writes through the raw client. */
export interface WorkloadDeps {
  readonly raw: KubeRawClient;
  readonly caches: WorkloadCaches;
  readonly logger: Logger;
}

/** The result of an ensure/patch step; `unchanged` means no request was sent. */
export type WriteAction = 'created' | 'patched' | 'unchanged';
