import type { Binaries } from './binaries.js';
import { startControllerManager, startScheduler } from './controllers.js';
import type { AdminApi } from './http.js';
import type { Identities } from './identities.js';
import { startKwok } from './kwok.js';
import type { Pki } from './pki.js';
import type { Child, ProcessGroup } from './processes.js';
import { waitUntil } from './wait.js';

export interface Workloads {
  /** True when kube-scheduler and kwok run pods (Running/Ready) on a fake node. */
  readonly podsRunByKwok: boolean;
  readonly notes: readonly string[];
}

/**
 * What makes workloads behave: kube-controller-manager (ReplicaSets, Deployment status,
 * EndpointSlices), and when they are available kube-scheduler plus kwok (pods Running and Ready on
 * a fake node). Resolves once each started component has proven it works.
 */
export async function startWorkloads(opts: {
  enabled: boolean;
  procs: ProcessGroup;
  bins: Binaries;
  ids: Identities;
  pki: Pki;
  api: AdminApi;
  /** etcd and kube-apiserver: their death ends every wait. */
  core: readonly Child[];
  timeoutMs: number;
  /**
   * Settles when the CRDs are Established. kube-controller-manager starts after it: its garbage
   * collector reads the API's resource types once at start and again only every 30 s, so an
   * object owned by a custom resource (a primary Deployment owned by its Canary) would outlive
   * its deleted owner by up to 30 s.
   */
  crdsEstablished: Promise<unknown>;
}): Promise<Workloads> {
  const { procs, bins, ids, api, timeoutMs } = opts;
  if (!opts.enabled) {
    return {
      podsRunByKwok: false,
      notes: ['kube-controller-manager disabled by option: Deployments get no ReplicaSets'],
    };
  }
  if (bins.kubeControllerManager === undefined) {
    return {
      podsRunByKwok: false,
      notes: ['kube-controller-manager unavailable: Deployments get no ReplicaSets'],
    };
  }
  await opts.crdsEstablished;
  const kcm = startControllerManager(
    procs,
    bins.kubeControllerManager,
    await ids.kubeconfig('controllerManager', await ids.cert('controllerManager')),
    opts.pki,
  );
  // The serviceaccount controller creating default/default proves the controller manager runs.
  const kcmReady = waitUntil(
    async () =>
      (await api.get('/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    {
      what: 'kube-controller-manager (default ServiceAccount)',
      timeoutMs,
      intervalMs: 200,
      watch: [...opts.core, kcm],
    },
  );
  const missing =
    bins.kubeScheduler === undefined
      ? 'kube-scheduler'
      : bins.kwok === undefined
        ? 'kwok'
        : undefined;
  if (bins.kubeScheduler === undefined || bins.kwok === undefined) {
    await kcmReady;
    return {
      podsRunByKwok: false,
      notes: [
        `pods are not run (${missing ?? '?'} unavailable): drive readiness through the Deployment status subresource`,
      ],
    };
  }
  const scheduler = startScheduler(
    procs,
    bins.kubeScheduler,
    await ids.kubeconfig('scheduler', await ids.cert('scheduler')),
  );
  const kwokKubeconfig = await ids.kubeconfig('kwok', await ids.cert('kwok'));
  await Promise.all([
    kcmReady,
    startKwok(procs, bins.kwok, kwokKubeconfig, api, timeoutMs, [...opts.core, kcm, scheduler]),
  ]);
  return { podsRunByKwok: true, notes: [] };
}
